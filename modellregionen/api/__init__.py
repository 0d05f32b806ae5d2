"""The public REST API under /api/v1/: the pieces every endpoint shares.

Per-app serializers and views live in `regions/api.py`, `projects/api.py` and
`funding/api.py`; the routes in `modellregionen/api/urls.py`.
"""
