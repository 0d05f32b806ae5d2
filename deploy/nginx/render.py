"""Fill in the nginx templates of this folder for a native run: `make proxy` calls this.

    python deploy/nginx/render.py --out var/nginx --listen 8080 --app 127.0.0.1:8000 \
        [--app 127.0.0.1:8001] --static var/static

writes nginx.conf, modellregionen.conf and modellregionen-proxy.inc into --out; start nginx
with `nginx -p <out> -c <out>/nginx.conf`. Only the ${NAMES} of the templates are filled in
(string.Template.safe_substitute), as the nginx image's envsubst does in docker-compose.yml.
"""

import argparse
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
TEMPLATES = ("nginx.conf", "modellregionen.conf", "modellregionen-proxy.inc")


def render(*, out: Path, listen: str, apps: list[str], static_root: Path, values: dict | None = None) -> Path:
    out = out.resolve()
    (out / "cache").mkdir(parents=True, exist_ok=True)
    names = {
        "PREFIX": str(out),
        "CONF_DIR": str(out),
        "CACHE_DIR": str(out / "cache"),
        "LISTEN": listen,
        "APP_SERVERS": " ".join(f"server {address};" for address in apps),
        "STATIC_ROOT": str(static_root.resolve()),
        "MAX_BODY": "6m",
        "ANON_RATE": "20r/s",
        "ANON_BURST": "40",
        **(values or {}),
    }
    for name in TEMPLATES:
        text = Template((HERE / f"{name}.template").read_text()).safe_substitute(names)
        if "${" in text:
            raise SystemExit(f"{name}: a template name is not filled in")
        (out / name).write_text(text)
    return out / "nginx.conf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/nginx"))
    parser.add_argument("--listen", default="8080")
    parser.add_argument("--app", action="append", help="an app server, host:port (repeat for several)")
    parser.add_argument("--static", type=Path, default=Path("var/static"))
    parser.add_argument("--set", action="append", default=[], help="NAME=value, e.g. ANON_RATE=50r/s")
    args = parser.parse_args()
    values = dict(item.split("=", 1) for item in args.set)
    print(
        render(
            out=args.out,
            listen=args.listen,
            apps=args.app or ["127.0.0.1:8000"],
            static_root=args.static,
            values=values,
        )
    )


if __name__ == "__main__":
    main()
