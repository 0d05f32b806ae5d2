"""The staff workspace under /intern/: one package for its routes, views, forms and reads.

Why one package and not one per app: the workspace is one product with one login, one
overview, one release queue and one set of role rules, and its pages cross the ledgers (a
project's page shows its decisions and its requests). Kept together, a newcomer finds
every staff page in one place and the public apps carry no staff code.

- urls: every route of the workspace (included once from modellregionen/urls.py).
- access: the `staff_view` decorator, history entries and service errors shown on forms.
- decisions, decision_forms, ledger_selectors: drafting, releasing and importing decisions.
- projects, project_forms, request_selectors: projects and the requests' status.

The role rules stay in modellregionen/roles.py; writes go through each app's services.
May import: every app's models, services and selectors, and modellregionen's kernel.
Nothing imports this package but modellregionen/urls.py.
"""
