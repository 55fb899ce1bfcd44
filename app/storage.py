"""Attachment files: checked by their content, stored under random names outside any static
folder, served only through routes that have re-read the row through app/access.py."""
import hashlib
import os
import secrets
from datetime import datetime

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l

# What the platform accepts, recognised by the file's first bytes, never by its name.
SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)


class Rejected(ValueError):
    """An upload that is refused; str() says why, in the user's language."""


def sniff(head):
    return next(((mime, exts) for magic, mime, exts in SIGNATURES if head.startswith(magic)), (None, ()))


def check(upload):
    """Read and check an uploaded file; returns (bytes, mime type). Stores nothing."""
    if upload is None or not upload.filename:
        raise Rejected(_l("请选择要上传的文件"))
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    data = upload.stream.read(limit + 1)
    if not data:
        raise Rejected(_l("文件是空的，请重新选择"))
    if len(data) > limit:
        raise Rejected(_l("文件超过%(mb)sMB，请压缩后再上传", mb=current_app.config["MAX_UPLOAD_MB"]))
    mime, extensions = sniff(data[:16])
    if mime is None:
        raise Rejected(_l("只接受PDF、JPG、PNG格式的文件"))
    if os.path.splitext(upload.filename.lower())[1] not in extensions:
        raise Rejected(_l("文件内容与扩展名不符（内容是%(kind)s），请检查后重新上传", kind=mime.split("/")[1].upper()))
    return data, mime


def save(data):
    """Write the bytes under a new random name; returns (stored name, sha256)."""
    name = secrets.token_hex(20)
    folder = os.path.join(current_app.config["UPLOAD_DIR"], name[:2])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "xb") as out:
        out.write(data)
    return name, hashlib.sha256(data).hexdigest()


def path_of(stored_name):
    return os.path.join(current_app.config["UPLOAD_DIR"], stored_name[:2], stored_name)


def send(attachment):
    return send_file(
        path_of(attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
        last_modified=attachment.uploaded_at or datetime.now(),
    )
