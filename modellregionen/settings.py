"""Settings for Modellregionen, read from the environment.

With nothing set, the app runs locally on SQLite (in var/) with Celery tasks executed
in-process. DATABASE_URL switches to PostgreSQL, REDIS_URL to Redis as Celery broker
and cache. DEBUG=False turns on the production hardening that `check --deploy` asks for.
"""

import ipaddress
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from modellregionen.env import env_bool, env_int, env_list, env_seconds, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=False")
    SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Addresses or networks of reverse proxies whose X-Forwarded-For is believed (modellregionen/client_ip.py).
TRUSTED_PROXIES = frozenset(env_list("TRUSTED_PROXIES", []))
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is no address or network") from _error
# The largest request body accepted (bytes); a larger one is a 413 before it is read. The
# largest import file is IMPORT_MAX_BYTES; nginx's client_max_body_size should say the same.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# An import is checked row by row in the request (about 15 ms a row): 1,000 rows stay well within
# the app server's timeout. Larger files are split, or imported with the management command.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000, minimum=1)
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", IMPORT_MAX_BYTES + 256 * 1024, minimum=IMPORT_MAX_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# The request form's rate limit counts the same client address as the lockout and the throttle.
RATELIMIT_IP_META_KEY = "modellregionen.client_ip.client_ip"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "corsheaders",
    "regions",
    "projects",
    "funding",
]

MIDDLEWARE = [
    # Outermost, so it sees the final answer: marks what the reverse proxy may keep.
    "modellregionen.proxy_cache.ProxyCacheMiddleware",
    # Then: body limit, control characters, forwarded headers only from TRUSTED_PROXIES, no-store.
    "modellregionen.request_guard.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer: a preflight gets its answer here.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then: no staff page and no API write on a password alone.
    "django_otp.middleware.OTPMiddleware",
    "modellregionen.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "modellregionen.urls"
WSGI_APPLICATION = "modellregionen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "funding.figures.site_context.site",
            ],
            # The figures' template tags live in their package, not in an app's templatetags/.
            "libraries": {"figures_format": "funding.figures.templatetags"},
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "sqlite"})
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "modellregionen.sqlite3",
            # SQLite waits for a lock instead of failing at once when the dev server
            # and an in-process recompute write at the same moment.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache -----------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss"})

if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is down, instead of failing requests.
            "BACKEND": "modellregionen.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts: an unreachable Redis must not hold a request for long.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # A file cache is shared by all processes of one machine, which the rate limits need.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the tasks run in-process, so `make run` needs no server.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Berlin"
