"""The shared kernel of the public REST API under /api/v1/: what every endpoint uses.

Base view (ApiMixin), errors, pagination, renderers (JSON, streamed CSV), HTTP caching,
throttling, filtering helpers, schema, shared fields and the licence. It imports no app:
where it needs the current figures version it calls the function that the setting
API_CURRENT_FIGURES_VERSION names. Each app's serializers and views live next to the app
(`regions/api.py`, `projects/api.py`, `funding/api.py`, `funding/figures/api.py`); the
routes are in `modellregionen/api_urls.py`.
"""
