"""The holder's own images on the electronic certificate: the handwritten signature (手写签名,
required) and the ID photo (证件照, optional: without one the certificate shows an empty 照片 box)."""
import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from app import storage
from app.extensions import db

PHOTO_SIZE = (360, 480)  # 3:4 as an ID photo; printed 33 × 44 mm, about 280 dpi
PHOTO_MIN = (150, 200)  # a smaller picture prints as a blur
PHOTO_MAX_PIXELS = 50_000_000  # a bigger one is not a photo of a face but a decompression bomb


def save(person, upload):
    data, mime = storage.check(upload)
    if not mime.startswith("image/"):
        raise storage.Rejected(_l("签名须为JPG或PNG图片"))
    person.signature_file, _ = storage.save(data)
    person.signature_type = mime
    db.session.commit()


def save_photo(person, upload):
    """Keep the uploaded photo cropped to 3:4 and scaled to PHOTO_SIZE, as a JPEG.

    Re-encoding also drops what the file carried besides the picture (EXIF: place, device).
    """
    data, mime = storage.check(upload)
    if not mime.startswith("image/"):
        raise storage.Rejected(_l("照片须为JPG或PNG图片"))
    person.photo_file, _ = storage.save(id_photo(data))
    person.photo_type = "image/jpeg"
    db.session.commit()


def id_photo(data):
    """The JPEG bytes of `data` (a JPG or PNG) as an ID photo: upright, cropped to 3:4 around the
    upper middle (where the face is), PHOTO_SIZE pixels. Raises storage.Rejected when unusable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise storage.Rejected(_l("照片像素过大，请缩小后再上传"))
            image = ImageOps.exif_transpose(image)
            image.load()
    except storage.Rejected:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise storage.Rejected(_l("无法识别这张照片，请换一张JPG或PNG图片")) from None
    width, height = image.size
    # the largest 3:4 area the picture holds must itself be big enough to print
    usable = min(width, height * 3 // 4)
    if usable < PHOTO_MIN[0]:
        raise storage.Rejected(_l("照片太小，宽至少%(w)s像素、高至少%(h)s像素", w=PHOTO_MIN[0], h=PHOTO_MIN[1]))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")  # a transparent background prints white
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = ImageOps.fit(image.convert("RGB"), PHOTO_SIZE, method=Image.LANCZOS, centering=(0.5, 0.35))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
