"""Every setting with a safe default; each one can be overridden from the environment."""
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


def env(name, default, cast=str):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return cast(raw)


class Config:
    # --- deployment -------------------------------------------------------------------------
    ENVIRONMENT = env("APP_ENV", "development")  # "production" refuses demo data and dev keys
    SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-change-me-0123456789abcdef")
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL", f"sqlite:///{BASE_DIR}/instance/app.db")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    UPLOAD_DIR = env("UPLOAD_DIR", f"{BASE_DIR}/instance/uploads")  # never under static/
    CJK_FONT_PATH = env("CJK_FONT_PATH", "")  # TrueType CJK font for PDFs; empty: look in the usual places
    MAX_UPLOAD_MB = env("MAX_UPLOAD_MB", 10, int)  # per attachment
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024  # the request: one file plus the form
    PERMANENT_SESSION_LIFETIME = env("SESSION_IDLE_MINUTES", 30, int) * 60
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # --- Flask-AppBuilder ---------------------------------------------------------------------
    APP_NAME = "二级建造师注册管理平台"
    APP_THEME = ""
    FAB_SECURITY_MANAGER_CLASS = "app.security.SecurityManager"
    FAB_CREATE_DB = False  # Alembic owns every table; FAB must never run create_all
    FAB_UPDATE_PERMS = False  # roles are declared in code (FAB_ROLES), nothing to sync per start
    FAB_ADD_SECURITY_VIEWS = True
    FAB_PASSWORD_HASH_METHOD = env("PASSWORD_HASH_METHOD", "scrypt")
    AUTH_TYPE = 1  # AUTH_DB: local accounts, the embedded default
    AUTH_ROLE_ADMIN = "管理员"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds it
    FAB_API_SWAGGER_UI = False

    # --- language -----------------------------------------------------------------------------
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "简体中文"},
        "en": {"flag": "gb", "name": "English"},
    }

    # --- registration rules (domain.md "(default)" values) ------------------------------------
    CERT_PROVINCE_PREFIX = env("CERT_PROVINCE_PREFIX", "陕")
    REGISTRATION_YEARS = env("REGISTRATION_YEARS", 3, int)
    RENEWAL_WINDOW_OPENS_DAYS = env("RENEWAL_WINDOW_OPENS_DAYS", 90, int)
    RENEWAL_WINDOW_CLOSES_DAYS = env("RENEWAL_WINDOW_CLOSES_DAYS", 30, int)
    INITIAL_WITHOUT_EDUCATION_YEARS = env("INITIAL_WITHOUT_EDUCATION_YEARS", 3, int)
    MAX_REGISTRATION_AGE = env("MAX_REGISTRATION_AGE", 65, int)
    ISSUING_AUTHORITY = env("ISSUING_AUTHORITY", "陕西省住房和城乡建设厅")

    # --- lists ---------------------------------------------------------------------------------
    FAB_PAGE_SIZE = 20  # not a FAB setting; read by our list views


class TestConfig(Config):
    TESTING = True
    ENVIRONMENT = "testing"
    SQLALCHEMY_DATABASE_URI = env("TEST_DATABASE_URL", "")  # conftest supplies a file when empty
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # demo passwords hashed per test; speed over cost
    UPLOAD_DIR = ""  # conftest supplies a temporary folder
