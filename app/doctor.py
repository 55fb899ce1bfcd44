"""`flask doctor`: is this configuration fit to run in production? Each check says what is missing
and what to do, in Chinese and in English (an operator may read either; the command prints both).

A finding is an error (production must not start like this) or a warning (works, but not as it
should on a real deployment). Outside production the settings a development machine need not have
(an SMS gateway, Redis, a signing key) are warnings, never errors.
"""
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from app.extensions import db

DEMO_KEYS = ("dev-only",)  # config.py's development key starts so; anyone can read it in the source
MIN_KEY_LENGTH = 32


@dataclass
class Finding:
    check: str  # short name: secret_key, database, ...
    level: str  # "ok", "warning" or "error"
    zh: str
    en: str


def run():
    """Every check, in order; each returns one Finding (never raises)."""
    findings = []
    for check in CHECKS:
        try:
            findings.append(check())
        except Exception as problem:  # noqa: BLE001 - a check that breaks is a finding, not a crash
            findings.append(Finding(check.__name__.lstrip("_"), "error",
                                    f"检查时出错：{type(problem).__name__}",
                                    f"the check itself failed: {type(problem).__name__}"))
    return findings


def _production():
    return current_app.config["ENVIRONMENT"] == "production"


def _required():
    """The level of something production needs: an error there, a warning elsewhere."""
    return "error" if _production() else "warning"


