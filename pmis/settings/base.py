"""Settings shared by every mode. Everything that differs between machines comes from the
environment (see .env.example); with nothing set the app runs on the embedded default:
SQLite and Celery's filesystem transport, so web, worker and beat run with no server."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-only-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The site's address as people reach it, for every link in e-mails. PMIS_SITE_URL is its older name.
PMIS_BASE_URL = env("PMIS_BASE_URL", default=env("PMIS_SITE_URL", default="http://127.0.0.1:8000"))
SITE_URL = PMIS_BASE_URL  # the older name, kept for code and settings that still read it

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # guardian and axes under Chinese names (pmis/thirdparty.py)
    "pmis.thirdparty.GuardianConfig",
    "pmis.thirdparty.AxesConfig",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pmis.org",
    "pmis.catalog",
    "pmis.audit",
    "pmis.worktime",
    "pmis.notify",
    "pmis.documents",
    "pmis.search",
    "registrations",
    "projects",
    "approvals",
    "aftersales",
    "success",
    "platformops",
    "changes",
    "delivery",
    "dashboards",
    "api",
    "planning",
    "operations",
    "knowledge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A GET on an action (POST-only) URL opens the record it acts on instead of an empty 405.
    "pmis.errors.MethodNotAllowedMiddleware",
    # An action its record's current state no longer allows goes back to the record with a message.
    "pmis.errors.StaleActionMiddleware",
    # Axes must come last: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmis.urls"
# The error pages (handler400/403/404/500 in pmis/urls.py) and this one are Chinese, in our layout.
CSRF_FAILURE_VIEW = "pmis.errors.csrf_failure"
WSGI_APPLICATION = "pmis.wsgi.application"

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
                "pmis.context_processors.layout",
            ],
        },
    },
]
# Django's widget templates, the common widgets written out in Python (pmis/form_renderer.py)
FORM_RENDERER = "pmis.form_renderer.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pmis.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
# a kept connection is checked before a request reuses it, so a restarted server costs no error page
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
_SQLITE_SILENCED: list[str] = []
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process, the worker and beat share one file: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # the covering columns of PostgreSQL's indexes, and its NULLS NOT DISTINCT keys, which SQLite
    # leaves out: the embedded default's demo data needs neither, and says so on every command
    _SQLITE_SILENCED = ["models.W040", "models.W047"]
elif "postgresql" in DATABASES["default"]["ENGINE"] and not env.bool("PMIS_DATABASE_JIT", default=False):
    # No JIT compilation: a page's query reads a few dozen rows by index, but a search's or a
    # queue's OR-ed visibility conditions carry a planner cost in the millions (sub-plans it never
    # runs), over jit_above_cost, and compiling them took two seconds for a query that runs in
    # one millisecond. PMIS_DATABASE_JIT=1 leaves the server's own setting.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)

# Login throttling: five wrong passwords for one account lock it for the cool-off time.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Staff sign in from a few office networks behind NAT: locking by IP would lock whole offices
# out after one person's typos, so the lock is per account (axes.W006 says to add the IP).
SILENCED_SYSTEM_CHECKS = ["axes.W006", *_SQLITE_SILENCED]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# guardian: nobody grants object permissions to anonymous visitors here.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
PMIS_UPLOAD_MAX_MB = env.int("PMIS_UPLOAD_MAX_MB", default=50)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}


def kept_redis_clients(caches: dict) -> dict:
    """Django's Redis backend as pmis.cache keeps it: one client per connection pool."""
    django_redis = "django.core.cache.backends.redis.RedisCache"
    return {
        alias: {**config, "BACKEND": "pmis.cache.RedisCache"} if config["BACKEND"] == django_redis else config
        for alias, config in caches.items()
    }


CACHES = kept_redis_clients(CACHES)

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PMIS <pmis@localhost>")

