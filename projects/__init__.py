"""Projects and reuse requests: the solution catalogue, a project's page, the request form, a municipality's page.

May import: regions and modellregionen's shared kernel. It imports nothing of funding,
which sits above it (decisions point at projects): a project's decisions are read through
the reverse relation `project.decisions` that funding declares.
"""
