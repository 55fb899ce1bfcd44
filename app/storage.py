"""Attachment files: checked by their content, stored under random names outside any static
folder, served only through routes that have re-read the row through app/access.py."""
import hashlib
import io
import logging
import os
import re
import secrets
from datetime import datetime

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import refusals
from app.extensions import db

log = logging.getLogger(__name__)

# What the platform accepts, recognised by the file's first bytes, never by its name.
SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)


class Rejected(refusals.Refused, ValueError):
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
    if mime == "application/pdf":
        data = inert_pdf(data)
    return data, mime


# --- PDFs: what a reviewer's reader would run or open on its own is taken out on upload -----------
# Scans and exported forms need none of it; a file that carries it is stored without it (the page
# shows the same), so nothing a reviewer opens starts a script, a program or an embedded file.
ACTIVE_KEYS = ("/OpenAction", "/AA")  # run on opening the document, a page, a field, an annotation
ACTIVE_NAMES = ("/JavaScript", "/EmbeddedFiles")  # document-level scripts and attached files
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
                            "/Rendition", "/RichMediaExecute", "/Sound", "/Movie"})
# the same names found in the raw bytes (a name may spell a letter as #xx), for a file pypdf cannot read
RAW_ACTIVE = re.compile(rb"/(?:JavaScript|JS|OpenAction|AA|Launch|EmbeddedFiles?|XFA|RichMedia\w*|ObjStm)"
                        rb"(?=[\s/<>\[\]()%{}]|$)")


def inert_pdf(data):
    """The PDF without active content: the same bytes when it has none, else a rewritten copy.
    Refused when it cannot be opened, or cannot be read well enough to be sure."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Rejected(_l("PDF文件设有打开密码，请去除密码后重新上传"))
        writer = PdfWriter(clone_from=reader)
        if not _strip_active(writer.root_object):
            return data
        # what was taken out is no longer referenced: nothing of it is written (pypdf drops one level
        # of unreferenced objects per pass: a name tree's file is gone on the pass after its leaf)
        for _ in range(20):
            before = sum(o is not None for o in writer._objects)
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            if sum(o is not None for o in writer._objects) == before:
                break
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Rejected:
        raise
    except Exception as problem:  # noqa: BLE001 - a damaged or odd file: pypdf's errors are many
        log.warning("PDF upload not readable by pypdf (%s: %s): checking its bytes", type(problem).__name__, problem)
        # what pypdf cannot parse a viewer may still open: accepted only when its bytes plainly hold
        # no active content (and no compressed object streams that could hide some)
        if RAW_ACTIVE.search(re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)):
            raise Rejected(_l("无法检查该PDF文件是否含有脚本等活动内容，请用扫描软件或“打印为PDF”重新生成后上传")) from None
        return data


def _strip_active(root):
    """Remove active content from every object reachable from the catalog; True if any was found."""
    found, seen, todo = False, set(), [root]
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for name in ACTIVE_KEYS:
                if name in node:
                    del node[name]
                    found = True
            names = node.get("/Names") if node is root else None
            names = names.get_object() if names is not None else None
            if isinstance(names, DictionaryObject):
                for name in ACTIVE_NAMES:
                    if name in names:
                        del names[name]
                        found = True
            if node.get("/S") in ACTIVE_ACTIONS or "/JS" in node:
                node.clear()  # an action without a type is none: every reference to it now does nothing
                found = True
                continue
            if "/EF" in node:  # a file specification with the file inside it
                del node["/EF"]
                found = True
            if "/XFA" in node:  # forms with their own scripts
                del node["/XFA"]
                found = True
            todo.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            todo.extend(node)
    return found


def save(data):
    """Write the bytes under a new random name; returns (stored name, sha256)."""
    name = secrets.token_hex(20)
    files().put(name, data)
    return name, hashlib.sha256(data).hexdigest()


def read(stored_name):
    """The stored file's bytes; raises Missing when it is not there (replaced and deleted)."""
    return files().get(stored_name)


def path_of(stored_name):
    """Where the local backend keeps a file (tests, and tools that need a path, read it there)."""
    return LocalArea(current_app.config["UPLOAD_DIR"]).path(stored_name)


# Files to delete once the transaction that let go of them commits (never if it rolls back): a
# file is gone only when no row that still needs it can come back.
_DISCARD = "storage_discard"


def discard(stored_name, session=None):
    """Delete this stored file when the session's transaction commits."""
    (session or db.session).info.setdefault(_DISCARD, {})[stored_name] = files()


