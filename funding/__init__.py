"""The decisions ledger: programmes, granting authorities, recipients and funding decisions.

Their words (choices), rules (one place for every entry path), writes (services), the CSV
and XLSX import, the admin, the API of programmes and decisions and the 360Giving export.
The figures computed from the ledgers live in the package funding.figures.

May import: projects, regions and modellregionen's shared kernel. Of funding.figures only
what wires it in: models.py registers the figures' stored models with this app, apps.py
connects the figures' signal receivers, and the commands recompute_figures,
verify_figures and restore_database call into it.
"""