# A recompute killed with its worker is redelivered after this many seconds (Redis's default
# is an hour); the check every minute below catches up sooner anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
# A broker that restarts is waited for, at start and later, however long it takes. A worker that
# dies anyway (the Redis transport has a known family of reconnect crashes) is restarted by its
# supervisor (deploy/systemd, restart: in docker-compose.yml); the figures are caught up by the
# check every minute and when a worker starts (funding.figures.engine.refresh_figures_if_behind).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection is lost is cancelled and redelivered (acks_late),
# instead of finishing unacknowledged and running a second time.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# How often beat checks that the published figures include every committed ledger change.
FIGURES_FRESHNESS_CHECK_SECONDS = env_int("FIGURES_FRESHNESS_CHECK_SECONDS", 60, minimum=5)
CELERY_BEAT_SCHEDULE: dict = {
    "refresh-figures-if-behind": {
        "task": "funding.tasks.refresh_figures_if_behind",
        "schedule": FIGURES_FRESHNESS_CHECK_SECONDS,
        # A check that could not run in time is replaced by the next one.
        "options": {"expires": FIGURES_FRESHNESS_CHECK_SECONDS},
    },
    "recompute-figures-nightly": {
        "task": "funding.tasks.recompute_figures",
        # The whole ledger, not an increment: the backstop for anything an increment could miss.
        "kwargs": {"full": True},
        "schedule": crontab(hour=2, minute=0),
    },
    "erase-expired-personal-data-nightly": {
        "task": "projects.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    "verify-figures-nightly": {
        "task": "funding.tasks.verify_figures",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- CORS: anonymous reads of the API from any origin (a notebook, a newsroom page) --------------
# Only GET/HEAD, no credentials, no Authorization header: a cross-origin write or a staff page
# gets no CORS answer, so browsers refuse it. /intern/ and /admin/ are never matched.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/v1/|healthz$)"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "content-language", "if-none-match", "if-modified-since")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Link", "Retry-After", "X-Total-Count", "Content-Disposition")
CORS_PREFLIGHT_MAX_AGE = 86400

# --- Personal data ----------------------------------------------------------------------
# Days after a request is closed (implemented, declined, withdrawn) until its requester's name,
# e-mail and message are erased (projects/erasure.py); the privacy page states it.
REQUEST_RETENTION_DAYS = env_int("REQUEST_RETENTION_DAYS", 730, minimum=1)

# --- Figures --------------------------------------------------------------------------
# Seconds a scheduled recompute waits, so that a burst of changes is counted in one run (an
# increment takes well under a second, so a released entry is in the figures within about two).
FIGURES_RECOMPUTE_DELAY = env_seconds("FIGURES_RECOMPUTE_DELAY", 0.25)

# --- Auth -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
OTP_TOTP_ISSUER = "Digitale Modellregionen NRW"
# Days an API token works after it was made (modellregionen/api/auth.py).
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90, minimum=1)
LOGIN_REDIRECT_URL = "/intern/"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
# Locks are per account *and* address, never per account alone: a stranger must not be able to
# lock a colleague out. The lock grows from 1 minute to 1 hour; a second limit per address bounds
# password spraying (regions/login_limits.py).
AXES_COOLOFF_TIME = "regions.login_limits.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_CLIENT_IP_CALLABLE = "modellregionen.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/lockout.html"  # a German page instead of axes' English text
AXES_VERBOSE = False
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "de-de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [d for d in [BASE_DIR / "static", BASE_DIR / "node_modules"] if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "modellregionen@localhost")
# The contact point of the open-data catalogue (DCAT-AP.de vcard:hasEmail): a real, read mailbox.
DATA_CONTACT_EMAIL = env_str("DATA_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# --- REST framework -------------------------------------------------------------------
# Requests per anonymous client (IP): "<number>/<second|minute|hour|day>"; staff are not limited.
API_ANON_RATE = env_str("API_ANON_RATE", "120/minute")
if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", API_ANON_RATE):
    raise ImproperlyConfigured(f"Unexpected value API_ANON_RATE={API_ANON_RATE}, use e.g. 120/minute")
# How long a CDN or browser may reuse an anonymous API answer (seconds).
API_CACHE_MAX_AGE = env_int("API_CACHE_MAX_AGE", 300, minimum=0)
# How long the reverse proxy keeps an anonymous answer (modellregionen.proxy_cache): a change is
# visible through the proxy within this time plus one computation of the answer.
PROXY_CACHE_SECONDS = env_int("PROXY_CACHE_SECONDS", 1, minimum=0)
# How long a rendered figures answer stays in the shared cache (0: not kept; the benchmark's cold reads).
FIGURES_ANSWER_CACHE_SECONDS = env_int("FIGURES_ANSWER_CACHE_SECONDS", 600, minimum=0)
# The API kernel (modellregionen/api) imports no app; this names where the current figures
# version, part of every answer's ETag, comes from (one query per request).
API_CURRENT_FIGURES_VERSION = "funding.figures.selectors.current_figures_version"
# Where a recorded ledger change goes (modellregionen.ledger_changes): the change count, then a recompute.
LEDGER_CHANGE_RECORDER = "funding.figures.scheduling.record_ledger_change"

# A missing CSRF token under /api/ is a JSON 403 like every other API error.
CSRF_FAILURE_VIEW = "modellregionen.errors.csrf_failure"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "modellregionen.api.auth.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON first (the API's format); forms for the browsable staff writes. See modellregionen.api.parsers.
    "DEFAULT_PARSER_CLASSES": [
        "modellregionen.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Modellregionen API",
    "DESCRIPTION": (
        "**Deutsch:** Kennzahlen, Projekte, Zuwendungsbescheide, Auszahlungen und Anfragen des "
        "NRW-Förderprogramms „Digitale Modellregionen“, zu jedem Stichtag (`as_of`) und aus jeder "
        "veröffentlichten Version (`version`) zitierbar. Lesen ist ohne Anmeldung möglich (ohne "
        "Schloss-Symbol); Schreiben nur mit dem API-Token eines Kontos der Sachbearbeitung oder "
        "Freigabe. Beträge sind Dezimalzahlen als Text in Euro; `?format=csv` liefert CSV. Lizenz: "
        "Datenlizenz Deutschland – Namensnennung – 2.0.\n\n"
        "**English:** Figures, projects and grant decisions of the NRW programme 'Digitale Modellregionen'.\n\n"
        "**Reproducing the headline figures from the downloads** (as of a date T; every list has the "
        "columns programme.slug and programme.name, and `?programme=<slug>` filters it):\n"
        "- funding granted: sum of `amount` in `/api/v1/decisions/?format=csv&programme=<slug>&date_to=T`"
        " (private investment, eligible costs, own share: the columns of the same name);\n"
        "- paid out: sum of `amount` in `/api/v1/payments/?format=csv&programme=<slug>&date_to=T`, less "
        "`amount` of `/api/v1/recoveries/?format=csv&programme=<slug>&kind=repayment&date_to=T`;\n"
        "- transfer and consultation requests: rows of `/api/v1/requests/?format=csv&received_to=T` "
        "with that `kind` and the programme's `programme.slug`.\n\n"
        "Every figure carries `illustrative_shares`: the share of its value that rests on illustrative "
        "(not published) records. `?page_size=all` answers a whole list as one page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "modellregionen.api.schema.document_what_the_server_accepts",
    ],
    # Several models have a "kind" or "status"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "MunicipalityKindEnum": "regions.models.MunicipalityKind",
        "RecipientKindEnum": "funding.models.RecipientKind",
        "DecisionKindEnum": "funding.models.DecisionKind",
        "ProjectKindEnum": "projects.models.ProjectKind",
        "RequestKindEnum": "projects.models.RequestKind",
        "ApplicationStatusEnum": "projects.models.ApplicationStatus",
        "RequestStatusEnum": "projects.models.RequestStatus",
    },
}

# --- Content Security Policy (django-csp 4) ----------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Production hardening ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy (nginx, a load balancer) that sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
