"""`flask doctor`: what a production configuration lacks, said in Chinese and English."""
import datetime

import pytest

from app import doctor


def findings(app):
    with app.app_context():
        return {f.check: f for f in doctor.run()}


def run(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    return result.exit_code, result.output


def test_development_defaults_are_warnings_with_both_languages(app, monkeypatch):
    monkeypatch.setitem(app.config, "SECRET_KEY", "k" * 48)
    code, output = run(app)
    assert code == 0, output  # the test database is migrated, storage writable, the font shipped
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # not production's database: a warning
        assert "! [database]" in output and "production runs on PostgreSQL" in output
    else:
        assert "✓ [database] 数据库可连接，结构为最新" in output and "migrated to head" in output
    assert "! [sms] 短信未接入网关" in output and "no SMS gateway" in output
    assert "! [redis]" in output and "! [signing_key]" in output
    assert "✓ [font] PDF 字体：wqy-microhei.ttc" in output and "PDF font: wqy-microhei.ttc" in output
    assert "✓ [storage]" in output


def test_production_lists_what_is_missing_as_errors(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENVIRONMENT", "production")
    monkeypatch.setitem(app.config, "SECRET_KEY", "dev-only-secret-key-change-me-0123456789abcdef")
    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "https://sms.example.invalid/send")
    code, output = run(app)
    assert code == 1
    assert "✗ [secret_key] 未设置 SECRET_KEY" in output and "SECRET_KEY is not set" in output
    assert "✗ [sms] 短信网关设置不全，缺少：SMS_GATEWAY_KEY、SMS_GATEWAY_TEMPLATE、SMS_GATEWAY_SIGN" in output
    assert "✗ [redis]" in output and "✗ [signing_key] 未配置电子证书签名密钥" in output
    assert "错误" in output and "error(s)" in output


def test_unreachable_redis_and_short_key_are_errors(app, monkeypatch):
    monkeypatch.setitem(app.config, "SECRET_KEY", "short-key")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://:pw@127.0.0.1:1/0")
    found = findings(app)
    assert found["secret_key"].level == "error" and "太短" in found["secret_key"].zh
    assert found["redis"].level == "error" and "ConnectionError" in found["redis"].en
    assert "pw" not in found["redis"].zh + found["redis"].en


def test_a_schema_behind_head_is_an_error(app, monkeypatch):
    from alembic.runtime.migration import MigrationContext

    monkeypatch.setattr(MigrationContext, "get_current_heads", lambda self: ("0019_one_open_filing",))
    finding = findings(app)["database"]
    assert finding.level == "error" and "flask db upgrade heads" in finding.zh


def test_unwritable_storage_and_a_missing_font_are_errors(app, monkeypatch, tmp_path):
    from app.documents import fonts

    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.config, "S3_BUCKET", "")
    monkeypatch.setitem(app.config, "CJK_FONT_PATH", str(tmp_path / "nowhere.ttf"))
    found = findings(app)
    assert found["storage"].level == "error" and "S3_BUCKET" in found["storage"].en
    assert found["font"].level == "error" and "CJK_FONT_PATH" in found["font"].zh
    fonts.clear_cache()


@pytest.fixture
def signing_key(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试签章")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    path = tmp_path / "signing.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, certificate, None,
                                                           BestAvailableEncryption(b"p12-pass")))
    return str(path)


def test_a_signing_key_is_opened_with_its_password(app, monkeypatch, signing_key):
    monkeypatch.setitem(app.config, doctor.SIGNING_KEY_SETTING, signing_key)
    monkeypatch.setitem(app.config, doctor.SIGNING_PASSWORD_SETTING, "wrong")
    assert findings(app)["signing_key"].level == "error"
    monkeypatch.setitem(app.config, doctor.SIGNING_PASSWORD_SETTING, "p12-pass")
    assert findings(app)["signing_key"].level == "ok"


def test_password_hashing_is_held_to_owasps_least(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENVIRONMENT", "production")
    for method, memory, passes, level in (("argon2id", 19456, 2, "ok"), ("argon2id", 47104, 1, "ok"),
                                          ("argon2id", 8192, 2, "error"), ("scrypt", 0, 0, "warning"),
                                          ("pbkdf2:sha256:600000", 0, 0, "warning"),
                                          ("pbkdf2:sha256:1000", 0, 0, "error")):
        monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", method)
        monkeypatch.setitem(app.config, "PASSWORD_ARGON2_MEMORY_KIB", memory)
        monkeypatch.setitem(app.config, "PASSWORD_ARGON2_TIME_COST", passes)
        found = findings(app)["password_hashing"]
        assert found.level == level, (method, memory, passes, found)
        assert found.zh and found.en
    monkeypatch.setitem(app.config, "ENVIRONMENT", "development")
    assert findings(app)["password_hashing"].level == "warning"  # the tests' cheap pbkdf2, outside production
