"""Validators for identity and registration numbers.

Pure functions (the standard library, and python-stdnum for ISO 7064 MOD 37,36).  Every ``*_error`` function returns
``None`` for a valid value or a user-facing reason (in Chinese) otherwise;
every ``is_valid_*`` function returns a bool and never raises, whatever the
input; every ``check_*`` function returns the normalised value or raises
:class:`Invalid`.

Rules implemented:

* Resident ID number, GB 11643: 17 digits + check character
  (ISO 7064 MOD 11-2), digits 7-14 are the birth date, digit 17 encodes sex.
* Unified social credit code, GB 32100: 18 symbols from a 31-symbol alphabet,
  the last one a MOD 31 check character.
* Mainland mobile numbers: ``1[3-9]`` followed by 9 digits.
* Registration certificate numbers (注册证书编号): province prefix + level
  digit "2" + at least 8 digits, e.g. ``陕220260001``.
* Qualification certificate numbers (资格证书编号): 6-32 ASCII letters,
  digits or hyphens (loosely; exam authorities vary).
* National e-licence identifiers (电子证照标识, GB/T 36904):
  ``1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>``, the
  check character by ISO 7064 MOD 37,36 over the four fields written together.

Only ASCII digits count as digits: ``str.isdigit()`` also accepts full-width
and other Unicode digits, so it is never used here.
"""

import datetime as _dt
import re
from collections import namedtuple

from stdnum.iso7064 import mod_37_36

__all__ = [
    "Invalid",
    "normalize_id_number",
    "id_number_error",
    "is_valid_id_number",
    "birth_date_from_id",
    "sex_from_id",
    "check_id_number",
    "normalize_credit_code",
    "credit_code_error",
    "is_valid_credit_code",
    "check_credit_code",
    "normalize_mobile",
    "mobile_error",
    "is_valid_mobile",
    "check_mobile",
    "contact_phone_error",
    "certificate_number_error",
    "is_valid_certificate_number",
    "qualification_number_error",
    "is_valid_qualification_number",
    "mask_id_number",
    "mask_phone",
    "make_id_number",
    "make_credit_code",
    "ElicenceIdentifier",
    "make_elicence_identifier",
    "elicence_identifier_error",
    "is_valid_elicence_identifier",
    "check_elicence_identifier",
]


class Invalid(ValueError):
    """Raised by the ``check_*`` functions; ``str(e)`` is the Chinese reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


MALE = "男"
FEMALE = "女"

_ASCII_DIGITS = frozenset("0123456789")
_ASCII_LOWER_TO_UPPER = str.maketrans(
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


def _is_ascii_digits(s):
    return bool(s) and all(c in _ASCII_DIGITS for c in s)


def _is_blank(s):
    """True for None and for strings that are empty after stripping."""
    return s is None or (isinstance(s, str) and not s.strip())


def _resolve_today(today):
    if today is None:
        return _dt.date.today()
    # datetime is a subclass of date but cannot be compared with one.
    if isinstance(today, _dt.datetime):
        return today.date()
    if isinstance(today, _dt.date):
        return today
    raise TypeError("today must be a datetime.date or None")


def _resolve_sex(sex):
    """Map the ``sex`` argument to "男"/"女"/None (None/"" mean unknown)."""
    if sex is None or sex == "":
        return None
    if sex in (MALE, FEMALE):
        return sex
    raise ValueError('sex must be "男", "女" or None')


# ---------------------------------------------------------------------------
# Resident ID number (GB 11643)
# ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

MSG_ID_EMPTY = "身份证号不能为空"
MSG_ID_FORMAT = "身份证号格式不正确"
MSG_ID_LENGTH = "身份证号应为18位"
MSG_ID_CHARS = "身份证号前17位应为数字，最后一位应为数字或X"
MSG_ID_BIRTH = "身份证号中的出生日期无效"
MSG_ID_CHECK = "身份证号校验位不正确"
MSG_ID_SEX = "身份证号与性别不符"


def _id_check_char(body17):
    """Check character for 17 ASCII digits."""
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def _id_birth_date(number):
    """Birth date encoded in an 18-character number, or None if not a date."""
    part = number[6:14]
    if not _is_ascii_digits(part) or len(part) != 8:
        return None
    try:
        return _dt.date(int(part[:4]), int(part[4:6]), int(part[6:8]))
    except ValueError:
        return None


def normalize_id_number(s):
    """Strip surrounding whitespace and upper-case a trailing ``x``.

    Returns '' for anything that is not a str.
    """
    if not isinstance(s, str):
        return ""
    return s.strip().replace("x", "X")


def _id_structure_error(number):
    """Errors that do not depend on today's date or on the stated sex."""
    if len(number) != 18:
        return MSG_ID_LENGTH
    if not _is_ascii_digits(number[:17]) or number[17] not in "0123456789X":
        return MSG_ID_CHARS
    if _id_birth_date(number) is None:
        return MSG_ID_BIRTH
    if _id_check_char(number[:17]) != number[17]:
        return MSG_ID_CHECK
    return None


