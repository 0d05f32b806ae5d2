"""The directory: the five model regions, every NRW Kreis and Gemeinde (AGS, population), its import and lookup.

Also the staff profiles, role changes and the account guard (user_guard), whose tables
this app's migrations hold. The lowest app: it imports no other app, only modellregionen's
shared kernel (roles, API kernel). Its directory import says that the figures' denominators
changed through modellregionen.ledger_changes.
"""
