"""Settings for every environment, read from the environment in one place.

``FTP_ENV`` picks the environment:

* ``local`` (default): SQLite, a filesystem Celery broker under ``var/``,
  demo data allowed. ``make run`` uses it; nothing else has to be running.
* ``test``: PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``), as
  ``make test`` and CI run it.
* ``production``: refuses to start without ``SECRET_KEY``, ``DATABASE_URL``,
  ``REDIS_URL`` and ``ALLOWED_HOSTS``; demo data can never be loaded.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from accounts.roles import Role

from .env import (
    env_bool,
    env_choice,
    env_document_storage,
    env_header,
    env_int,
    env_int_map,
    env_list,
    env_origins,
    env_pairs,
    env_secret,
    env_str,
    env_url,
)

# Lets Django's generic classes be subscripted at run time as the type checker
# reads them (``admin.ModelAdmin[Case]``, ``ModelIterable[Case]``); it adds
# ``__class_getitem__`` and nothing else.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FTP_VAR_DIR", str(BASE_DIR / "var")))

FTP_ENV = env_choice("FTP_ENV", "local", ("local", "test", "production"))
PRODUCTION = FTP_ENV == "production"
if FTP_ENV == "local":
    # The local SQLite file and broker folders live here; make it on first use.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("SECRET_KEY must be at least 40 characters in production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-local-key-not-for-production-use-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

# Rotating SECRET_KEY (docs/operations.md): the previous keys, comma-separated,
# still accepted for what they signed (sessions, password-reset links) until
# those expire; only SECRET_KEY signs anything new.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if PRODUCTION and any(len(key) < 40 for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured("Each of SECRET_KEY_FALLBACKS must be at least 40 characters.")

DEBUG = env_bool("DEBUG", FTP_ENV == "local")

# Demo data and demo logins belong to the local configuration only.
FTP_DEMO_DATA_ALLOWED = FTP_ENV == "local" and env_bool("FTP_DEMO_DATA_ALLOWED", True)

INSTALLED_APPS = [
    # Our apps come first so that their templates win over viewflow's.
    "core",
    "tenancy",
    "accounts",
    "audit",
    "staff",
    "workflow",
    "casefile",
    "voice",
    "wellbeing",
    "panels",
    "suspensions",
    "formal",
    "letters",
    "notifications",
    "reports",
    "speakup",
    "assurance",
    "records",
    "regional",
    "api",
    "web",
    "demo",
    "ops",
    "rest_framework",
    # Authentication: expiring, revocable API tokens; login lockout.
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "csp",  # Security headers and deployment: django-csp's checks of its settings
]

MIDDLEWARE = [
    # Logs and metrics (ops/middleware.py): one log line per request, whatever
    # answers it, and the request id on every log line made meanwhile. First,
    # so nothing answers a request before it.
    "ops.middleware.RequestLogMiddleware",
    # Requests counted and timed through every middleware (django-prometheus's
    # pair: this one outermost but ours, its partner just inside axes).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Security headers and deployment: the Content-Security-Policy header.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Authentication: refreshes a logged-in session's idle timeout at most once a minute.
    "accounts.middleware.SessionIdleMiddleware",
    # Trusts: the request acts for the person's chosen trust, its host's, or
    # their only one (accounts/trusts.py; row-level security reads it).
    "accounts.trusts.TrustMiddleware",
    # Request limits: oversized bodies (413) and NUL bytes (400) refused before
    # anything reads them; a view's invalid query string answered with 400.
    "config.middleware.RequestLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Logs and metrics: counts and times each response by view, method and
    # status. Before axes, so a locked-out login is counted with the status
    # its client got.
    "ops.middleware.PrometheusAfterMiddleware",
    # Authentication: turns a locked-out login into the locked-out page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]
if PRODUCTION:
    # Static files from the application server itself (make serve: gunicorn),
    # compressed and cached for a year under their hashed names; right after
    # the security middleware, as whitenoise asks.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.roles",
            ],
        },
    },
]

_default_db = (
    f"sqlite:///{VAR_DIR / 'ftp.sqlite3'}"
    if FTP_ENV == "local"
    else "postgres://postgres@127.0.0.1:5432/ftp"
)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", None if PRODUCTION else _default_db),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's SQLite is written by the web server and the worker at once:
    # a transaction takes the write lock when it starts (not at its first
    # write, when SQLite gives up at once) and waits up to 20 s for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
# Trusts: the tables' owner, for `migrate` (and `flush` outside production)
# only. The application's DATABASE_URL role owns nothing and is bound by
# row-level security; unset, the application's login is the owner too
# (docs/tenancy.md, tenancy/roles.py).
_migrate_url = env_str("DATABASE_MIGRATE_URL", "")
DATABASE_MIGRATE = dj_database_url.parse(_migrate_url) if _migrate_url else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Production serves what `collectstatic` gathered, under content-hashed names
# (whitenoise: compressed, cached for a year); elsewhere the files are read
# from the apps as they are, so no collectstatic is needed to run or test.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Case documents (casefile; ADR 0024): a private folder under FTP_VAR_DIR, or an
# S3-compatible bucket (FTP_DOCUMENT_STORAGE=s3). Never under STATIC_URL or a
# media URL: nothing serves it; the application streams each file to whoever
# may read it.
STORAGES["case_documents"] = env_document_storage(VAR_DIR)

# --- Security headers and deployment ------------------------------------------
# `manage.py check --deploy` passes with production's defaults; see
# docs/adr/0013-production-settings-and-csp.md.
if PRODUCTION and DEBUG:
    # DEBUG shows settings, SQL and stack traces to anyone who triggers an error.
    raise ImproperlyConfigured("DEBUG must be false in production: unset DEBUG or set DEBUG=false.")
# HTTPS only in production: redirect plain HTTP, then tell browsers (HSTS) never
# to try it again for a year, subdomains included. `preload` only consents to
# browsers' built-in lists; nothing is listed until the domain's owner applies.
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
# Health probes come from inside the platform, over plain HTTP (ops/); so does
# Prometheus, scraping each web host itself (docs/operations.md, Logs and metrics).
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a proxy that terminates TLS, name the header it sets to "https" (for
# example X-Forwarded-Proto). Only when the proxy always sets or strips it:
# otherwise a client could claim HTTPS over plain HTTP.
_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
# Cookies: HTTPS-only in production; never readable by scripts; not sent on
# cross-site requests (Lax keeps links from emails working; Strict may be chosen).
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script of ours reads the cookie
SESSION_COOKIE_SAMESITE = env_choice("SESSION_COOKIE_SAMESITE", "Lax", ("Lax", "Strict"))
CSRF_COOKIE_SAMESITE = env_choice("CSRF_COOKIE_SAMESITE", "Lax", ("Lax", "Strict"))
# Other origins allowed to post forms here (e.g. https://ftp.example.nhs.uk when
# a proxy rewrites the Host header); none by default.
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS", [])
# Case addresses name case numbers: never send them to another site.
SECURE_REFERRER_POLICY = env_choice(
    "SECURE_REFERRER_POLICY",
    "same-origin",
    ("same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"),
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = env_choice(
    "SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin", ("same-origin", "same-origin-allow-popups")
)
# Not configurable: no page is meant to be framed or content-sniffed.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp), enforced in every environment so the
# browser journeys prove every page works under it. Scripts only from our own
# static files: no inline script, no eval. Inline style is allowed (templates
# and viewflow's base page use it); it cannot run script. The API docs page
# adds a per-response nonce for its one start-up script (api/schema.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    }
}
# The API's OpenAPI schema (/api/schema/) and docs page (/api/docs/): open to
# anyone, or to signed-in users and token holders only (production's default).
FTP_API_SCHEMA_PUBLIC = env_bool("FTP_API_SCHEMA_PUBLIC", not PRODUCTION)
# --- end Security headers and deployment ---------------------------------------

# --- Cache ----------------------------------------------------------------
# Shared by every web process outside local (login-failure counters live here).
# A separate Redis database from the broker's, so clearing the cache never
# touches queued tasks (REDIS_CACHE_URL defaults to REDIS_URL).
_REDIS_FOR_CACHE = env_str("REDIS_CACHE_URL", env_str("REDIS_URL", ""))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_FOR_CACHE}
        if _REDIS_FOR_CACHE
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fair Treatment Panel API",
    "DESCRIPTION": "Every case action a person can take in the web UI, with the same rules.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConcernCategoryEnum": "workflow.models.ConcernCategory",
        "StageEnum": "workflow.models.Stage",
        "OutcomeEnum": "workflow.models.Outcome",
        "TriageRouteEnum": "workflow.models.TriageRoute",
        "RedirectPolicyEnum": "workflow.models.RedirectPolicy",
    },
}

# --- Authentication (accounts/lockout.py, accounts/middleware.py, api/auth.py) ---
# Login lockout on every login (web, admin, API) with django-axes; see
# docs/adr/0010-login-lockout-and-expiring-tokens.md. Failures are counted in
# the shared cache before the password is checked, in a window of
# FTP_LOGIN_FAILURE_WINDOW seconds from the first failure: FTP_LOGIN_MAX_FAILURES
# per username from one address, FTP_LOGIN_MAX_FAILURES_PER_ADDRESS per address.
FTP_LOGIN_MAX_FAILURES = env_int("FTP_LOGIN_MAX_FAILURES", 5, minimum=1)
FTP_LOGIN_FAILURE_WINDOW = env_int("FTP_LOGIN_FAILURE_WINDOW", 900, minimum=1)
FTP_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("FTP_LOGIN_MAX_FAILURES_PER_ADDRESS", 50, minimum=1)
if FTP_LOGIN_MAX_FAILURES_PER_ADDRESS < FTP_LOGIN_MAX_FAILURES:
    raise ImproperlyConfigured(
        "FTP_LOGIN_MAX_FAILURES_PER_ADDRESS must not be below FTP_LOGIN_MAX_FAILURES."
    )
# Reverse proxies in front of the app that append to X-Forwarded-For; 0 means
# clients connect directly and REMOTE_ADDR is their address. Too high a number
# lets a client choose its address (and so escape the lockout).
FTP_TRUSTED_PROXY_COUNT = env_int("FTP_TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses before the password is checked
    # Django's ModelBackend, refusing passwords while local login is off (Single sign-on).
    "accounts.backends.PasswordBackend",
    # The permissions a person's roles carry in the trust they act for (tenancy/).
    "accounts.backends.RolePermissionBackend",
]
AXES_ENABLED = True
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = FTP_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=FTP_LOGIN_FAILURE_WINDOW)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The counters live in the cache, not in axes' tables: its admin pages would be empty.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# API tokens (django-rest-knox): stored hashed, expire after this many hours,
# revoked by logout, logout-all, a password change or deactivation.
FTP_API_TOKEN_TTL_HOURS = env_int("FTP_API_TOKEN_TTL_HOURS", 10, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=FTP_API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# Sessions end after FTP_SESSION_IDLE_MINUTES without a request, and (by
# default) when the browser closes. The expiry is pushed back at most once per
# FTP_SESSION_REFRESH_SECONDS (accounts/middleware.py), not on every request.
FTP_SESSION_IDLE_MINUTES = env_int("FTP_SESSION_IDLE_MINUTES", 30, minimum=2)
FTP_SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("FTP_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
FTP_SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = FTP_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = FTP_SESSION_EXPIRE_AT_BROWSER_CLOSE
SESSION_SAVE_EVERY_REQUEST = False
# --- end Authentication -----------------------------------------------------

# --- Single sign-on (staff/sso.py) ---------------------------------------------
# OpenID Connect with mozilla-django-oidc; NHSmail is Microsoft Entra ID. Every
# variable and the Entra app registration: docs/sso.md; why: docs/adr/0018.
# SSO is on when FTP_OIDC_CLIENT_ID is set; the secret and every endpoint are
# then required. The subject claim names a person for good ("oid" on Entra);
# the role map says which provider groups give which role; a person with no
# mapped group is refused. Local passwords are off by default in production
# with SSO on, except for the break-glass usernames.
FTP_OIDC_CLIENT_ID = env_str("FTP_OIDC_CLIENT_ID", "")
FTP_SSO_ENABLED = bool(FTP_OIDC_CLIENT_ID)
FTP_OIDC_CLIENT_SECRET = env_secret("FTP_OIDC_CLIENT_SECRET")
_OIDC_ENDPOINTS = {
    name: env_url(name, https_only=PRODUCTION)
    for name in (
        "FTP_OIDC_AUTHORIZATION_ENDPOINT",
        "FTP_OIDC_TOKEN_ENDPOINT",
        "FTP_OIDC_USER_ENDPOINT",
        "FTP_OIDC_JWKS_ENDPOINT",
    )
}
FTP_OIDC_SUBJECT_CLAIM = env_str("FTP_OIDC_SUBJECT_CLAIM", "sub")
FTP_OIDC_GROUPS_CLAIM = env_str("FTP_OIDC_GROUPS_CLAIM", "groups")
FTP_OIDC_STAFF_NUMBER_CLAIM = env_str("FTP_OIDC_STAFF_NUMBER_CLAIM", "employeeid")
FTP_OIDC_EMAIL_CLAIM = env_str("FTP_OIDC_EMAIL_CLAIM", "email")
FTP_OIDC_ROLE_MAP = env_pairs("FTP_OIDC_ROLE_MAP", tuple(role.value for role in Role))
if FTP_SSO_ENABLED:
    _oidc_missing = [name for name, url in _OIDC_ENDPOINTS.items() if not url]
    if not FTP_OIDC_CLIENT_SECRET:
        _oidc_missing.append("FTP_OIDC_CLIENT_SECRET (or FTP_OIDC_CLIENT_SECRET_FILE)")
    if not FTP_OIDC_ROLE_MAP:
        _oidc_missing.append("FTP_OIDC_ROLE_MAP (with no group mapped nobody could sign in)")
    if _oidc_missing:
        raise ImproperlyConfigured(
            "Single sign-on is on (FTP_OIDC_CLIENT_ID is set); also set "
            + ", ".join(_oidc_missing)
            + "."
        )
FTP_LOCAL_LOGIN_ENABLED = env_bool("FTP_LOCAL_LOGIN_ENABLED", not (PRODUCTION and FTP_SSO_ENABLED))
FTP_BREAK_GLASS_USERNAMES = frozenset(env_list("FTP_BREAK_GLASS_USERNAMES", []))
if not FTP_LOCAL_LOGIN_ENABLED and not FTP_SSO_ENABLED:
    raise ImproperlyConfigured(
        "FTP_LOCAL_LOGIN_ENABLED is false but single sign-on is off (no FTP_OIDC_CLIENT_ID): "
        "nobody but the break-glass accounts could log in."
    )
# mozilla-django-oidc's own settings, from the above. ID tokens are RS256,
# checked against the provider's published keys; nonce and PKCE are on.
OIDC_RP_CLIENT_ID = FTP_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = FTP_OIDC_CLIENT_SECRET
OIDC_OP_AUTHORIZATION_ENDPOINT = _OIDC_ENDPOINTS["FTP_OIDC_AUTHORIZATION_ENDPOINT"]
OIDC_OP_TOKEN_ENDPOINT = _OIDC_ENDPOINTS["FTP_OIDC_TOKEN_ENDPOINT"]
OIDC_OP_USER_ENDPOINT = _OIDC_ENDPOINTS["FTP_OIDC_USER_ENDPOINT"]
OIDC_OP_JWKS_ENDPOINT = _OIDC_ENDPOINTS["FTP_OIDC_JWKS_ENDPOINT"]
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("FTP_OIDC_TIMEOUT_SECONDS", 10, minimum=1)
# Where the callback sends people: their work, the login page (with what
# went wrong), or, signed in at the provider but holding no role here, the
# no-access page.
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL
FTP_SSO_NO_ACCESS_URL = "/accounts/no-access/"
if FTP_SSO_ENABLED:
    AUTHENTICATION_BACKENDS.append("staff.sso.SsoBackend")
# --- end Single sign-on ----------------------------------------------------------

# --- Request limits (config/middleware.py, core/inputs.py) ---------
# The largest request body accepted, in megabytes. The biggest legitimate body
# (a referral or decision, each text at most 10,000 characters) is a few tens
# of kilobytes; anything over this is refused with 413 before it is read, on
# the web and the API alike (DRF reads JSON from the stream, where Django's own
# DATA_UPLOAD_MAX_MEMORY_SIZE check never runs; the middleware applies it).
FTP_REQUEST_BODY_MAX_MB = env_int("FTP_REQUEST_BODY_MAX_MB", 1, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = FTP_REQUEST_BODY_MAX_MB * 1024 * 1024
# The largest case document (casefile), in megabytes. Its upload route (and
# only it: the middleware asks the route) accepts a body this large plus room
# for the form; every other route keeps FTP_REQUEST_BODY_MAX_MB. Uploaded
# files go to temporary files, never held whole in memory by the parser.
FTP_DOCUMENT_MAX_MB = env_int("FTP_DOCUMENT_MAX_MB", 20, minimum=1)
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
# --- end Request limits --------------------------------------------------------

# --- Celery -------------------------------------------------------------
# With REDIS_URL set, Redis is the broker. Without it (local only), kombu's
# filesystem transport under var/ lets a real worker and beat run with no
# other service, so timers and reminders really fire in `make run`.
REDIS_URL = env_str("REDIS_URL", "") if not PRODUCTION else env_str("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    if FTP_ENV != "local":
        raise ImproperlyConfigured(
            "Set REDIS_URL: only the local environment may run without Redis."
        )
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Which queues each exchange routes to; kombu's default is ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # How long an idle or full worker waits before looking at the folder
        # again. kombu's default (1 s) held `make run` to one task a second
        # (with prefetch full the worker sleeps between tasks); a tenth of a
        # second is a listdir of a few files. Issue 18.
        "polling_interval": 0.1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Every task goes to this one queue (Celery's default, named so the queue
# depth metric reads the same list the workers take from: ops/metrics.py).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How often beat asks viewflow to fire due timers (seconds).
FTP_TIMER_POLL_SECONDS = env_int("FTP_TIMER_POLL_SECONDS", 60, minimum=1)

# --- Trusts (tenancy/, docs/tenancy.md, ADR 0020) -------------------------
# The trust that a deployment which ran before trusts existed becomes: its
# existing rows are this trust's when `migrate` first adds the trust column.
FTP_TRUST_CODE = env_str("FTP_TRUST_CODE", "TRUST")
FTP_TRUST_NAME = env_str("FTP_TRUST_NAME", "The trust")

# --- Domain settings (trust policy) --------------------------------------
# Panel membership rules vary by trust (docs/domain/fair-treatment-panels.md).
FTP_PANEL_MIN_MEMBERS = env_int("FTP_PANEL_MIN_MEMBERS", 3, minimum=1)
FTP_PANEL_MAX_MEMBERS = env_int("FTP_PANEL_MAX_MEMBERS", 5, minimum=1)
if FTP_PANEL_MAX_MEMBERS < FTP_PANEL_MIN_MEMBERS:
    raise ImproperlyConfigured("FTP_PANEL_MAX_MEMBERS must not be below FTP_PANEL_MIN_MEMBERS.")
# Composition rules a panel must meet to be convened (panels/rules.py): how many
# trained independent members (cultural ambassadors) with current training, how
# many from outside the employee's ICSU, how many from a staff network, and the
# lowest Agenda for Change band that may chair.
FTP_PANEL_MIN_INDEPENDENT = env_int("FTP_PANEL_MIN_INDEPENDENT", 1)
FTP_PANEL_MIN_OUTSIDE_ICSU = env_int("FTP_PANEL_MIN_OUTSIDE_ICSU", 1)
FTP_PANEL_MIN_NETWORK = env_int("FTP_PANEL_MIN_NETWORK", 0)
FTP_PANEL_CHAIR_MIN_BAND = env_choice(
    "FTP_PANEL_CHAIR_MIN_BAND",
    "8a",
    ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"),
)
# Views needed before the chair may record the decision; 0 means every sitting member.
FTP_PANEL_QUORUM = env_int("FTP_PANEL_QUORUM", 0)
for _name in ("FTP_PANEL_MIN_INDEPENDENT", "FTP_PANEL_MIN_OUTSIDE_ICSU", "FTP_PANEL_MIN_NETWORK"):
    if globals()[_name] > FTP_PANEL_MAX_MEMBERS:
        raise ImproperlyConfigured(f"{_name} cannot exceed FTP_PANEL_MAX_MEMBERS.")
FTP_REFERENCE_PREFIX = env_str("FTP_REFERENCE_PREFIX", "FTP")
# Bank holidays not counted as working days: ENG (England), WLS (Wales), SCT
# (Scotland) or NIR (Northern Ireland).
FTP_BANK_HOLIDAY_REGION = env_choice("FTP_BANK_HOLIDAY_REGION", "ENG", ("ENG", "WLS", "SCT", "NIR"))
# These are the defaults a new trust's policy starts with; each trust's own are
# read through tenancy.policy.trust_policy() (docs/tenancy.md "Per-trust policy").
from tenancy.policy_values import REFERENCE_PREFIX as _REFERENCE_PREFIX  # noqa: E402

if not _REFERENCE_PREFIX.match(FTP_REFERENCE_PREFIX):
    raise ImproperlyConfigured(
        "FTP_REFERENCE_PREFIX must be up to 16 capital letters and digits (a hyphen inside)."
    )

# --- Audit (audit/) --------------------------------------------------------
# Time limits per step of the flow, in working days (England and Wales bank
# holidays excluded), counted from the day after the case reached the step.
# The trust's defaults: triage 5, informal resolution 20, convening the panel
# 5, the panel's decision 10, sign-off 5. ``resubmit`` is the manager's time
# to answer a triage return, which the trust's practice leaves open; ten
# working days (two weeks) keeps a returned case from being forgotten.
FTP_STEP_TIME_LIMITS = env_int_map(
    "FTP_STEP_TIME_LIMITS",
    {
        "triage": 5,
        "resubmit": 10,
        "informal": 20,
        "convene": 5,
        "decide": 10,
        "signoff": 5,
        # The formal process after sign-off (formal/): the investigation to
        # its outcome (eight weeks), the hearing from the outcome that calls
        # it, and the appeal from the day it is lodged (four weeks each).
        "investigate": 40,
        "hearing": 20,
        "appeal": 20,
    },
    minimum=1,
)
# The same limits per stage, for the audit timeline's stays (a stay in
# ``panel`` spans convening and deciding; ``submitted`` spans triage only, as
# a return to the manager restarts the triage clock).
FTP_STAGE_TIME_LIMITS = {
    "submitted": FTP_STEP_TIME_LIMITS["triage"],
    "informal": FTP_STEP_TIME_LIMITS["informal"],
    "panel": FTP_STEP_TIME_LIMITS["convene"] + FTP_STEP_TIME_LIMITS["decide"],
    "signoff": FTP_STEP_TIME_LIMITS["signoff"],
}
# Who is emailed when the audit chain fails verification; empty means every
# active HR adviser with an email address.
FTP_HR_LEAD_EMAILS = env_list("FTP_HR_LEAD_EMAILS", [])
# Local runs print mail to the console; elsewhere SMTP unless told otherwise.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if FTP_ENV == "local"
    else "django.core.mail.backends.smtp.EmailBackend",
)

# --- Audit chain (audit/keyring.py, audit/anchors.py) ----------------------
# The chain's HMAC key(s), from the environment or a secrets file, never the
# database; audit/keyring.py parses them strictly and documents rotation.
# Production refuses to start without a key (>= 32 bytes); local and test
# sign with a public development key unless given one.
from audit.keyring import keyring_from_config  # noqa: E402 - after the environment is read

FTP_AUDIT_KEYRING = keyring_from_config(
    key=env_str("FTP_AUDIT_KEY", ""),
    key_file=env_str("FTP_AUDIT_KEY_FILE", ""),
    keys=env_str("FTP_AUDIT_KEYS", ""),
    keys_file=env_str("FTP_AUDIT_KEYS_FILE", ""),
    current_id=env_str("FTP_AUDIT_CURRENT_KEY_ID", ""),
    production=PRODUCTION,
)
# Every check appends its anchor (head seq and hash, count, time, key id) to
# this JSON-lines file and compares the log with the last one; keep it where
# the database's administrators cannot write. Also emailed to these people.
FTP_AUDIT_ANCHOR_FILE = env_str("FTP_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
FTP_AUDIT_ANCHOR_EMAILS = env_list("FTP_AUDIT_ANCHOR_EMAILS", [])
# Events appended while another writer held the chain lock wait, sealed, for
# the sequencer, which runs after every commit that appended (ADR 0016). Beat
# runs it this often too, for a process that died between commit and run;
# a check reports a pending event older than this many minutes as a stall.
FTP_AUDIT_SEQUENCE_SECONDS = env_int("FTP_AUDIT_SEQUENCE_SECONDS", 60, minimum=1)
FTP_AUDIT_PENDING_STALE_MINUTES = env_int("FTP_AUDIT_PENDING_STALE_MINUTES", 10, minimum=1)
# Beat records a heartbeat this often (ops/); /health/ready fails once the
# last is more than twice this old.
FTP_BEAT_HEARTBEAT_SECONDS = env_int("FTP_BEAT_HEARTBEAT_SECONDS", 60, minimum=1)
# `make backup` (manage.py backup) writes pg_dump files here by default.
FTP_BACKUP_DIR = env_str("FTP_BACKUP_DIR", str(VAR_DIR / "backups"))
# --- end Audit chain ----------------------------------------------------------

# --- Reports (reports/) ------------------------------------------------------
# In anything governance viewers see (and every downloaded pack), counts from 1
# to this minus one are suppressed, with secondary suppression so none can be
# recovered by subtraction (reports/suppression.py).
FTP_REPORT_SUPPRESSION_THRESHOLD = env_int("FTP_REPORT_SUPPRESSION_THRESHOLD", 5, minimum=1)
# WRES indicator 3 years averaged by default (1 or 2; NHS England's two-year
# rolling figure is believed but not confirmed: docs/domain/wres-indicator-3.md).
# Both are reported.
FTP_WRES_WINDOW = int(env_choice("FTP_WRES_WINDOW", "2", ("1", "2")))
# --- end Reports -----------------------------------------------------------------

# --- Retention (records/) ------------------------------------------------------
# Whole years a closed case file is kept before it is due for destruction,
# counted from its closure (a case that went to formal investigation: from
# the commissioning, when it leaves this product); open cases are never due.
# Source: NHS England, Records Management Code of Practice 2021 (updated
# 2023), Appendix II, its staff records rows. The Code has no row of its own
# for disciplinary or employee relations case files (docs/retention.md says
# what it does say); six years after closure, the Limitation Act 1980's
# period for claims, is this product's default for the trust's records
# manager to confirm.
#   FTP_RETENTION_YEARS="no_formal=6,formal=6"
FTP_RETENTION_YEARS = env_int_map("FTP_RETENTION_YEARS", {"no_formal": 6, "formal": 6}, minimum=1)
# The weekly review that tells HR advisers which files fell due (records.tasks):
# the day (0 Sunday to 6 Saturday, as cron; default Monday) and the hour.
FTP_RETENTION_REVIEW_WEEKDAY = int(
    env_choice("FTP_RETENTION_REVIEW_WEEKDAY", "1", tuple("0123456"))
)
FTP_RETENTION_REVIEW_HOUR = env_int("FTP_RETENTION_REVIEW_HOUR", 6)
if FTP_RETENTION_REVIEW_HOUR > 23:
    raise ImproperlyConfigured("FTP_RETENTION_REVIEW_HOUR must be an hour of the day, 0 to 23.")
# --- end Retention ---------------------------------------------------------------

# --- Subject access (records/) ---------------------------------------------------
# Whether a subject access pack names the staff who acted in their professional
# role on the employee's case (HR adviser, decision-maker, referring manager,
# panel chair and members, line manager). True: by name and role. False: by
# role and a number stable within the pack ("Panel member 2"). Anyone else is
# always withheld (DPA 2018 Sch. 2 Part 3 para 16; docs/subject-access.md).
FTP_SAR_NAME_STAFF_IN_ROLE = env_bool("FTP_SAR_NAME_STAFF_IN_ROLE", True)
# --- end Subject access ----------------------------------------------------------

# --- The employee's voice and wellbeing (voice/, wellbeing/, suspensions/) ------
# The trust's defaults (each trust may change them: tenancy.TrustPolicy).
# Whether the panel may decide before the employee's own account is on the
# case; when it may, the chair must say why it goes ahead without one.
FTP_DECISION_WITHOUT_ACCOUNT = env_bool("FTP_DECISION_WITHOUT_ACCOUNT", False)
# A wellbeing check-in with the employee every this many working days while
# their case is open (a reminder to the named wellbeing contact).
FTP_WELLBEING_CHECKIN_WORKING_DAYS = env_int("FTP_WELLBEING_CHECKIN_WORKING_DAYS", 10, minimum=1)
# A suspension or restriction is reviewed every this many working days (four
# weeks), with the step deadlines' reminders and escalations.
FTP_SUSPENSION_REVIEW_WORKING_DAYS = env_int("FTP_SUSPENSION_REVIEW_WORKING_DAYS", 20, minimum=1)
# How long the employee's single-use link to give their account stays open.
FTP_ACCOUNT_LINK_DAYS = env_int("FTP_ACCOUNT_LINK_DAYS", 10, minimum=1)
# --- end The employee's voice and wellbeing ---------------------------------------

# --- Notifications (notifications/) -------------------------------------------
# Reminders and escalations, counted in working days around a step's due date
# (workflow.deadlines): a reminder to whoever owes the step this many working
# days before it is due; on the due date HR leads are told; this many working
# days after it, the decision-makers.
FTP_REMINDER_WORKING_DAYS_BEFORE = env_int("FTP_REMINDER_WORKING_DAYS_BEFORE", 2)
FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS = env_int(
    "FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS", 5, minimum=1
)
# Links in emails point here (no trailing slash); emails carry the case
# reference and this link only.
FTP_SITE_URL = env_str("FTP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fair-treatment-panel@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# The file-based email backend's folder (only read by that backend).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Local hour at which daily digests are sent to those who chose them.
FTP_DIGEST_HOUR = env_int("FTP_DIGEST_HOUR", 7)
if FTP_DIGEST_HOUR > 23:
    raise ImproperlyConfigured("FTP_DIGEST_HOUR must be an hour of the day, 0 to 23.")
# Channels, each a module with a ``CHANNEL`` (notifications.channels.base).
FTP_NOTIFICATION_CHANNELS = env_list(
    "FTP_NOTIFICATION_CHANNELS",
    ["notifications.channels.inapp", "notifications.channels.email"],
)
# A sender holds a delivery this long; past it, the delivery counts as
# abandoned (its worker died) and may be sent again (notifications/__init__.py).
FTP_NOTIFY_LEASE_SECONDS = env_int("FTP_NOTIFY_LEASE_SECONDS", 120, minimum=1)
# Attempts per delivery before it is marked failed and left for a person.
FTP_NOTIFY_MAX_ATTEMPTS = env_int("FTP_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
# The outbox sweep re-queues deliveries not sent this long after they were due.
FTP_OUTBOX_GRACE_SECONDS = env_int("FTP_OUTBOX_GRACE_SECONDS", 60, minimum=1)
FTP_OUTBOX_SWEEP_SECONDS = env_int("FTP_OUTBOX_SWEEP_SECONDS", 60, minimum=1)
FTP_DEADLINE_SWEEP_SECONDS = env_int("FTP_DEADLINE_SWEEP_SECONDS", 300, minimum=1)
# Redis redelivers a task a dead worker had taken once this many seconds have
# passed (kombu's visibility timeout). Keep it above the longest retry delay.
# How often a worker looks for such tasks: every interval x throttle seconds.
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int(
        "CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1
    )
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env_int(
        "CELERY_UNACKED_RESTORE_INTERVAL", 10, minimum=1
    )
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = env_int(
        "CELERY_UNACKED_RESTORE_THROTTLE", 10, minimum=1
    )
# --- end of Notifications -------------------------------------------------------

# --- Logs and metrics (ops/; docs/operations.md, "Logs and metrics") ----------
# Personal data never reaches application logs: log lines carry ids and
# references only, and no handler logs request bodies, query strings or paths
# (the request line names the URL pattern: ops/middleware.py). Every line
# carries the request id it was made under (ops/logs.py). FTP_LOG_FORMAT: one
# JSON object per line (python-json-logger), the default in production, for
# the trust's log collector; or plain text. The web, the worker and beat all
# log through this (config/celery.py).
FTP_LOG_FORMAT = env_choice("FTP_LOG_FORMAT", "json" if PRODUCTION else "plain", ("json", "plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "ops.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": FTP_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    # runserver's own request lines (local only) print the query string; the
    # request line above replaces them.
    "loggers": {"django.server": {"handlers": [], "propagate": False}},
}
# /metrics (ops/metrics.py). With FTP_METRICS_TOKEN set, a scrape must send
# "Authorization: Bearer <token>". Without one the page is open outside
# production, and answers 404 in production.
FTP_METRICS_TOKEN = env_str("FTP_METRICS_TOKEN", "")
if FTP_METRICS_TOKEN and len(FTP_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("FTP_METRICS_TOKEN must be at least 32 characters.")
FTP_METRICS_OPEN_WITHOUT_TOKEN = not PRODUCTION
# gunicorn's workers are separate processes: with this folder set (and empty
# at start: config/gunicorn.py), each writes its counters there and a scrape
# reads them all (prometheus_client's multiprocess mode, which reads the same
# variable from the environment itself).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")
# --- end Logs and metrics -------------------------------------------------------
