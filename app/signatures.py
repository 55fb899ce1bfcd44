"""The holder's handwritten signature image (手写签名), printed on every electronic certificate."""
from flask_babel import lazy_gettext as _l

from app import storage
from app.extensions import db


def save(person, upload):
    data, mime = storage.check(upload)
    if not mime.startswith("image/"):
        raise storage.Rejected(_l("签名须为JPG或PNG图片"))
    person.signature_file, _ = storage.save(data)
    person.signature_type = mime
    db.session.commit()
