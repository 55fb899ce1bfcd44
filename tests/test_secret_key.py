"""A run without SECRET_KEY outside production (make run) signs with a random key of its own, made
once and kept in the instance folder, never with the key written in config.py."""
import os
import stat

import pytest

from app import DEV_SECRET_PREFIX, create_app

# config.py's fallback when SECRET_KEY is not in the environment
DEVELOPMENT = {"ENVIRONMENT": "development", "SECRET_KEY": DEV_SECRET_PREFIX + "-secret-key-change-me",
               "SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_a_fresh_instance_folder_gets_a_key_that_the_next_start_reuses(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    first = create_app({**DEVELOPMENT, "SECRET_KEY_FILE": str(key_file)})
    key = first.config["SECRET_KEY"]
    assert not key.startswith(DEV_SECRET_PREFIX) and len(key) >= 32
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600  # readable by the server's user only
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]  # no temporary file left

    second = create_app({**DEVELOPMENT, "SECRET_KEY_FILE": str(key_file)})
    assert second.config["SECRET_KEY"] == key  # sign-ins survive a restart

    other = create_app({**DEVELOPMENT, "SECRET_KEY_FILE": str(tmp_path / "elsewhere" / "secret_key")})
    assert other.config["SECRET_KEY"] != key


def test_an_explicit_key_is_used_as_given(tmp_path):
    key_file = tmp_path / "secret_key"
    app = create_app({**DEVELOPMENT, "SECRET_KEY": "x" * 48, "SECRET_KEY_FILE": str(key_file)})
    assert app.config["SECRET_KEY"] == "x" * 48 and not key_file.exists()


def test_production_never_makes_a_key_and_refuses_to_start(tmp_path):
    key_file = tmp_path / "secret_key"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**DEVELOPMENT, "ENVIRONMENT": "production", "SECRET_KEY_FILE": str(key_file)})
    assert not key_file.exists()
