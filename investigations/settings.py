"""Settings for the investigative database.

One file, driven by the environment. The defaults are safe for development on a laptop:
SQLite in ./var, DEBUG on. Production sets DEBUG=0 and must provide SECRET_KEY and
ALLOWED_HOSTS; DATABASE_URL switches the database (for example to PostgreSQL).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def envbool(name, default):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "investigations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so that a page served from the cache carries the policy too.
    "csp.middleware.CSPMiddleware",
    # Before the page cache and CommonMiddleware, so that every /api/ answer (a preflight
    # OPTIONS too) carries the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # Before the page cache, so that an API answer from the cache is throttled and counted.
    "investigations.api.throttling.RateLimitMiddleware",
    # Static files are answered here, before anything reads a session or the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "investigations.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by a sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "investigations.urls"
WSGI_APPLICATION = "investigations.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default. WAL lets readers work while one writer writes, the busy
# timeout makes a second writer wait instead of failing, and IMMEDIATE transactions take the
# write lock up front so a read-then-write transaction cannot deadlock on the upgrade.
# Connections persist (conn_max_age) on SQLite too: opening one runs these PRAGMAs and
# closing the last one checkpoints the WAL, several times what a cached page costs. Between
# requests a connection is in autocommit and holds no lock.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
# PostgreSQL's JIT compiler spent about 0.25 s on some list and admin plans whose queries run
# in milliseconds: this site's queries are short, and never repay it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgresql_options = DATABASES["default"].setdefault("OPTIONS", {})
    postgresql_options["options"] = f"-c jit=off {postgresql_options.get('options', '')}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# UK day-first formats come first, so 22/11/2022 is read as 22 November.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["investigations.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Production serves static files with whitenoise from STATIC_ROOT, compressed and under
# names that carry a hash of their content (cached for ever); `make serve` runs
# collectstatic first. Development and the tests read them where they are.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "0" if DEBUG else "1")
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns of a missing one
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Sources' files (investigations/uploads.py): checked by content, at most this size, and
# served only by the source_file view, which checks publication. MEDIA_URL is never served.
# Uploads past FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) wait in a temporary file, not
# in memory, until the form has checked them; past the larger of this limit and the import
# limit, nothing more of them is kept at all.
SOURCE_FILE_MAX_BYTES = int(os.environ.get("SOURCE_FILE_MAX_BYTES", 50 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "investigations.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGIN_URL = "admin:login"
# Where a sign-in goes when ?next= is missing or unsafe: the admin is the only place to go.
LOGIN_REDIRECT_URL = "admin:index"

# Opt in now to Django 6's default: a URL typed without a scheme is read as https.
FORMS_URLFIELD_ASSUME_HTTPS = True

# A file cache, so that every server process sees the same pages and the same
# invalidation (see investigations/caching.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # The API's request counters, one small file a reader, in a directory of their own:
    # FileBasedCache lists its whole directory on every write, and the pages' directory
    # holds thousands of files, which made each throttled request slower than a cached page.
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "throttle",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
}
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", 600))

# Production hardening: on whenever DEBUG is off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check may ask over HTTP
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-import-export serves only the admin's exports now (imports are batches, through
# investigations.importers); exporting needs its own permission.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))

# The standards' formats (investigations/standards). The site's public address, for links
# in exports made outside a request; the prefix of every exported record's id (FtM entity
# ids, OCDS party ids): a copy of the database with its own data should set its own; and
# the OCDS ocid prefix, which should be one registered with the Open Contracting
# Partnership (https://standard.open-contracting.org/latest/en/guidance/build/#register-an-ocid-prefix):
# the default is a placeholder that no publisher holds.
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", "http://127.0.0.1:8000/")
FTM_ID_PREFIX = os.environ.get("FTM_ID_PREFIX", "investigations")
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-000000")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "Investigations")

# Imports too big for a web request run as tasks (investigations/tasks.py), stored in the
# database and run by `manage.py db_worker`, which `make run` starts beside the server: a
# queued import outlives a restart of the web process. The tests run tasks inline.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Logs go to stdout, for whatever runs the processes (systemd, a container) to collect.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Login throttling (django-axes). Five failed sign-ins lock out that username, from any
# address, and that address, for any username, for 15 minutes; a success clears the
# count. README "Locked out?" says how to unlock at once. Failures are kept in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "investigations.throttling.locked_out"
AXES_CLIENT_IP_CALLABLE = "investigations.throttling.client_address"
# How many reverse proxies stand in front of the site (see investigations/throttling.py).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

# Content-Security-Policy (django-csp), on every response that has none of its own (a
# file download sets a stricter one). No inline script or style anywhere: templates link
# files under static/. frame-ancestors is what X-Frame-Options says, for newer browsers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # The one inline style left, in django-simple-history's history page:
        # style="border-top: 0". Allowed by its hash alone, so no other style attribute is.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
    }
}

# The read-only JSON API (investigations/api/, README "Using the data"). Anonymous, so no
# session and no CSRF: every request is throttled by the client's address, told apart
# behind proxies as django-axes tells it. JSON only; /api/docs/ is the browsable view.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "investigations.api.pagination.ListPagination",
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_RATE_LIMIT", "120/minute")},
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Investigations API",
    "DESCRIPTION": (
        "Published records of the investigative database, read-only, with the citations of "
        "their claims. Drafts never appear, not even as a link.\n\n"
        "- **Paging**: `?limit=` (at most 100) and `?offset=`; `next` and `previous` are "
        "the neighbouring pages. A list counts up to 10,000 rows and pages no deeper, as the "
        "site's lists do: past that, `count` is 10,000 and `count_is_exact` is false (there "
        "are at least that many); narrow the filters, or download the list "
        "(`/contracts/?format=csv` and so on).\n"
        "- **Filters**: the same parameters as the site's lists.\n"
        "- **Gone or not found**: a record published once and since deleted answers 410; "
        "anything else not public (a draft, an unpublished record) answers 404, like an "
        "address that never existed. An old slug redirects (301) to the new one.\n"
        "- **Throttling**: anonymous requests are limited per address; every answer says "
        "`X-RateLimit-Limit` and `X-RateLimit-Remaining`, and a refused one (429) says "
        "`Retry-After` in seconds.\n"
        "- **CORS**: any origin may read (GET, HEAD, OPTIONS)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to swagger.io's validator: the CSP would refuse it, and we serve no CDN.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    # Several models' choices are called Kind: each gets its model's name in the schema.
    "ENUM_NAME_OVERRIDES": {
        f"{model}Kind": f"investigations.models.{module}.{model}.Kind"
        for module, model in [
            ("organisations", "Organisation"),
            ("organisations", "OrganisationAlias"),
            ("people", "Role"),
            ("sites", "Site"),
            ("sites", "SiteRole"),
            ("concerns", "Concern"),
            ("sources", "Source"),
            ("relationships", "Relationship"),
        ]
    },
}
# Any origin may read the API, without credentials; nothing else is shared across origins.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After"]
# The public's data (README "Using the data"): `manage.py export_dumps` writes dated bulk
# dumps under DUMPS_ROOT, which the /data/ page links; the licence and the way to cite the
# database are stated there and in each dump's manifest. DATA_CITATION may hold {date}
# (the dump's) and {url} (the /data/ page's).
DUMPS_ROOT = Path(os.environ.get("DUMPS_ROOT", VAR_DIR / "dumps"))
DATA_LICENCE = os.environ.get(
    "DATA_LICENCE", "Creative Commons Attribution 4.0 International (CC BY 4.0)"
)
DATA_LICENCE_URL = os.environ.get(
    "DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
DATA_CITATION = os.environ.get(
    "DATA_CITATION",
    "Private companies in public services: an investigative database. Data of {date}. {url}",
)
