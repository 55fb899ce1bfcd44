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
    # the embedded default keeps one demo database per procedure (CENTER_PROCEDURE below): a database
    # seeded under one procedure has filings in states the other does not know
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL", f"sqlite:///{BASE_DIR}/instance/"
                                  + ("app-full.db" if env("CENTER_PROCEDURE", "single") == "full" else "app.db"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # PostgreSQL plans a read the app repeats once per connection, not per request (app/prepared.py);
    # 0 behind PgBouncer in transaction pooling, where a session's prepared statements do not follow it
    PG_PREPARED_STATEMENTS = env("PG_PREPARED_STATEMENTS", True, bool)
    UPLOAD_DIR = env("UPLOAD_DIR", f"{BASE_DIR}/instance/uploads")  # never under static/
    # generated PDFs by the digest of their HTML (identical input, identical file); empty: no cache
    PDF_CACHE_DIR = env("PDF_CACHE_DIR", f"{BASE_DIR}/instance/cache/pdf")
    CJK_FONT_PATH = env("CJK_FONT_PATH", "")  # TrueType CJK font for PDFs; empty: look in the usual places
    MAX_UPLOAD_MB = env("MAX_UPLOAD_MB", 10, int)  # per attachment
    UPLOAD_FILES_AT_ONCE = env("UPLOAD_FILES_AT_ONCE", 6, int)  # files one upload of the checklist may carry
    # what one filing may keep in storage: its attachments in force and the replaced ones that a
    # review record still names (app/attachments.py); a replaced file nothing names is deleted
    FILING_MAX_FILES = env("FILING_MAX_FILES", 30, int)
    FILING_MAX_MB = env("FILING_MAX_MB", 100, int)
    MAX_CONTENT_LENGTH = UPLOAD_FILES_AT_ONCE * MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024  # those files and the form
    PERMANENT_SESSION_LIFETIME = env("SESSION_IDLE_MINUTES", 30, int) * 60
    SESSION_ABSOLUTE_HOURS = env("SESSION_ABSOLUTE_HOURS", 12, float)  # however active, a sign-in ends then
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # cookies only over HTTPS (app/headers.py): on in production; off for `make run` on http://127.0.0.1
    SECURE_COOKIES = env("SECURE_COOKIES", ENVIRONMENT == "production", bool)
    FORCE_HTTPS = env("FORCE_HTTPS", False, bool)  # redirect http:// to https:// here, when no proxy in front does
    # without SECRET_KEY, a run outside production makes a random key once and keeps it here (app/secret_key.py)
    SECRET_KEY_FILE = env("SECRET_KEY_FILE", f"{BASE_DIR}/instance/secret_key")

    # where files live (app/storage.py): "local" (UPLOAD_DIR and PDF_CACHE_DIR, one machine) or "s3" (one
    # bucket of an S3-compatible store shared by every node: uploads/ and pdf-cache/ under S3_PREFIX)
    STORAGE_BACKEND = env("STORAGE_BACKEND", "local")
    S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", "")  # empty: AWS itself; http://127.0.0.1:9000 for a local store
    S3_BUCKET = env("S3_BUCKET", "")
    S3_PREFIX = env("S3_PREFIX", "")  # e.g. "regapp/": every key under it
    S3_REGION = env("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = env("S3_ACCESS_KEY_ID", "")  # empty: boto3's usual chain (environment, instance role)
    S3_SECRET_ACCESS_KEY = env("S3_SECRET_ACCESS_KEY", "")
    S3_ADDRESSING_STYLE = env("S3_ADDRESSING_STYLE", "path")  # path suits MinIO-style stores; "virtual" for AWS
    REDIS_URL = env("REDIS_URL", "")  # the shared Redis; empty: RATELIMIT_STORAGE_URI when that is Redis
    PROXY_HOPS = env("PROXY_HOPS", 0, int)  # proxies in front that set X-Forwarded-For/-Proto (1 behind nginx)

    # --- operations: logs, metrics (app/logs.py, app/metrics.py, views/health.py) ------------------
    LOG_FORMAT = env("LOG_FORMAT", "json" if ENVIRONMENT == "production" else "text")  # json: one object a line
    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    LOG_REQUESTS = env("LOG_REQUESTS", LOG_FORMAT == "json", bool)  # one line per request, with its id and time
    METRICS_ENABLED = env("METRICS_ENABLED", True, bool)  # /metrics for Prometheus
    METRICS_ALLOW_IPS = env("METRICS_ALLOW_IPS", "127.0.0.1,::1")  # who may scrape without the token (not via proxy)
    METRICS_TOKEN = env("METRICS_TOKEN", "")  # or anyone sending Authorization: Bearer <token>

    # --- Flask-AppBuilder ---------------------------------------------------------------------
    APP_NAME = "二级建造师注册管理平台"
    APP_THEME = ""
    FAB_SECURITY_MANAGER_CLASS = "views.security.SecurityManager"
    FAB_CREATE_DB = False  # Alembic owns every table; FAB must never run create_all
    FAB_UPDATE_PERMS = False  # roles are declared in code (FAB_ROLES), nothing to sync per start
    FAB_ADD_SECURITY_VIEWS = True
    # what FAB hashes on its own paths (none of ours: accounts' passwords are app/passwords.py's)
    FAB_PASSWORD_HASH_METHOD = "scrypt"
    # accounts' passwords (app/passwords.py): argon2id at OWASP's least parameters, or a method of
    # werkzeug's ("scrypt", "pbkdf2:sha256:600000"); older hashes are made again at sign-in
    PASSWORD_HASH_METHOD = env("PASSWORD_HASH_METHOD", "argon2id")
    PASSWORD_ARGON2_MEMORY_KIB = env("PASSWORD_ARGON2_MEMORY_KIB", 19456, int)
    PASSWORD_ARGON2_TIME_COST = env("PASSWORD_ARGON2_TIME_COST", 2, int)
    PASSWORD_ARGON2_PARALLELISM = env("PASSWORD_ARGON2_PARALLELISM", 1, int)
    AUTH_TYPE = 1  # AUTH_DB: local accounts, the embedded default
    # FAB's admin role is the system administrator's (app/roles.py). Declared in FAB_ROLES, it gets no
    # permission beyond those (FAB adds every permission only to an admin role it does not know).
    AUTH_ROLE_ADMIN = "系统管理员"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds it
    FAB_API_SWAGGER_UI = False  # ours is views/api (its own spec and a vendored Swagger UI)
    FAB_ADD_MENU_API = False  # FAB's menu JSON accepts the session cookie; the pages do not need it

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
    AGE_CUTOFF_DAYS = env("AGE_CUTOFF_DAYS", 90, int)  # no new business from this many days before that age
    # business types of national practice beyond the provincial manual; empty to switch them off
    EXTRA_BUSINESS_TYPES = env("EXTRA_BUSINESS_TYPES", "lost_certificate,cancel_specialty,change_personal,"
                                                       "change_enterprise,forced_cancel,unit_cancel,enterprise_rename")
    ISSUING_AUTHORITY = env("ISSUING_AUTHORITY", "陕西省住房和城乡建设厅")
    ISSUING_AUTHORITY_CODE = env("ISSUING_AUTHORITY_CODE", "")  # its unified social credit code, printed when set
    CERT_COPY_VALID_DAYS = env("CERT_COPY_VALID_DAYS", 180, int)  # use-validity of a downloaded certificate
    # the issuer's electronic seal printed on certificates (PNG, transparent background); empty: a demo seal
    # drawn by app/documents/seal.py and marked 演示样章
    CERT_SEAL_IMAGE = env("CERT_SEAL_IMAGE", "")
    PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "")  # the address QR codes point to; empty: this request's host
    # the national e-licence identifier (证照标识, GB/T 36904) of each certificate: 1.2.156.3005.2.<type code>.
    # <issuer code>.<serial>.<version>.<check>; the issuer code is the authority's credit code (a demo one when unset)
    ELICENCE_TYPE_CODE = env("ELICENCE_TYPE_CODE", "11100000000013338W001")
    ELICENCE_ISSUER_CODE = env("ELICENCE_ISSUER_CODE", ISSUING_AUTHORITY_CODE or "11610000DEM000000T")
    # the issuer's signing key and certificate (PKCS#12) for the PDFs (PAdES) and the QR code's signed payload;
    # empty: a demo CA and issuer made by the project at first need in CERT_SIGNING_DIR (refused in production)
    CERT_SIGNING_PKCS12 = env("CERT_SIGNING_PKCS12", "")
    CERT_SIGNING_PASSWORD = env("CERT_SIGNING_PASSWORD", "")
    CERT_SIGNING_DIR = env("CERT_SIGNING_DIR", f"{BASE_DIR}/instance/signing")

    # --- sign-in: SMS code, rate limits, government services network (app/sms*.py, app/govnet) ---
    SIGNIN_PENDING_MINUTES = env("SIGNIN_PENDING_MINUTES", 15, int)  # password done, code not yet
    SIGNIN_LOCK_FAILURES = env("SIGNIN_LOCK_FAILURES", 10, int)  # wrong passwords for a username in a day...
    SIGNIN_LOCK_MINUTES = env("SIGNIN_LOCK_MINUTES", 5, int)  # ...lock it this long, from any address
    PASSWORD_MIN_LENGTH = env("PASSWORD_MIN_LENGTH", 8, int)  # persons and enterprises
    PASSWORD_MIN_LENGTH_STAFF = env("PASSWORD_MIN_LENGTH_STAFF", 10, int)  # center and administrators
    PASSWORD_HISTORY = env("PASSWORD_HISTORY", 5, int)  # a new password is none of the latest this many
    SMS_BACKEND = env("SMS_BACKEND", "local")  # local (records, no outside service) | http | module:Class
    SMS_CODE_TTL_SECONDS = env("SMS_CODE_TTL_SECONDS", 300, int)
    SMS_CODE_MAX_TRIES = env("SMS_CODE_MAX_TRIES", 5, int)
    SMS_RESEND_SECONDS = env("SMS_RESEND_SECONDS", 60, int)  # per phone
    SMS_DAILY_LIMIT = env("SMS_DAILY_LIMIT", 10, int)  # per phone and calendar day
    SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY", "")
    SMS_GATEWAY_TEMPLATE = env("SMS_GATEWAY_TEMPLATE", "")  # the template id registered at the gateway
    SMS_GATEWAY_SIGN = env("SMS_GATEWAY_SIGN", "")  # the SMS signature (短信签名) registered there
    SMS_GATEWAY_TIMEOUT = env("SMS_GATEWAY_TIMEOUT", 10, float)
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI", "memory://")  # redis://host:6379 for several workers
    LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "20 per minute;200 per day")  # password posts per address
    LOGIN_ACCOUNT_RATE_LIMIT = env("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 5 minutes")  # per username tried
    SMS_CODE_RATE_LIMIT = env("SMS_CODE_RATE_LIMIT", "20 per minute")  # code posts per address
    PUBLIC_QUERY_RATE_LIMIT = env("PUBLIC_QUERY_RATE_LIMIT", "30 per minute;300 per day")  # 公众查询 per address
    SMS_SEND_RATE_LIMIT = env("SMS_SEND_RATE_LIMIT", "5 per minute;30 per day")  # SMS requests per address
    GOVNET_OIDC_ISSUER = env("GOVNET_OIDC_ISSUER", "")  # discovery at <issuer>/.well-known/openid-configuration
    GOVNET_OIDC_AUTHORIZE_URL = env("GOVNET_OIDC_AUTHORIZE_URL", "")  # explicit endpoints, without discovery
    GOVNET_OIDC_TOKEN_URL = env("GOVNET_OIDC_TOKEN_URL", "")
    GOVNET_OIDC_USERINFO_URL = env("GOVNET_OIDC_USERINFO_URL", "")
    GOVNET_OIDC_JWKS_URL = env("GOVNET_OIDC_JWKS_URL", "")
    GOVNET_OIDC_CLIENT_ID = env("GOVNET_OIDC_CLIENT_ID", "")
    GOVNET_OIDC_CLIENT_SECRET = env("GOVNET_OIDC_CLIENT_SECRET", "")
    GOVNET_OIDC_SCOPES = env("GOVNET_OIDC_SCOPES", "openid profile phone")
    GOVNET_OIDC_REDIRECT_URI = env("GOVNET_OIDC_REDIRECT_URI", "")  # empty: built from the request
    GOVNET_OIDC_SMS_STEP = env("GOVNET_OIDC_SMS_STEP", True, bool)  # our SMS code after the network too
    GOVNET_CLAIM_KIND = env("GOVNET_CLAIM_KIND", "account_type")
    GOVNET_KIND_PERSON = env("GOVNET_KIND_PERSON", "person")
    GOVNET_KIND_ENTERPRISE = env("GOVNET_KIND_ENTERPRISE", "legal_person")
    GOVNET_CLAIM_ID_NUMBER = env("GOVNET_CLAIM_ID_NUMBER", "id_number")
    GOVNET_CLAIM_NAME = env("GOVNET_CLAIM_NAME", "name")
    GOVNET_CLAIM_PHONE = env("GOVNET_CLAIM_PHONE", "phone_number")
    GOVNET_CLAIM_CREDIT_CODE = env("GOVNET_CLAIM_CREDIT_CODE", "credit_code")
    GOVNET_CLAIM_VERIFIED = env("GOVNET_CLAIM_VERIFIED", "real_name_verified")  # 实人认证 done there
    GOVNET_CLAIM_ASSURANCE = env("GOVNET_CLAIM_ASSURANCE", "assurance_level")
    GOVNET_ASSURANCE_LEVELS = env("GOVNET_ASSURANCE_LEVELS", "basic,phone,bank_card,face")  # low to high
    GOVNET_ASSURANCE_MIN = env("GOVNET_ASSURANCE_MIN", "bank_card")  # bank-card four-factor or face
    GOVNET_ASSURANCE_HELP_URL = env("GOVNET_ASSURANCE_HELP_URL", "")  # the network's own guide, if any

    # --- enterprise directory and outside registers (app/govnet/directory.py, registers.py) -----
    GOVNET_DIRECTORY_FILE = env("GOVNET_DIRECTORY_FILE", f"{BASE_DIR}/seeds/govnet/directory.json")  # JSON or CSV
    GOVNET_DIRECTORY_URL = env("GOVNET_DIRECTORY_URL", "")  # set: ask the directory service instead of the file
    GOVNET_DIRECTORY_TOKEN = env("GOVNET_DIRECTORY_TOKEN", "")
    GOVNET_DIRECTORY_TIMEOUT = env("GOVNET_DIRECTORY_TIMEOUT", 10, float)
    GOVNET_SYNC_BATCH = env("GOVNET_SYNC_BATCH", 200, int)  # enterprises per committed batch of `flask govnet sync`
    OUTSIDE_CHECKS = env("OUTSIDE_CHECKS", "social_insurance,project_lock,transfer")  # run before 提交; empty: none
    GOVNET_SOCIAL_INSURANCE_FILE = env("GOVNET_SOCIAL_INSURANCE_FILE", f"{BASE_DIR}/seeds/govnet/social_insurance.csv")
    GOVNET_SOCIAL_INSURANCE_URL = env("GOVNET_SOCIAL_INSURANCE_URL", "")
    # what the reviewers see as 数据来源 of each check: the register's name, never a file or an address
    GOVNET_SOCIAL_INSURANCE_NAME = env("GOVNET_SOCIAL_INSURANCE_NAME", "社会保险参保缴费信息（省人力资源和社会保障厅）")
    # the month the social insurance data was taken (YYYY-MM) when the register does not say; empty: last month
    GOVNET_SOCIAL_INSURANCE_MONTH = env("GOVNET_SOCIAL_INSURANCE_MONTH", "")
    GOVNET_PROJECT_LOCK_NAME = env("GOVNET_PROJECT_LOCK_NAME", "在施工程项目信息（省住房和城乡建设厅）")
    GOVNET_PROJECT_LOCK_FILE = env("GOVNET_PROJECT_LOCK_FILE", f"{BASE_DIR}/seeds/govnet/live_projects.csv")
    GOVNET_PROJECT_LOCK_URL = env("GOVNET_PROJECT_LOCK_URL", "")
    GOVNET_REGISTERS_TOKEN = env("GOVNET_REGISTERS_TOKEN", "")
    GOVNET_REGISTERS_TIMEOUT = env("GOVNET_REGISTERS_TIMEOUT", 10, float)

    # --- the provincial e-licence library (app/elicence.py): every issue, change and 废止 is pushed there
    ELICENCE_URL = env("ELICENCE_URL", "")  # set: POST JSON there; empty: JSON lines into ELICENCE_FILE
    ELICENCE_TOKEN = env("ELICENCE_TOKEN", "")  # bearer token for ELICENCE_URL
    ELICENCE_TIMEOUT = env("ELICENCE_TIMEOUT", 10, float)
    ELICENCE_FILE = env("ELICENCE_FILE", f"{BASE_DIR}/instance/elicence/outbox.jsonl")
    ELICENCE_RETRY_SECONDS = env("ELICENCE_RETRY_SECONDS", 60, int)  # first retry after; doubled per failure
    ELICENCE_RETRY_MAX_SECONDS = env("ELICENCE_RETRY_MAX_SECONDS", 6 * 3600, int)  # at most this long between tries

    # --- the national data exchange (四库一平台, app/exchange.py) and transfers from other provinces
    EXCHANGE_DIR = env("EXCHANGE_DIR", f"{BASE_DIR}/instance/exchange")  # one folder per run: files and manifest
    EXCHANGE_BATCH = env("EXCHANGE_BATCH", 5000, int)  # rows per batch (one checkpoint, one push)
    # a run reads what changed until this many seconds before it started: a transaction still open then
    # commits rows stamped earlier, and the next run reads them
    EXCHANGE_LAG_SECONDS = env("EXCHANGE_LAG_SECONDS", 300, int)
    EXCHANGE_URL = env("EXCHANGE_URL", "")  # set: each batch is also POSTed there as JSON
    EXCHANGE_TOKEN = env("EXCHANGE_TOKEN", "")
    EXCHANGE_TIMEOUT = env("EXCHANGE_TIMEOUT", 30, float)
    EXCHANGE_TRIES = env("EXCHANGE_TRIES", 5, int)  # tries per batch before the run stops (it resumes there)
    EXCHANGE_RETRY_SECONDS = env("EXCHANGE_RETRY_SECONDS", 2.0, float)  # wait before the 2nd try; doubled after
    # who is registered in another province (跨省转入): an HTTP service when its URL is set, else the file
    TRANSFER_REGISTER_FILE = env("TRANSFER_REGISTER_FILE", f"{BASE_DIR}/seeds/govnet/other_provinces.csv")
    TRANSFER_REGISTER_URL = env("TRANSFER_REGISTER_URL", "")
    TRANSFER_REGISTER_NAME = env("TRANSFER_REGISTER_NAME", "全国建筑市场监管公共服务平台注册人员信息")

    # --- notifications and time limits (app/notify.py, app/deadlines.py) ------------------------
    NOTIFY_SMS_MAX_TRIES = env("NOTIFY_SMS_MAX_TRIES", 5, int)  # then a notice SMS is given up ("failed")
    ENTERPRISE_REVIEW_DAYS = env("ENTERPRISE_REVIEW_DAYS", 5, int)  # 办理时限 of the unit's review, working days
    CENTER_REVIEW_DAYS = env("CENTER_REVIEW_DAYS", 20, int)  # 办理时限 of the center's review, working days
    HOLIDAYS = env("HOLIDAYS", "")  # public holidays skipped besides weekends: 2026-10-01,2026-10-02,...
    WORKDAYS = env("WORKDAYS", "")  # weekend days worked instead (调休): 2026-10-10,...
    # the center's procedure: "single" (准予注册 takes effect at once) or "full" (受理, 审核, 决定, 公示,
    # 公告: a decision takes effect with its announcement); switch only with no filing in the center's steps
    CENTER_PROCEDURE = env("CENTER_PROCEDURE", "single")
    NOTICE_WORKING_DAYS = env("NOTICE_WORKING_DAYS", 5, int)  # 公示期 of a decision, working days
    NOTICE_FILING_RATE_LIMIT = env("NOTICE_FILING_RATE_LIMIT", "5 per minute;20 per day")  # 异议 posts per address
    # --- credit records (app/credit.py): the kinds that bar registration business during their period
    CREDIT_BARRING_KINDS = env("CREDIT_BARRING_KINDS", "penalty")  # penalty (行政处罚), bad_conduct (不良行为记录)
    # --- 专项整治 (app/campaigns.py): 办理时限 of the unit's and the center's review of an answer, and the
    # new period to answer after a return (working days)
    CAMPAIGN_UNIT_REVIEW_DAYS = env("CAMPAIGN_UNIT_REVIEW_DAYS", 5, int)
    CAMPAIGN_CENTER_REVIEW_DAYS = env("CAMPAIGN_CENTER_REVIEW_DAYS", 10, int)
    CAMPAIGN_RETURN_DAYS = env("CAMPAIGN_RETURN_DAYS", 5, int)

    # --- the center's supervision (app/supervision.py): whom a holder of a locked or suspended
    # registration contacts, and the share of commitment filings drawn for a check by default
    SUPERVISION_CONTACT = env("SUPERVISION_CONTACT", "陕西省建设工程注册中心，电话 029-87290000")
    COMMITMENT_CHECK_SHARE = env("COMMITMENT_CHECK_SHARE", 10, int)  # percent

    # --- security log (app/audit.py): kept at least 180 days (等保三级); `flask audit prune` keeps this many
    AUDIT_KEEP_DAYS = env("AUDIT_KEEP_DAYS", 180, int)

    # --- the task queue (app/jobs.py): SMS and notices, exports, the periodic work ----------------
    # sqlite: an embedded queue in a file, no server (`make run` runs its workers in-process);
    # redis: JOBS_REDIS_URL, for production and several machines; immediate: run at once (tests)
    JOBS_BACKEND = env("JOBS_BACKEND", "sqlite")
    JOBS_SQLITE_PATH = env("JOBS_SQLITE_PATH", "")  # empty: beside a SQLite database (app.db-jobs), else instance/
    JOBS_REDIS_URL = env("JOBS_REDIS_URL", env("REDIS_URL", "redis://127.0.0.1:6379/0"))
    JOBS_QUEUE_NAME = env("JOBS_QUEUE_NAME", "regapp")  # one name per platform sharing a Redis
    JOBS_MAX_ATTEMPTS = env("JOBS_MAX_ATTEMPTS", 5, int)  # runs of a job before it is marked failed
    JOBS_RETRY_SECONDS = env("JOBS_RETRY_SECONDS", 30, int)  # the first retry's wait; doubled each time
    JOBS_RETRY_MAX_SECONDS = env("JOBS_RETRY_MAX_SECONDS", 3600, int)  # the longest wait between runs
    JOBS_HEARTBEAT_SECONDS = env("JOBS_HEARTBEAT_SECONDS", 15, int)  # a running job says it is alive this often
    JOBS_STALE_SECONDS = env("JOBS_STALE_SECONDS", 120, int)  # silent this long: its worker died, run it again
    JOBS_KEEP_DAYS = env("JOBS_KEEP_DAYS", 30, int)  # finished jobs are listed this long
    # worker threads `python run.py` starts beside the web server (0: none, run `flask jobs worker`)
    JOBS_EMBEDDED_WORKERS = env("JOBS_EMBEDDED_WORKERS", 2 if JOBS_BACKEND == "sqlite" else 0, int)
    EXPORT_DIR = env("EXPORT_DIR", f"{BASE_DIR}/instance/exports")  # finished exports; shared by web and workers
    EXPORT_KEEP_HOURS = env("EXPORT_KEEP_HOURS", 24, int)  # an export's file is offered this long
    CERT_BATCH_MAX = env("CERT_BATCH_MAX", 500, int)  # certificates in one 打包下载 (each is two signed PDFs)

    # --- REST API (/api/v1, views/api): tokens from /api/v1/auth, the sign-in rules of the pages ----
    JWT_ACCESS_TOKEN_EXPIRES = env("API_TOKEN_MINUTES", 30, int) * 60  # seconds
    API_MAX_PAGE_SIZE = env("API_MAX_PAGE_SIZE", 100, int)  # rows per page of a list

    # --- lists ---------------------------------------------------------------------------------
    FAB_PAGE_SIZE = 20  # not a FAB setting; read by our list views
    BATCH_LIMIT = env("BATCH_LIMIT", 100, int)  # filings one batch action (通过, 准予注册 …) may move at once
    # past this many rows a list shows an estimated total (约 …) instead of counting (PostgreSQL); 0: always count
    LIST_COUNT_ESTIMATE_THRESHOLD = env("LIST_COUNT_ESTIMATE_THRESHOLD", 10_000, int)
    # how long the planner's estimate of a list's rows is kept (seconds; 0: asked on every page)
    LIST_COUNT_PLAN_SECONDS = env("LIST_COUNT_PLAN_SECONDS", 300, int)