def id_number_error(s, sex=None, today=None):
    """None when ``s`` is a valid ID number, else the Chinese reason.

    The birth date must be a real date, not before 1900-01-01 and strictly
    before ``today`` (default: ``date.today()``).  When ``sex`` is "男" or
    "女" it must match digit 17 (odd = 男, even = 女); None or "" skip that
    check.
    """
    if _is_blank(s):
        return MSG_ID_EMPTY
    if not isinstance(s, str):
        return MSG_ID_FORMAT
    sex = _resolve_sex(sex)
    number = normalize_id_number(s)
    error = _id_structure_error(number)
    if error:
        return error
    birth = _id_birth_date(number)
    if birth.year < 1900 or birth >= _resolve_today(today):
        return MSG_ID_BIRTH
    if sex is not None and _id_sex(number) != sex:
        return MSG_ID_SEX
    return None


def is_valid_id_number(s, sex=None, today=None):
    """Bool form of :func:`id_number_error`; never raises."""
    try:
        return id_number_error(s, sex=sex, today=today) is None
    except Exception:
        return False


def _id_sex(number):
    return MALE if int(number[16]) % 2 == 1 else FEMALE


def birth_date_from_id(s):
    """Birth date of a structurally valid ID number, else None.

    Structurally valid means right length and characters, a real calendar
    date and a correct check character; the 1900/today range is not applied
    so that the result does not depend on the current date.
    """
    number = normalize_id_number(s)
    if _id_structure_error(number):
        return None
    return _id_birth_date(number)


def sex_from_id(s):
    """"男"/"女" for a structurally valid ID number, else None."""
    number = normalize_id_number(s)
    if _id_structure_error(number):
        return None
    return _id_sex(number)


def check_id_number(s, sex=None, today=None):
    """Return the normalised ID number or raise :class:`Invalid`."""
    error = id_number_error(s, sex=sex, today=today)
    if error:
        raise Invalid(error)
    return normalize_id_number(s)


def make_id_number(region="610102", birth=_dt.date(1990, 1, 1), seq=12, sex=MALE):
    """Build a valid ID number (for seeds and tests).

    ``seq`` (0-499) is an ordinal: the 3-digit sequence code is
    ``2 * seq + (1 if sex == "男" else 0)``, so its last digit has the right
    parity and distinct ``seq`` values give distinct numbers for the same
    region, birth date and sex.  ``birth`` may be a date or a datetime.
    """
    if not (isinstance(region, str) and len(region) == 6 and _is_ascii_digits(region)):
        raise ValueError("region must be 6 ASCII digits")
    if isinstance(birth, _dt.datetime):
        birth = birth.date()
    if not isinstance(birth, _dt.date):
        raise TypeError("birth must be a datetime.date")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= 499:
        raise ValueError("seq must be an int from 0 to 499")
    sex = _resolve_sex(sex)
    if sex is None:
        raise ValueError('sex must be "男" or "女"')
    code = 2 * seq + (1 if sex == MALE else 0)
    body = "%s%04d%02d%02d%03d" % (region, birth.year, birth.month, birth.day, code)
    return body + _id_check_char(body)


# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100)
# ---------------------------------------------------------------------------

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(_CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MSG_CREDIT_EMPTY = "统一社会信用代码不能为空"
MSG_CREDIT_FORMAT = "统一社会信用代码格式不正确"
MSG_CREDIT_LENGTH = "统一社会信用代码应为18位"
MSG_CREDIT_CHARS = "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
MSG_CREDIT_CHECK = "统一社会信用代码校验位不正确"


def _credit_check_char(body17):
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(body17, _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(s):
    """Strip surrounding whitespace and upper-case ASCII letters.

    Only a-z are upper-cased (``str.upper`` would turn e.g. the ligature
    'ﬀ' into 'FF').  Returns '' for anything that is not a str.
    """
    if not isinstance(s, str):
        return ""
    return s.strip().translate(_ASCII_LOWER_TO_UPPER)


def credit_code_error(s):
    """None when ``s`` is a valid unified social credit code, else the reason."""
    if _is_blank(s):
        return MSG_CREDIT_EMPTY
    if not isinstance(s, str):
        return MSG_CREDIT_FORMAT
    code = normalize_credit_code(s)
    if len(code) != 18:
        return MSG_CREDIT_LENGTH
    if any(c not in _CREDIT_VALUES for c in code):
        return MSG_CREDIT_CHARS
    if _credit_check_char(code[:17]) != code[17]:
        return MSG_CREDIT_CHECK
    return None


def is_valid_credit_code(s):
    """Bool form of :func:`credit_code_error`; never raises."""
    try:
        return credit_code_error(s) is None
    except Exception:
        return False


def check_credit_code(s):
    """Return the normalised credit code or raise :class:`Invalid`."""
    error = credit_code_error(s)
    if error:
        raise Invalid(error)
    return normalize_credit_code(s)


def make_credit_code(body17):
    """Append the correct check character to 17 valid symbols."""
    body = normalize_credit_code(body17)
    if len(body) != 17 or any(c not in _CREDIT_VALUES for c in body):
        raise ValueError("body17 must be 17 characters from %s" % _CREDIT_ALPHABET)
    return body + _credit_check_char(body)


# ---------------------------------------------------------------------------
# Mobile numbers
# ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")

MSG_MOBILE_EMPTY = "手机号码不能为空"
MSG_MOBILE = "手机号码应为以1开头的11位数字"


def normalize_mobile(s):
    """Remove all whitespace (surrounding and inner); '' for non-str."""
    if not isinstance(s, str):
        return ""
    return "".join(s.split())


def mobile_error(s):
    """None when ``s`` is a valid mainland mobile number, else the reason."""
    if _is_blank(s):
        return MSG_MOBILE_EMPTY
    if not isinstance(s, str):
        return MSG_MOBILE
    # fullmatch: "$" would also accept a trailing newline.
    if _MOBILE_RE.fullmatch(normalize_mobile(s)) is None:
        return MSG_MOBILE
    return None


def is_valid_mobile(s):
    """Bool form of :func:`mobile_error`; never raises."""
    try:
        return mobile_error(s) is None
    except Exception:
        return False


def check_mobile(s):
    """Return the normalised mobile number or raise :class:`Invalid`."""
    error = mobile_error(s)
    if error:
        raise Invalid(error)
    return normalize_mobile(s)


# A unit's contact phone: a mobile number, or a landline with its area code and an optional
# extension (029-88886666, 02988886666, 0917-8888666-8012, 029-88886666转8012).
_LANDLINE_RE = re.compile(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(?:(?:-|转)[0-9]{1,6})?")

MSG_CONTACT_PHONE = "联系电话应为11位手机号码，或带区号的固定电话（如029-88886666，分机可写作029-88886666-801）"


def contact_phone_error(s):
    """None when ``s`` is a mobile number or a landline with its area code, else the reason."""
    if _is_blank(s):
        return None  # optional: whether it is required is the form's business
    if not isinstance(s, str):
        return MSG_CONTACT_PHONE
    number = normalize_mobile(s)
    if _MOBILE_RE.fullmatch(number) or _LANDLINE_RE.fullmatch(number):
        return None
    return MSG_CONTACT_PHONE


# ---------------------------------------------------------------------------
# Certificate numbers
# ---------------------------------------------------------------------------

MSG_CERT_EMPTY = "注册证书编号不能为空"
MSG_QUAL_EMPTY = "资格证书编号不能为空"
MSG_QUAL = "资格证书编号应为6至32位字母、数字或连字符"

_QUAL_RE = re.compile(r"[A-Za-z0-9-]{6,32}")


def certificate_number_error(s, province="陕"):
    """None when ``s`` is ``province`` + "2" + at least 8 ASCII digits."""
    if _is_blank(s):
        return MSG_CERT_EMPTY
    province = province if isinstance(province, str) else ""
    example = province + "220260001"
    message = "注册证书编号格式不正确，应为“%s2”后接至少8位数字，例如%s" % (province, example)
    if not isinstance(s, str):
        return message
    pattern = re.escape(province) + "2[0-9]{8,}"
    if re.fullmatch(pattern, s.strip()) is None:
        return message
    return None


def is_valid_certificate_number(s, province="陕"):
    """Bool form of :func:`certificate_number_error`; never raises."""
    try:
        return certificate_number_error(s, province=province) is None
    except Exception:
        return False


def qualification_number_error(s):
    """None when ``s`` has 6-32 ASCII letters/digits/hyphens (not only hyphens)."""
    if _is_blank(s):
        return MSG_QUAL_EMPTY
    if not isinstance(s, str):
        return MSG_QUAL
    value = s.strip()
    if _QUAL_RE.fullmatch(value) is None or not value.strip("-"):
        return MSG_QUAL
    return None


def is_valid_qualification_number(s):
    """Bool form of :func:`qualification_number_error`; never raises."""
    try:
        return qualification_number_error(s) is None
    except Exception:
        return False


# ---------------------------------------------------------------------------
# National e-licence identifiers (电子证照标识, GB/T 36904)
# ---------------------------------------------------------------------------

ELICENCE_ROOT = "1.2.156.3005.2"  # the e-licence arc of China's OID tree
ElicenceIdentifier = namedtuple("ElicenceIdentifier", "type_code issuer_code serial version check")

# type code 21 symbols (GB/T 36902: e.g. 11100000000013338W001); issuer code: a credit code, or in
# some provinces a region code; serial: the issuer's own; version: three digits; one check character
_ELICENCE_FIELD = re.compile(r"[0-9A-Z]+")
_ELICENCE_RE = re.compile(
    re.escape(ELICENCE_ROOT) + r"\.([0-9A-Z]{21})\.([0-9A-Z]{6,18})\.([0-9A-Z]{1,40})\.([0-9]{3})\.([0-9A-Z])"
)

MSG_ELICENCE_EMPTY = "证照标识不能为空"
MSG_ELICENCE_FORMAT = ("证照标识格式不正确，应为“1.2.156.3005.2.证照类型代码.颁发机构代码.流水号.版本号.校验位”，"
                       "各段为数字或大写字母，版本号3位")
MSG_ELICENCE_CHECK = "证照标识校验位不正确（ISO 7064 MOD 37,36），请核对各段是否抄错"


def _elicence_check_char(type_code, issuer_code, serial, version):
    return mod_37_36.calc_check_digit(type_code + issuer_code + serial + version)


def make_elicence_identifier(type_code, issuer_code, serial, version):
    """The identifier of one issue of an e-licence; ``version`` an int (1 for the first issue) or
    three digits. Raises :class:`Invalid` when a field cannot be part of one."""
    version = f"{version:03d}" if isinstance(version, int) else str(version)
    fields = (str(type_code), str(issuer_code), str(serial), version)
    if not all(_ELICENCE_FIELD.fullmatch(f) for f in fields):
        raise Invalid(MSG_ELICENCE_FORMAT)
    identifier = ".".join((ELICENCE_ROOT, *fields, _elicence_check_char(*fields)))
    if _ELICENCE_RE.fullmatch(identifier) is None:
        raise Invalid(MSG_ELICENCE_FORMAT)
    return identifier


def elicence_identifier_error(s):
    """None when ``s`` is a well-formed e-licence identifier whose check character is right."""
    if _is_blank(s):
        return MSG_ELICENCE_EMPTY
    if not isinstance(s, str):
        return MSG_ELICENCE_FORMAT
    found = _ELICENCE_RE.fullmatch(s.strip())
    if found is None:
        return MSG_ELICENCE_FORMAT
    if _elicence_check_char(*found.groups()[:4]) != found.group(5):
        return MSG_ELICENCE_CHECK
    return None


def is_valid_elicence_identifier(s):
    """Bool form of :func:`elicence_identifier_error`; never raises."""
    try:
        return elicence_identifier_error(s) is None
    except Exception:
        return False


def check_elicence_identifier(s):
    """The identifier's fields (:class:`ElicenceIdentifier`, version an int), or :class:`Invalid`."""
    error = elicence_identifier_error(s)
    if error:
        raise Invalid(error)
    type_code, issuer_code, serial, version, check = _ELICENCE_RE.fullmatch(s.strip()).groups()
    return ElicenceIdentifier(type_code, issuer_code, serial, int(version), check)


# ---------------------------------------------------------------------------
# Masking for display
# ---------------------------------------------------------------------------


def _mask_middle(value):
    """Keep the first and last character; mask everything if 2 or fewer."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_id_number(s):
    """"610***********1234" for 18 characters; first/last kept otherwise."""
    value = normalize_id_number(s)
    if len(value) == 18:
        return value[:3] + "*" * 11 + value[-4:]
    return _mask_middle(value)


def mask_phone(s):
    """"138****5678" for 11 characters; first/last kept otherwise."""
    value = normalize_mobile(s)
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return _mask_middle(value)


def mask_name(s):
    """王*国 / 王* : the family name and, for three or more characters, the last one."""
    if not isinstance(s, str) or not s.strip():
        return ""
    s = s.strip()
    if len(s) == 1:
        return "*"
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]
