"""The payments ledger: payments (Auszahlungen) on grants, recoveries (Rückforderungen and Erstattungen), proofs of use.

A second ledger next to the decisions: its entries are booked on initial decisions and
follow the same four-eyes rules; its facts feed the same figures engine (paid out, outflow
rate, still to be paid, reclaimed, proofs of use due, received and overdue).

- models: Payment, Recovery, ProofOfUse (app label "funding").
- rules: every rule in one place; imports no model.
- services: the only writes, for every entry path.

May import: funding's choices and models, projects, regions and modellregionen's kernel.
"""
