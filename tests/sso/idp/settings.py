"""Settings of the test identity provider: a tiny Django project running
django-oidc-provider on loopback, started by ``tests/sso/provider.py`` in a
process of its own, so the app under test talks to a real OpenID provider
over HTTP (discovery aside: the app is given its endpoints, as in production).

Everything comes from the environment the launcher sets: the port and the
SQLite file (``IDP_PORT``, ``IDP_DB``; the people file, ``IDP_PEOPLE``, is
read by ``claims.py`` and ``setup.py``).
Its cookies have their own names: the browser sends cookies by host, not by
port, and the app under test runs on the same loopback address.
"""

from __future__ import annotations

import os

PORT = os.environ["IDP_PORT"]
SITE_URL = f"http://127.0.0.1:{PORT}"
SECRET_KEY = "test-identity-provider-only-never-deployed-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.sso.idp.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["IDP_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only
USE_TZ = True
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"
LOGIN_URL = "/login/"

# The claims a trust's Entra ID sends: groups (and the optional employeeid
# and oid) in the ID token, and, as other providers do, groups in userinfo.
OIDC_USERINFO = "tests.sso.idp.claims.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.sso.idp.claims.id_token_claims"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.sso.idp.claims.TrustClaims"
