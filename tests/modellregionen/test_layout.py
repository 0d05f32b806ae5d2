"""The house rules of the layout (README, "Layout"), checked on the code's own imports.

Ledgers feed figures; pages and the API read figures and ledgers; staff write ledgers. Apps
import downwards only, the shared kernel imports no app, no two files import each other
through a loop, and no module grows past about 650 lines.
"""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("regions", "projects", "funding", "modellregionen", "bench")
LONGEST_MODULE = 650

# The parts of the house, most specific prefix first, and what each may import.
KERNEL = "kernel"
PARTS = [
    ("modellregionen.api_urls", "wiring"),
    ("modellregionen.urls", "wiring"),
    ("modellregionen.settings", "wiring"),
    ("modellregionen.settings_test", "wiring"),
    ("modellregionen.celery", "wiring"),
    ("modellregionen.asgi", "wiring"),
    ("modellregionen.wsgi", "wiring"),
    ("modellregionen.staff", "staff"),
    ("modellregionen", KERNEL),
    ("funding.figures", "figures"),
    ("funding", "funding"),
    ("projects", "projects"),
    ("regions", "regions"),
    ("bench", "bench"),
]
MAY_IMPORT = {
    KERNEL: set(),
    "regions": {KERNEL},
    "projects": {KERNEL, "regions"},
    "funding": {KERNEL, "regions", "projects"},
    "figures": {KERNEL, "regions", "projects", "funding"},
    "staff": {KERNEL, "regions", "projects", "funding", "figures"},
    "wiring": {KERNEL, "regions", "projects", "funding", "figures", "staff"},
    "bench": {KERNEL, "regions", "projects", "funding", "figures", "staff", "wiring"},
}
# Where the ledger wires the figures in (funding/__init__.py says why).
FUNDING_MAY_IMPORT_FIGURES = {
    "funding.models",
    "funding.apps",
    "funding.management.commands.recompute_figures",
    "funding.management.commands.verify_figures",
    "funding.management.commands.restore_database",
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[dotted.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports anywhere in its code (also inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from package import module" imports the module; "from module import name" the module.
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in known else node.module)
    return {name for name in names if name in known}


def _part(module: str) -> str:
    if module == "modellregionen":
        return "wiring"  # its __init__ loads the Celery app
    return next(part for prefix, part in PARTS if module == prefix or module.startswith(prefix + "."))


MODULES = _modules()
GRAPH = {module: _imports(path, set(MODULES)) - {module} for module, path in MODULES.items()}


def test_every_part_imports_only_what_it_may():
    wrong = []
    for module, imported in GRAPH.items():
        part = _part(module)
        for target in imported:
            target_part = _part(target)
            if target_part == part:
                continue
            if part == "funding" and target_part == "figures" and module in FUNDING_MAY_IMPORT_FIGURES:
                continue
            if target_part not in MAY_IMPORT[part]:
                wrong.append(f"{module} ({part}) imports {target} ({target_part})")
    assert wrong == []


def test_no_two_files_import_each_other_through_a_loop():
    # Tarjan's strongly connected components over the module graph; a loop is a component
    # of more than one module. A package's __init__ that only documents imports nothing.
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert loops == []


def test_no_module_is_longer_than_about_650_lines():
    long = {
        module: n
        for module, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE
    }
    assert long == {}


def test_every_package_says_what_it_holds_and_may_import():
    for module, path in MODULES.items():
        if path.name == "__init__.py" and module.count(".") <= 1 and "management" not in module:
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "import" in docstring.lower(), f"{path.relative_to(ROOT)} does not say what it may import"


def test_the_rules_see_the_whole_house():
    # The checks above would pass on an empty graph: make sure they read the real one.
    assert {"funding.figures.engine", "modellregionen.staff.urls", "regions.models"} <= set(MODULES)
    assert "funding.figures.ledgers" in GRAPH["funding.figures.engine"]
    assert _part("modellregionen.api.base") == KERNEL


@pytest.mark.django_db
def test_the_models_need_no_migration():
    # The figures' models moved to funding/figures/models.py and kept their tables.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
