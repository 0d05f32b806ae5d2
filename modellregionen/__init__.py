"""The project's wiring and its shared kernel.

Wiring (imports every app): settings, urls, api_urls, the Celery app, the staff workspace
(modellregionen.staff). Kernel (imports no app): roles, env, cache, client_ip, errors,
forms and the API kernel (modellregionen.api). Apps may import the kernel, never the wiring.
"""

from modellregionen.celery import app as celery_app

__all__ = ("celery_app",)