# Celery. The filesystem transport is the embedded default: a real worker and beat, no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_celery_queue_dir = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_celery_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir / "queue"),
        "data_folder_out": str(_celery_queue_dir / "queue"),
        "processed_folder": str(_celery_queue_dir / "processed"),
        "store_processed": False,
        # kombu's broadcast exchange files, which otherwise land in the working directory
        "control_folder": str(_celery_queue_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A publish must not hang a web request when the broker is down; the outbox sweep resends.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# Working time for SLA clocks (Asia/Shanghai).
PMIS_WORKDAY_START = env("PMIS_WORKDAY_START", default="09:00")
PMIS_WORKDAY_END = env("PMIS_WORKDAY_END", default="18:00")

# Bounds of what forms accept (policy, not code): how far back a date of something that happened
# may go (a handover meeting, a reported problem), how far ahead a planned date may go, how many
# days before today a planned date may still be (0: not in the past), the largest count typed
# (seals, licences) and the largest customisation estimate; and how many names a filter suggests.
PMIS_PAST_DATE_MAX_DAYS = env.int("PMIS_PAST_DATE_MAX_DAYS", default=365)
PMIS_FUTURE_DATE_MAX_DAYS = env.int("PMIS_FUTURE_DATE_MAX_DAYS", default=5 * 365)
PMIS_PLANNED_DATE_GRACE_DAYS = env.int("PMIS_PLANNED_DATE_GRACE_DAYS", default=0)
PMIS_COUNT_MAX = env.int("PMIS_COUNT_MAX", default=1_000_000)
PMIS_PERSON_DAYS_MAX = env.int("PMIS_PERSON_DAYS_MAX", default=1000)
PMIS_FILTER_SUGGESTIONS = env.int("PMIS_FILTER_SUGGESTIONS", default=50)

# Lists and search: page size, export cap, and the search box's bounds.
PMIS_LIST_PAGE_SIZE = env.int("PMIS_LIST_PAGE_SIZE", default=30)
PMIS_LIST_EXPORT_MAX_ROWS = env.int("PMIS_LIST_EXPORT_MAX_ROWS", default=50000)
PMIS_SEARCH_MIN_CHARS = env.int("PMIS_SEARCH_MIN_CHARS", default=2)
PMIS_SEARCH_MAX_CHARS = env.int("PMIS_SEARCH_MAX_CHARS", default=100)
PMIS_SEARCH_SUGGEST_LIMIT = env.int("PMIS_SEARCH_SUGGEST_LIMIT", default=5)
PMIS_SEARCH_RESULTS_LIMIT = env.int("PMIS_SEARCH_RESULTS_LIMIT", default=50)
PMIS_PICKER_LIMIT = env.int("PMIS_PICKER_LIMIT", default=20)
# A department's figures (等待, 超时, 本月完成) are counted no further than this: past it the figure
# reads "9999+", so that a queue of a million steps costs what one of ten thousand does.
PMIS_FIGURE_COUNT_LIMIT = env.int("PMIS_FIGURE_COUNT_LIMIT", default=9999)
# They are kept until a step of the department changes, and at most this long (超时 moves with the
# clock alone, no step changing).
PMIS_DEPARTMENT_FIGURES_SECONDS = env.int("PMIS_DEPARTMENT_FIGURES_SECONDS", default=60)
# How long a person's layout (roles, navigation, badges) may stay cached; the services that change
# it forget it at once, so this bounds only what they cannot see (e.g. a role given in the shell).
PMIS_LAYOUT_CACHE_SECONDS = env.int("PMIS_LAYOUT_CACHE_SECONDS", default=600)
PMIS_LAYOUT_CACHE = "default"  # the cache alias that holds it

# Dashboards on the 工作台: how many months and weeks the trends show, the age bands of waiting
# work (days), how many records a card lists, and how long past months' SLA figures are cached.
PMIS_DASHBOARD_MONTHS = env.int("PMIS_DASHBOARD_MONTHS", default=6)
PMIS_DASHBOARD_WEEKS = env.int("PMIS_DASHBOARD_WEEKS", default=8)
PMIS_DASHBOARD_AGE_DAYS = env.list("PMIS_DASHBOARD_AGE_DAYS", cast=int, default=[1, 3, 7])
PMIS_DASHBOARD_ROWS = env.int("PMIS_DASHBOARD_ROWS", default=8)
PMIS_DASHBOARD_CACHE_SECONDS = env.int("PMIS_DASHBOARD_CACHE_SECONDS", default=300)
# A card's counted figures (dashboards/cache.py) are fresh for the 看板数据刷新周期 policy; they
# are kept this long after the last count, and a background recount holds its lock at most this.
PMIS_DASHBOARD_CARD_KEEP = env.int("PMIS_DASHBOARD_CARD_KEEP", default=24 * 3600)
PMIS_DASHBOARD_CARD_LOCK_SECONDS = env.int("PMIS_DASHBOARD_CARD_LOCK_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # the filesystem broker has no host name, and kombu says so on every publish
        "kombu.connection": {"level": "ERROR"},
    },
}


# The REST API (api/): tokens or the browser session, one error body, cursor pages, a budget per
# token; the OpenAPI schema at /api/schema/ and its documentation page from our own static files.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMIS 接口",
    "DESCRIPTION": (
        "实施登记、待办、项目、售后问题、通知、目录与指标。与页面相同的权限、校验与中文提示；"
        "错误统一为 {code, message, fields}。认证：Authorization: Bearer <令牌>（在“接口令牌”页面创建）。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_common_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RegistrationKindEnum": "registrations.models.Kind",
        "RegistrationStateEnum": "registrations.models.State",
        "ProjectKindEnum": "projects.models.Project.Kind",
        "ProjectStateEnum": "projects.models.State",
        "TicketStateEnum": "aftersales.models.Ticket.State",
    },
}
