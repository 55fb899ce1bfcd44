"""A development run's SECRET_KEY: random, made on the first start and kept in instance/secret_key.

Without SECRET_KEY in the environment, config.py falls back to a key written in the source, which
anyone can read: sessions, CSRF tokens and the SMS codes' HMAC would be forgeable by anyone who can
reach a `make run` server. Outside production such a run now gets a key of its own, kept (mode
0600) so that sign-ins survive a restart. Production never does this: it refuses to start without
an explicit key (create_app), since a key on the server's disk is not a managed secret.
"""
import os
import secrets
import tempfile

KEY_BYTES = 48  # token_urlsafe: 64 characters, well past PyJWT's 32-byte minimum


def use_instance_key(app, dev_prefix):
    """Replace the source's development key with the one kept in SECRET_KEY_FILE (made if missing)."""
    if app.config["ENVIRONMENT"] == "production" or app.testing:
        return
    if not app.config["SECRET_KEY"].startswith(dev_prefix):
        return  # an explicit key: SECRET_KEY is set in the environment or the configuration
    app.config["SECRET_KEY"] = _read_or_make(app.config["SECRET_KEY_FILE"])


def _read(path):
    try:
        with open(path, encoding="ascii") as kept:
            return kept.read().strip()
    except FileNotFoundError:
        return ""


def _read_or_make(path):
    key = _read(path)
    if key:
        return key
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    key = secrets.token_urlsafe(KEY_BYTES)
    # written whole under a temporary name, then linked into place: two processes starting at once
    # (the server and a `flask` command) never read a half-written file, and both end with one key
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".secret_key-")  # mkstemp: mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(key + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            kept = _read(path)
            if kept:
                return kept  # the other process was first
            os.replace(temporary, path)  # an empty file (a crash while writing it): replaced
            temporary = None
        return key
    finally:
        if temporary:
            os.unlink(temporary)
