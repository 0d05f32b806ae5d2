"""The ledgers: decisions (programmes, granting authorities, recipients, funding decisions) and payments.

The decisions' words (choices), rules (one place for every entry path), writes (services),
the CSV and XLSX import, the admin, the API of programmes and decisions and the 360Giving
export. The second ledger (payments, recoveries, proofs of use) lives in funding.payments, the
figures computed from both in funding.figures.

May import: projects, regions and modellregionen's shared kernel. Of funding.figures only
what wires it in: models.py registers the figures' stored models with this app, and the
commands recompute_figures, verify_figures and restore_database call into it. Writes say
what they changed through modellregionen.ledger_changes.
"""