class TestConfig(Config):
    TESTING = True
    ENVIRONMENT = "testing"
    SQLALCHEMY_DATABASE_URI = env("TEST_DATABASE_URL", "")  # conftest supplies a file when empty
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # demo passwords hashed per test; speed over cost
    SECURE_COOKIES = False  # the test client speaks http://; the test of the flag sets it
    UPLOAD_DIR = ""  # conftest supplies a temporary folder
    PDF_CACHE_DIR = ""  # every test renders its PDFs
    # Tests sign the same demo user in several times a minute; the tests of the interval set it.
    SMS_RESEND_SECONDS = 0
    SMS_BACKEND = "local"
    LIST_COUNT_PLAN_SECONDS = 0  # each test's data is new; the test of the kept estimates sets it
    RATELIMIT_STORAGE_URI = "memory://"  # never a shared Redis from the environment
    REDIS_URL = ""
    STORAGE_BACKEND = "local"  # the S3 tests set theirs
    LOG_FORMAT = "text"
    LOG_REQUESTS = False
    METRICS_TOKEN = ""
    PROXY_HOPS = 0
    GOVNET_OIDC_ISSUER = GOVNET_OIDC_AUTHORIZE_URL = GOVNET_OIDC_CLIENT_ID = ""  # tests configure a provider
    # the sample files in seeds/govnet/, never a live directory or register from the environment
    GOVNET_DIRECTORY_URL = GOVNET_SOCIAL_INSURANCE_URL = GOVNET_PROJECT_LOCK_URL = TRANSFER_REGISTER_URL = ""
    ELICENCE_URL = EXCHANGE_URL = ""  # conftest points ELICENCE_FILE and EXCHANGE_DIR at temporary folders
    EXCHANGE_RETRY_SECONDS = 0.0
    EXCHANGE_LAG_SECONDS = 0
    JOBS_BACKEND = "immediate"  # each job runs when it is queued; tests of the queue itself set others
    JOBS_HEARTBEAT_SECONDS = 0  # no heartbeat thread beside an immediate job
    JOBS_EMBEDDED_WORKERS = 0
    EXPORT_DIR = ""  # conftest supplies a temporary folder
