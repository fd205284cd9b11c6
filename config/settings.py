"""Settings for the cabinet infirmier application.

Everything that differs between a laptop, CI and production comes from the
environment (see `.env.example`). With nothing set, the app runs on SQLite with
Celery tasks executed inline, so a newcomer needs no service running.
Production (`DJANGO_DEBUG=false`) refuses to start without a secret key and
allowed hosts rather than falling back to something unsafe.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments set variables.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# `make run`: the demo served as in production (DEBUG off, static files
# collected and served by whitenoise, gunicorn, the product's own French error
# pages) but over plain HTTP on this computer only. Refused with DEBUG on, and
# refused for any host other than the loopback, so it cannot weaken a real
# deployment.
LOCAL_DEMO = env.bool("DJANGO_LOCAL_DEMO", default=False)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
if LOCAL_DEMO and DEBUG:
    raise ImproperlyConfigured("DJANGO_LOCAL_DEMO=true needs DJANGO_DEBUG=false.")
# Demo data share one known password: never in production. Kept apart from
# DEBUG because the test runner switches DEBUG off.
DEMO_DATA_ALLOWED = DEBUG or LOCAL_DEMO

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
            "when DJANGO_DEBUG=false."
        )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "testserver"] if DEBUG
    else list(LOOPBACK_HOSTS) if LOCAL_DEMO else [],
)
if LOCAL_DEMO and not set(ALLOWED_HOSTS) <= set(LOOPBACK_HOSTS):
    raise ImproperlyConfigured(
        "DJANGO_LOCAL_DEMO=true serves only this computer: DJANGO_ALLOWED_HOSTS must be loopback."
    )
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # S-AUTH-3: brute-force protection; S-AUTH-2: second factor (TOTP and
    # static backup codes), well-kept libraries rather than our own code.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # S-AUTH-2: passkeys (FIDO2 WebAuthn) as a django-otp device.
    "django_otp_webauthn",
    # Order matters: it is the import direction and the demo-data order.
    "core",
    "documents",
    "cabinet",
    "billing",
    "replacements",
    "cooperation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # S-AUTH-1: every view needs a login unless it opts out explicitly.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out attempt into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several Celery/eager writers and the dev server share the file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# S-AUTH-3: django-axes counts failed logins in the database (atomically, a
# row locked per attempt) on every login form, the Django admin's included,
# and wrong second-factor codes too. The lock is per username, whether the
# account exists or not, so an unknown name gets the same answer as a real one.
# The lockout check first, then Django's own password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, whose user load also tells TwoFactorMiddleware whether
    # the user has a confirmed second factor (no query of its own).
    "core.backends.UserBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "core.backends.axes_username"
# axes.W006 asks for the client address too. Not here: behind the cabinet's
# reverse proxy every nurse arrives from one address, so one wrong guesser
# would lock the whole practice out; the lock is on the account attacked.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The password step succeeding must not wipe the failures of the code step.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# S-AUTH-2: second factor with django-otp (TOTP with replay protection and
# throttling, static backup codes). Required by default in production
# (DJANGO_DEBUG=false): password-only access to health data by professionals
# is no longer acceptable; TWO_FACTOR_REQUIRED=false switches it off (a demo).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("CABINET_NAME", default="Cabinet infirmier des Tilleuls")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_BACKUP_CODES = 10
# S-AUTH-2: passkeys (django-otp-webauthn) as another second factor, never a
# password replacement: the password step stays, and a passkey is registered
# only from a session already verified with the authenticator app.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "core.passkeys.PasskeyHelper"
# The relying party: the domain passkeys are bound to (changing it later
# orphans every registered passkey). Empty = the host the page was served
# from (core.passkeys.relying_party_id), fine on a laptop; production needs
# a fixed one, taken from a single DJANGO_ALLOWED_HOSTS entry or set here.
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default="").strip().lower()
OTP_WEBAUTHN_RP_ID_CALLABLE = "core.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = env.str("OTP_WEBAUTHN_RP_NAME", default="") or env.str(
    "CABINET_NAME", default="Cabinet infirmier des Tilleuls"
)
# The origins a passkey answer may come from; empty = the page's own origin.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=[])

# S-AUTH-4: sessions end after inactivity and on browser close.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# The idle expiry slides forward at most once a minute (SlidingSessionMiddleware),
# not with a write at every request.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from (the image's /app/staticfiles).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# S-DATA-4: uploads live outside the web root; no MEDIA_URL is ever served
# directly, files go through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024

# S-DATA-3: backups hold health data; backup_cabinet encrypts them (age) for
# these recipients (age1… public keys or files of keys), refusing a plain
# archive in production unless --plain is given.
BACKUP_RECIPIENTS = env.list("BACKUP_RECIPIENTS", default=[])
# Read at start-up like DEMO_DATA_ALLOWED: the test runner switches DEBUG off.
BACKUP_PLAIN_ALLOWED = DEBUG

# Celery: no broker configured means tasks run inline (eager), so the app works
# with nothing running; a broker URL turns real workers on.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULE = {
    # Renders lost with a dead worker or a broker outage are resumed.
    "documents-resume-stale": {"task": "documents.tasks.resume_stale_documents", "schedule": 300.0},
}
# Hard time limit of one PDF render (s); a render "en cours" for longer
# belongs to a dead worker and is taken over.
DOCUMENTS_RENDER_TIME_LIMIT = env.int("DOCUMENTS_RENDER_TIME_LIMIT", default=120)

# R-REPL-43: days before and after a replacement contract during which the remplaçant
# still sees the replaced titulaire's patients (hand-over, late notes).
REPLACEMENT_ACCESS_MARGIN_DAYS = env.int("REPLACEMENT_ACCESS_MARGIN_DAYS", default=3)
if not 0 <= REPLACEMENT_ACCESS_MARGIN_DAYS <= 31:
    raise ImproperlyConfigured("REPLACEMENT_ACCESS_MARGIN_DAYS doit être entre 0 et 31 jours.")

# Django's widget templates, with the commonest widgets written out in Python
# (same output; a formset of drop-downs spent most of its page's time there).
FORM_RENDERER = "core.forms_renderer.FastWidgetRenderer"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Figures computed from the books (home cards, pre-send audit, ledger,
# rétrocession) are recomputed after any audited write, and at the latest
# after this many seconds (core.figures); 0 computes them at every page.
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=60)

# The cabinet itself (one deployment = one cabinet).
CABINET_NAME = env.str("CABINET_NAME", default="Cabinet infirmier des Tilleuls")

# S-PRIV-1: patient addresses go to a third-party geocoder or router only when
# the deployment configures one explicitly.
GEOCODER = env.str("GEOCODER", default="offline")  # "offline" | "ban"
OSRM_URL = env.str("OSRM_URL", default="")
# Tournées: travel times without OSRM = straight line × road factor at this speed.
ROUTING_ROAD_FACTOR = env.float("ROUTING_ROAD_FACTOR", default=1.3)
ROUTING_AVERAGE_SPEED_KMH = env.float("ROUTING_AVERAGE_SPEED_KMH", default=30.0)
ROUTING_OSRM_TIMEOUT_S = env.float("ROUTING_OSRM_TIMEOUT_S", default=5.0)
# Optimiser time limits (seconds): one nurse's tournée, a whole cabinet day.
ROUTING_TIME_LIMIT_S = env.float("ROUTING_TIME_LIMIT_S", default=1.0)
ROUTING_DISPATCH_TIME_LIMIT_S = env.float("ROUTING_DISPATCH_TIME_LIMIT_S", default=5.0)

if not DEBUG and not LOCAL_DEMO:
    # S-AUTH-2: a passkey is bound to its relying party id for good; one
    # guessed per request in production would let a stray Host header
    # register passkeys nobody can use. Refuse to start instead.
    from config.relying_party import production_relying_party

    OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = production_relying_party(
        OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS, ALLOWED_HOSTS
    )
else:
    # On a laptop the origin is the page's own (any port): the library's
    # check for a fixed list does not apply.
    SILENCED_SYSTEM_CHECKS.append("otp_webauthn.E030")

if not DEBUG and not LOCAL_DEMO:
    # S-DEPLOY-1
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