def _secret_key():
    key = current_app.config.get("SECRET_KEY") or ""
    if not key or key.startswith(DEMO_KEYS):
        return Finding("secret_key", "error", "未设置 SECRET_KEY（或仍是源代码中的开发用密钥）：请设置一个随机的长密钥，"
                       "可用 python -c 'import secrets; print(secrets.token_urlsafe(48))' 生成",
                       "SECRET_KEY is not set (or is the development key from the source): set a long random key, "
                       "e.g. from python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if len(key) < MIN_KEY_LENGTH:
        return Finding("secret_key", "error", f"SECRET_KEY 太短（{len(key)} 个字符）：至少 {MIN_KEY_LENGTH} 个随机字符",
                       f"SECRET_KEY is too short ({len(key)} characters): use at least {MIN_KEY_LENGTH} random ones")
    if not os.environ.get("SECRET_KEY") and _production():
        return Finding("secret_key", "warning", "SECRET_KEY 不是从环境变量读取的：请通过环境变量或密钥管理提供",
                       "SECRET_KEY does not come from the environment: provide it there or from a secrets manager")
    return Finding("secret_key", "ok", "SECRET_KEY 已设置", "SECRET_KEY is set")


def _database():
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    heads = set(ScriptDirectory.from_config(migrate.migrate.get_config()).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as problem:  # noqa: BLE001
        return Finding("database", "error", f"无法连接数据库（{type(problem).__name__}）：检查 DATABASE_URL、网络和账号",
                       f"cannot connect to the database ({type(problem).__name__}): check DATABASE_URL, "
                       "the network and the account")
    if current != heads:
        return Finding("database", "error", f"数据库结构不是最新（当前 {','.join(sorted(current)) or '空'}，"
                       f"应为 {','.join(sorted(heads))}）：运行 flask db upgrade heads",
                       f"the schema is not current (at {','.join(sorted(current)) or 'nothing'}, "
                       f"head is {','.join(sorted(heads))}): run flask db upgrade heads")
    if db.engine.dialect.name != "postgresql":
        return Finding("database", _required(), f"数据库已连接并为最新结构，但使用的是 {db.engine.dialect.name}："
                       "生产环境请使用 PostgreSQL", f"the database is reachable and current, but it is "
                       f"{db.engine.dialect.name}: production runs on PostgreSQL")
    return Finding("database", "ok", "数据库可连接，结构为最新", "the database is reachable and migrated to head")


def _redis():
    from app import health

    url = health.redis_url()
    if not url:
        return Finding("redis", _required(), "未配置 Redis（REDIS_URL 或 RATELIMIT_STORAGE_URI=redis://…）："
                       "多个进程或多台服务器时限流计数和任务队列需要共享的 Redis",
                       "no Redis configured (REDIS_URL or RATELIMIT_STORAGE_URI=redis://…): several workers or "
                       "machines need it to share rate-limit counts and the job queue")
    try:
        health.CHECKS["redis"]()
    except Exception as problem:  # noqa: BLE001
        return Finding("redis", "error", f"无法连接 Redis（{type(problem).__name__}）：检查地址、端口和密码",
                       f"cannot reach Redis ({type(problem).__name__}): check its address, port and password")
    if urlsplit(current_app.config.get("RATELIMIT_STORAGE_URI") or "").scheme not in ("redis", "rediss"):
        return Finding("redis", _required(), "Redis 可连接，但限流计数仍在进程内存中：设置 RATELIMIT_STORAGE_URI=redis://…",
                       "Redis answers, but rate limits still count in process memory: set "
                       "RATELIMIT_STORAGE_URI=redis://…")
    return Finding("redis", "ok", "Redis 可连接", "Redis is reachable")


def _storage():
    from app import storage

    config = current_app.config
    if config["STORAGE_BACKEND"] not in ("local", "s3"):
        return Finding("storage", "error", f"STORAGE_BACKEND={config['STORAGE_BACKEND']} 无效：应为 local 或 s3",
                       f"STORAGE_BACKEND={config['STORAGE_BACKEND']} is not valid: use local or s3")
    if config["STORAGE_BACKEND"] == "s3" and not config["S3_BUCKET"]:
        return Finding("storage", "error", "STORAGE_BACKEND=s3 但未设置 S3_BUCKET", "STORAGE_BACKEND=s3 needs S3_BUCKET")
    area = storage.files()
    probe = f"doctor-probe-{secrets.token_hex(8)}"
    try:
        area.put(probe, b"probe")
        readable = area.get(probe) == b"probe"
        area.delete(probe)
    except Exception as problem:  # noqa: BLE001
        return Finding("storage", "error", f"文件存储不可写（{type(problem).__name__}）：检查 UPLOAD_DIR 的权限或 S3_* 设置",
                       f"file storage is not writable ({type(problem).__name__}): check UPLOAD_DIR's permissions "
                       "or the S3_* settings")
    if not readable:
        return Finding("storage", "error", "文件存储写入后读不回相同内容", "file storage did not return what was written")
    if config["STORAGE_BACKEND"] == "local":
        return Finding("storage", "warning" if _production() else "ok",
                       "文件存储（本机目录）可写；多台服务器时请改用共享的对象存储：STORAGE_BACKEND=s3",
                       "file storage (a local folder) is writable; with several machines use shared object "
                       "storage: STORAGE_BACKEND=s3")
    return Finding("storage", "ok", "对象存储可读写", "object storage is readable and writable")


def _sms():
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "local":
        return Finding("sms", _required(), "短信未接入网关（SMS_BACKEND=local 只记录不发送）：设置 SMS_BACKEND=http "
                       "和 SMS_GATEWAY_URL、SMS_GATEWAY_KEY、SMS_GATEWAY_TEMPLATE、SMS_GATEWAY_SIGN",
                       "no SMS gateway (SMS_BACKEND=local records and sends nothing): set SMS_BACKEND=http and "
                       "SMS_GATEWAY_URL, SMS_GATEWAY_KEY, SMS_GATEWAY_TEMPLATE, SMS_GATEWAY_SIGN")
    if backend == "http":
        missing = [name for name in ("SMS_GATEWAY_URL", "SMS_GATEWAY_KEY", "SMS_GATEWAY_TEMPLATE", "SMS_GATEWAY_SIGN")
                   if not config.get(name)]
        if missing:
            return Finding("sms", "error", "短信网关设置不全，缺少：" + "、".join(missing),
                           "the SMS gateway settings are incomplete, missing: " + ", ".join(missing))
        if urlsplit(config["SMS_GATEWAY_URL"]).scheme != "https" and _production():
            return Finding("sms", "warning", "短信网关地址不是 https", "the SMS gateway's address is not https")
    return Finding("sms", "ok", f"短信发送方式：{backend}", f"SMS sender: {backend}")


def _font():
    from app.documents import fonts

    configured = current_app.config.get("CJK_FONT_PATH")
    if configured:
        problem = fonts._problem(configured)
        if problem:
            return Finding("font", "error", f"CJK_FONT_PATH 指定的字体不可用：{problem}",
                           f"the font CJK_FONT_PATH names cannot be used: {problem}")
    font = fonts.cjk_font()
    if not font.embedded:
        return Finding("font", "error", "找不到可嵌入的中文字体（app/documents/fonts/ 中的文泉驿微米黑缺失）："
                       "PDF 将无法在没有中文字体的阅读器中显示；恢复该文件或设置 CJK_FONT_PATH",
                       "no embeddable CJK font (WenQuanYi Micro Hei in app/documents/fonts/ is missing): PDFs "
                       "would show empty boxes in readers without Chinese fonts; restore it or set CJK_FONT_PATH")
    return Finding("font", "ok", f"PDF 字体：{os.path.basename(font.path)}", f"PDF font: {os.path.basename(font.path)}")


# the PKCS#12 file certificates are signed with, and its password (app/documents signing)
SIGNING_KEY_SETTING, SIGNING_PASSWORD_SETTING = "CERT_SIGNING_PKCS12", "CERT_SIGNING_PASSWORD"


def _signing_key():
    config = current_app.config
    path = config.get(SIGNING_KEY_SETTING) or ""
    if not path:
        return Finding("signing_key", _required(), f"未配置电子证书签名密钥（{SIGNING_KEY_SETTING}，PKCS#12 文件）："
                       "生成的证书 PDF 不带数字签名", f"no signing key configured ({SIGNING_KEY_SETTING}, a "
                       "PKCS#12 file): generated certificate PDFs carry no digital signature")
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        return Finding("signing_key", "error", f"签名密钥文件不存在或不可读：{SIGNING_KEY_SETTING}",
                       f"the signing key file is missing or unreadable: {SIGNING_KEY_SETTING}")
    try:
        from cryptography.hazmat.primitives.serialization import pkcs12

        with open(path, "rb") as kept:
            password = config.get(SIGNING_PASSWORD_SETTING) or ""
            key, certificate, _ = pkcs12.load_key_and_certificates(kept.read(), password.encode() or None)
    except Exception as problem:  # noqa: BLE001
        return Finding("signing_key", "error", f"无法打开签名密钥（{type(problem).__name__}）：检查文件和 "
                       f"{SIGNING_PASSWORD_SETTING}", f"cannot open the signing key ({type(problem).__name__}): "
                       f"check the file and {SIGNING_PASSWORD_SETTING}")
    if key is None or certificate is None:
        return Finding("signing_key", "error", "签名密钥文件中缺少私钥或证书",
                       "the signing key file lacks the private key or the certificate")
    return Finding("signing_key", "ok", "电子证书签名密钥可用", "the signing key opens")


# OWASP's argon2id settings of equal strength, each the least: (passes, memory in KiB)
ARGON2_LEAST = ((1, 47104), (2, 19456), (3, 12288), (4, 9216), (5, 7168))
PBKDF2_LEAST_ITERATIONS = 600_000  # OWASP, for PBKDF2-HMAC-SHA256


def _password_hashing():
    config = current_app.config
    method = config["PASSWORD_HASH_METHOD"]
    if method == "argon2id":
        passes, memory = config["PASSWORD_ARGON2_TIME_COST"], config["PASSWORD_ARGON2_MEMORY_KIB"]
        if any(passes >= t and memory >= m for t, m in ARGON2_LEAST):
            return Finding("password_hashing", "ok", f"密码以 argon2id 存储（{memory} KiB，{passes} 轮）",
                           f"passwords are stored as argon2id ({memory} KiB, {passes} passes)")
        return Finding("password_hashing", _required(), f"argon2id 参数低于 OWASP 的最低要求（{memory} KiB，{passes} 轮）："
                       "至少 19456 KiB、2 轮（PASSWORD_ARGON2_MEMORY_KIB、PASSWORD_ARGON2_TIME_COST）",
                       f"argon2id parameters below OWASP's least ({memory} KiB, {passes} passes): at least 19456 KiB "
                       "and 2 passes (PASSWORD_ARGON2_MEMORY_KIB, PASSWORD_ARGON2_TIME_COST)")
    name, _, rest = method.partition(":")
    if name == "pbkdf2":
        iterations = rest.partition(":")[2]
        if iterations.isdigit() and int(iterations) >= PBKDF2_LEAST_ITERATIONS:
            return Finding("password_hashing", "warning", "密码以 PBKDF2 存储：建议改用 argon2id（PASSWORD_HASH_METHOD）",
                           "passwords are stored with PBKDF2: argon2id is the better choice (PASSWORD_HASH_METHOD)")
    elif name == "scrypt":
        return Finding("password_hashing", "warning", "密码以 werkzeug 的 scrypt 存储，其参数低于 OWASP 对 scrypt 的最低要求："
                       "建议改用 argon2id（PASSWORD_HASH_METHOD）", "passwords are stored with werkzeug's scrypt, whose "
                       "parameters are below OWASP's least for scrypt: use argon2id (PASSWORD_HASH_METHOD)")
    return Finding("password_hashing", _required(), f"密码存储方式过弱或未知（{method}）：请使用 argon2id",
                   f"the password hashing method is weak or unknown ({method}): use argon2id")


CHECKS = [_secret_key, _database, _redis, _storage, _sms, _font, _signing_key, _password_hashing]