@event.listens_for(Session, "after_commit")
def _delete_discarded(session):
    for name, area in session.info.pop(_DISCARD, {}).items():
        try:
            area.delete(name)
        except Exception as problem:  # noqa: BLE001 - the row is gone or marked: a file left over costs only space
            log.error("stored file %s was not deleted: %s", name, problem)


@event.listens_for(Session, "after_rollback")
def _keep_discarded(session):
    session.info.pop(_DISCARD, None)


def send(attachment):
    area = files()
    if isinstance(area, LocalArea):
        source = area.path(attachment.stored_name)
        if not os.path.exists(source):
            abort(404)  # a replaced file no review record names has been deleted; its row stays as history
    else:
        try:
            source = io.BytesIO(area.get(attachment.stored_name))
        except Missing:
            abort(404)
    return send_file(
        source,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
        last_modified=attachment.uploaded_at or datetime.now(),
    )


def send_inline(stored_name, mimetype):
    """A stored image shown in the page (the holder's signature, the photo); 404 when gone."""
    try:
        data = read(stored_name)
    except Missing:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=mimetype, max_age=0)


# --- where the bytes live: the local folder (the embedded default) or an S3-compatible bucket ---------
# Two areas: the uploaded files (UPLOAD_DIR, or the bucket's "uploads/") and the cache of generated
# PDFs (PDF_CACHE_DIR, or the bucket's "pdf-cache/"; empty PDF_CACHE_DIR: no cache). With
# STORAGE_BACKEND=s3 every node of a cluster reads and writes the same bucket (S3_* settings).

class Missing(LookupError):
    """No stored object under that key."""


class LocalArea:
    """A folder: key k is kept at <root>/<k[:2]>/<k>, written whole or not at all."""

    def __init__(self, root):
        self.root = root

    def path(self, key):
        return os.path.join(self.root, key[:2], key)

    def put(self, key, data):
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temporary = f"{target}.{os.getpid()}.{secrets.token_hex(4)}.part"
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, target)  # atomic: a reader never sees half a file

    def get(self, key):
        try:
            with open(self.path(key), "rb") as stored:
                return stored.read()
        except FileNotFoundError:
            raise Missing(key) from None

    def exists(self, key):
        return os.path.exists(self.path(key))

    def delete(self, key):
        try:
            os.unlink(self.path(key))
        except FileNotFoundError:
            pass

    def keys(self):
        for folder, _, names in os.walk(self.root):
            for name in names:
                if not name.endswith(".part") and not name.startswith("."):
                    yield name

    def ready(self):
        os.makedirs(self.root, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError("storage folder is not writable")


class S3Area:
    """Objects <prefix><key> in one bucket of an S3-compatible store (boto3)."""

    def __init__(self, client, bucket, prefix):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise Missing(key) from None

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            return True
        except ClientError as problem:
            if problem.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def keys(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                yield item["Key"][len(self.prefix):]

    def ready(self):
        self.client.head_bucket(Bucket=self.bucket)


def s3_client(config):
    """One boto3 client per app and settings (making one costs tens of milliseconds; it is thread-safe)."""
    settings = (config["S3_ENDPOINT_URL"], config["S3_REGION"], config["S3_ACCESS_KEY_ID"],
                config["S3_SECRET_ACCESS_KEY"], config["S3_ADDRESSING_STYLE"])
    clients = current_app.extensions.setdefault("storage_s3_clients", {})
    if settings not in clients:
        import boto3
        from botocore.config import Config as BotoConfig

        endpoint, region, key_id, secret, style = settings
        clients[settings] = boto3.client(
            "s3", endpoint_url=endpoint or None, region_name=region or None,
            aws_access_key_id=key_id or None, aws_secret_access_key=secret or None,
            config=BotoConfig(s3={"addressing_style": style}, retries={"max_attempts": 3, "mode": "standard"},
                              connect_timeout=5, read_timeout=30,
                              request_checksum_calculation="when_required",
                              response_checksum_validation="when_required"))
    return clients[settings]


def _area(name, local_root):
    config = current_app.config
    if config["STORAGE_BACKEND"] == "s3":
        return S3Area(s3_client(config), config["S3_BUCKET"], config["S3_PREFIX"] + name + "/")
    return LocalArea(local_root)


def files():
    """Where uploaded files (attachments, signatures, photos) are kept."""
    return _area("uploads", current_app.config["UPLOAD_DIR"])


def pdf_cache():
    """Where generated PDFs are kept by the digest of their HTML; None when the cache is off."""
    folder = current_app.config.get("PDF_CACHE_DIR")
    return _area("pdf-cache", folder) if folder else None


def backend():
    """The uploads' area: what /readyz and `flask doctor` check."""
    return files()
