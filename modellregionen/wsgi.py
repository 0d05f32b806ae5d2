"""The WSGI application: one Django handler for every request.

Repeated anonymous reads are answered by the reverse proxy's micro-cache (deploy/nginx), not
by the application; see modellregionen.proxy_cache for what the proxy may keep.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")

application = get_wsgi_application()
