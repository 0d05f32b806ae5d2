"""`make bench`: the figures engine against the SQL floor, the pages, the downloads and the API under load.

May import every app; nothing imports it. Shared helpers in bench/common.py.
"""
