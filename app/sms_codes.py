"""SMS verification codes (短信验证码): issue one to a phone, check what the user typed.

The rules, all settings: 6 digits; valid SMS_CODE_TTL_SECONDS; SMS_CODE_MAX_TRIES tries; one send
per SMS_RESEND_SECONDS and SMS_DAILY_LIMIT sends a day per phone. Counts come from the sms_code
table, so every worker sees the same ones. A code is stored only as an HMAC keyed with SECRET_KEY:
a copy of the database alone does not give the codes away.
"""
import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import refusals, sms
from app.extensions import db
from models import SmsCode

LOGIN = "login"
PHONE = "phone"  # confirming a new verified phone

TEXTS = {
    LOGIN: _l("【二级建造师注册】您的登录验证码为%(code)s，%(minutes)s分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。"),
    PHONE: _l("【二级建造师注册】您正在更换绑定手机号，验证码为%(code)s，%(minutes)s分钟内有效。如非本人操作，请忽略本短信。"),
}


class Refused(refusals.Refused):
    """A code could not be sent or was not accepted."""

    def __init__(self, message, wait_seconds=0):
        super().__init__(message)
        self.wait_seconds = wait_seconds


class TooSoon(Refused):
    pass


class DailyLimit(Refused):
    pass


class SendFailed(Refused):
    pass


class WrongCode(Refused):
    pass


class NoCode(Refused):
    """Nothing to check against: never sent, already used, expired or out of tries."""


def _config(name):
    return current_app.config[name]


def _digest(row_salt, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{row_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _hash(code):
    salt = secrets.token_hex(16)
    return f"{salt}${_digest(salt, code)}"


def _matches(stored, code):
    salt, _, digest = stored.partition("$")
    return hmac.compare_digest(digest, _digest(salt, code))


def last_sent(phone):
    return db.session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))


def wait_seconds(phone, now=None):
    """Seconds until this phone may be sent another code (0: now)."""
    last = last_sent(phone)
    if last is None:
        return 0
    left = _config("SMS_RESEND_SECONDS") - ((now or datetime.now()) - last).total_seconds()
    return max(0, math.ceil(left))


def sent_today(phone, now=None):
    start = (now or datetime.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(select(func.count(SmsCode.id)).where(SmsCode.phone == phone,
                                                                   SmsCode.created_at >= start))


def issue(user_id, phone, purpose, now=None):
    """Send a new code to `phone`. Raises TooSoon, DailyLimit or SendFailed (with the reason)."""
    now = now or datetime.now()
    wait = wait_seconds(phone, now)
    if wait:
        raise TooSoon(_l("验证码已发送，请%(seconds)s秒后再重新获取", seconds=wait), wait)
    if sent_today(phone, now) >= _config("SMS_DAILY_LIMIT"):
        raise DailyLimit(_l("该手机号今日接收验证码已达%(limit)s条上限，请明天再试；急需办理请联系注册中心",
                            limit=_config("SMS_DAILY_LIMIT")))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    ttl = _config("SMS_CODE_TTL_SECONDS")
    db.session.add(SmsCode(user_id=user_id, phone=phone, purpose=purpose, code_hash=_hash(code), created_at=now,
                           expires_at=now + timedelta(seconds=ttl), tries=0))
    minutes = max(1, ttl // 60)
    message = sms.Sms(phone=phone, purpose=purpose, user_id=user_id, params={"code": code, "minutes": minutes},
                      text=str(TEXTS[purpose] % {"code": code, "minutes": minutes}),
                      redacted=str(TEXTS[purpose] % {"code": "******", "minutes": minutes}))
    try:
        sms.send(message)
    except sms.SendFailed:
        db.session.commit()  # the attempt counts: a failing gateway is not retried in a loop
        raise SendFailed(_l("短信发送失败，请稍后重新获取；如多次失败请联系注册中心"),
                         _config("SMS_RESEND_SECONDS"))
    db.session.commit()


def latest(user_id, purpose):
    return db.session.scalars(select(SmsCode).where(SmsCode.user_id == user_id, SmsCode.purpose == purpose)
                              .order_by(SmsCode.id.desc()).limit(1)).first()


def tries_left(challenge):
    return max(0, _config("SMS_CODE_MAX_TRIES") - challenge.tries)


def verify(user_id, purpose, typed, now=None):
    """The user's latest code of this purpose, if `typed` is it; marks it used. Raises NoCode or
    WrongCode (each with the reason). Every guess counts, whoever else is guessing at the same time."""
    now = now or datetime.now()
    typed = (typed or "").strip()
    if len(typed) != 6 or not (typed.isascii() and typed.isdigit()):
        raise WrongCode(_l("请输入短信中的6位数字验证码"))
    challenge = latest(user_id, purpose)
    if challenge is None or challenge.used_at is not None:
        raise NoCode(_l("请先获取验证码"))
    if challenge.expires_at <= now:
        raise NoCode(_l("验证码已过期（有效期%(minutes)s分钟），请重新获取",
                        minutes=max(1, _config("SMS_CODE_TTL_SECONDS") // 60)))
    # Count the try first, in one statement, so that parallel guesses cannot exceed the limit.
    counted = db.session.execute(
        update(SmsCode).where(SmsCode.id == challenge.id, SmsCode.used_at.is_(None),
                              SmsCode.tries < _config("SMS_CODE_MAX_TRIES"))
        .values(tries=SmsCode.tries + 1)
    ).rowcount
    if not counted:
        db.session.commit()
        raise NoCode(_l("验证码错误次数过多，已失效，请重新获取"))
    if not _matches(challenge.code_hash, typed):
        db.session.commit()
        db.session.refresh(challenge)
        left = tries_left(challenge)
        if left == 0:
            raise NoCode(_l("验证码错误次数过多，已失效，请重新获取"))
        raise WrongCode(_l("验证码不正确，还可尝试%(count)s次", count=left))
    used = db.session.execute(
        update(SmsCode).where(SmsCode.id == challenge.id, SmsCode.used_at.is_(None)).values(used_at=now)
    ).rowcount
    db.session.commit()
    if not used:
        raise NoCode(_l("请先获取验证码"))
    db.session.refresh(challenge)
    return challenge
