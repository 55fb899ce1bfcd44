"""The government enterprise directory (政务服务网企业库), docking (数据对接) and synchronisation.

An enterprise's master data (credit code, name, legal representative, registered address, type,
registration status) is read from the directory through an adapter: FileDirectory reads a JSON
or CSV file (the sample in seeds/govnet/ is the embedded default, GOVNET_DIRECTORY_FILE), and
HttpDirectory asks the directory service at GOVNET_DIRECTORY_URL.

    dock(credit_code, actor=None) -> Enterprise
        Looks the code up, creates the enterprise or links the existing row, syncs its fields and
        records when and by whom it docked. From then on persons can choose it as their unit.
    sync_enterprise(enterprise, source="sync") -> [Change]
        Re-reads one docked enterprise; a rename keeps the old name (曾用名).

Both raise NotFound (not in the directory: str() says the enterprise must first be certified on
the government services network) or Unavailable (the directory cannot be reached); both are
DirectoryError, whose str() is the message for the user. dock() raises app.validators.Invalid
for a malformed credit code. Fields from the directory are written only here (models/directory.py
guards them).
"""
import csv
import json
import os
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, flash, g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from sqlalchemy import and_, select

from app.extensions import db
from app.govnet.remote import RemoteError, get_json
from app.validators import check_credit_code, normalize_credit_code
from models import Enterprise, EnterpriseAccount, EnterpriseNameHistory
from models.directory import writing_synced_fields

ACTIVE = "存续"
# The market regulator's words for an enterprise in business; all of them mean 存续 here.
ACTIVE_WORDS = frozenset({"存续", "在业", "在营", "开业", "在册", "存续（在营、开业、在册）"})

# directory record field -> Enterprise column, in the order pages list them
FIELDS = {
    "name": "name",
    "legal_representative": "legal_representative",
    "registered_address": "registered_address",
    "enterprise_type": "enterprise_type",
    "status": "govnet_status",
}
FIELD_LABELS = {
    "name": _l("单位名称"),
    "legal_representative": _l("法定代表人"),
    "registered_address": _l("注册地址"),
    "enterprise_type": _l("企业类型"),
    "govnet_status": _l("登记状态"),
}
# Keys a directory answer may use: ours, and the market regulator's (UNISCID, ENTNAME, ...).
_ALIASES = {
    "credit_code": ("credit_code", "uniscid", "UNISCID"),
    "name": ("name", "entname", "ENTNAME"),
    "legal_representative": ("legal_representative", "lerep", "LEREP", "name_of_legal_representative"),
    "registered_address": ("registered_address", "dom", "DOM", "address"),
    "enterprise_type": ("enterprise_type", "enttype", "ENTTYPE", "type"),
    "status": ("status", "regstate", "REGSTATE"),
}

Change = namedtuple("Change", "field old new")


class DirectoryError(Exception):
    """str() is the reason in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self):
        return str(self.message)


class NotFound(DirectoryError):
    pass


class Unavailable(DirectoryError):
    pass


def not_certified_message(code):
    return _l("政务服务网企业库中没有统一社会信用代码为 %(code)s 的企业。企业须先在政务服务网完成企业认证"
              "（法人用户注册并认证），再登录本系统企业端完成数据对接，之后其人员才能选择该单位。", code=code)


def _unavailable():
    return Unavailable(_l("暂时无法连接政务服务网企业库，请稍后再试；如持续出现请联系系统管理员"))


@dataclass(frozen=True)
class Record:
    """One enterprise as the directory reports it."""

    credit_code: str
    name: str
    legal_representative: str | None = None
    registered_address: str | None = None
    enterprise_type: str | None = None
    status: str = ACTIVE

    @classmethod
    def from_mapping(cls, data):
        def pick(field):
            for key in _ALIASES[field]:
                value = data.get(key)
                if value not in (None, ""):
                    return str(value).strip()
            return None

        code, name = normalize_credit_code(pick("credit_code") or ""), pick("name")
        if not code or not name:
            return None
        status = pick("status") or ACTIVE
        return cls(code, name, pick("legal_representative"), pick("registered_address"),
                   pick("enterprise_type"), ACTIVE if status in ACTIVE_WORDS else status)


# --- adapters ---------------------------------------------------------------------------------

class FileDirectory:
    """A JSON file ({"enterprises": [...]} or a list) or a CSV file with a header row."""

    _cache = {}  # path -> (mtime, size, inode, {code: Record}): re-read only when the file changes

    def __init__(self, path):
        self.path = path
        self.source = f"file:{os.path.basename(path)}"

    def _records(self):
        try:
            stat = os.stat(self.path)
        except OSError as error:
            current_app.logger.error("directory file %s: %s", self.path, error)
            raise _unavailable() from error
        cached = self._cache.get(self.path)
        if cached and cached[:3] == (stat.st_mtime_ns, stat.st_size, stat.st_ino):
            return cached[3]
        with open(self.path, encoding="utf-8-sig", newline="") as f:
            if self.path.lower().endswith(".csv"):
                rows = list(csv.DictReader(f))
            else:
                data = json.load(f)
                rows = data.get("enterprises", []) if isinstance(data, dict) else data
        records = {}
        for row in rows:
            record = Record.from_mapping(row)
            if record is not None:
                records[record.credit_code] = record
        self._cache[self.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino, records)
        return records

    def lookup(self, code):
        return self._records().get(code)

    def lookup_many(self, codes):
        records = self._records()
        return {code: records.get(code) for code in codes}


class HttpDirectory:
    """GET {url}?credit_code=... with a bearer token; the answer is one enterprise as JSON (our
    keys or the market regulator's), optionally wrapped in {"data": ...}; 404 or an empty answer
    means not found."""

    def __init__(self, url, token="", timeout=10.0):
        self.url, self.token, self.timeout = url, token, timeout
        self.source = url

    def lookup(self, code):
        try:
            status, data = get_json(self.url, {"credit_code": code}, self.token, self.timeout)
        except RemoteError as error:
            current_app.logger.warning("directory: %s", error)
            raise _unavailable() from error
        if isinstance(data, dict) and "data" in data:
            data = data["data"]
        if isinstance(data, list):
            data = data[0] if data else None
        record = Record.from_mapping(data) if isinstance(data, dict) else None
        return record if record is not None and record.credit_code == code else None

    def lookup_many(self, codes):
        return {code: self.lookup(code) for code in codes}


def from_config(config=None):
    config = config or current_app.config
    if config.get("GOVNET_DIRECTORY_URL"):
        return HttpDirectory(config["GOVNET_DIRECTORY_URL"], config.get("GOVNET_DIRECTORY_TOKEN", ""),
                             config.get("GOVNET_DIRECTORY_TIMEOUT", 10.0))
    return FileDirectory(config["GOVNET_DIRECTORY_FILE"])


# --- docking and sync --------------------------------------------------------------------------

def dock(credit_code, actor=None, now=None, directory=None):
    """Dock the enterprise with this credit code (数据对接); returns it, committed."""
    code = check_credit_code(credit_code)
    directory = directory or from_config()
    record = directory.lookup(code)
    if record is None:
        raise NotFound(not_certified_message(code))
    now = now or datetime.now()
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is None:
        with writing_synced_fields():
            enterprise = Enterprise(credit_code=code, name=record.name, govnet_status=record.status)
        db.session.add(enterprise)
    source = "center" if actor is not None else "dock"
    _apply(enterprise, record, source, now)
    if enterprise.docked_at is None:
        enterprise.docked_at = now
        enterprise.docked_by = _actor_label(actor)
    enterprise.synced_at = now
    db.session.commit()
    _synced_in_this_request(enterprise)
    return enterprise


def sync_enterprise(enterprise, source="sync", now=None, directory=None, record=None, commit=True):
    """Re-read one enterprise from the directory and apply what changed; returns the changes."""
    if record is None:
        record = (directory or from_config()).lookup(enterprise.credit_code)
    if record is None:
        raise NotFound(_l("政务服务网企业库中已查不到该企业（统一社会信用代码 %(code)s），信息未更新；"
                          "请核实企业的登记情况", code=enterprise.credit_code))
    now = now or datetime.now()
    changes = _apply(enterprise, record, source, now)
    enterprise.synced_at = now
    if commit:
        db.session.commit()
    _synced_in_this_request(enterprise)
    return changes


def _synced_in_this_request(enterprise):
    """Remember it, so the sign-in hook does not ask the directory twice in one sign-in."""
    if has_request_context():
        g.setdefault("_directory_synced", set()).add(enterprise.id)


def _apply(enterprise, record, source, now):
    changes = []
    with writing_synced_fields():
        for field, column in FIELDS.items():
            new = getattr(record, field)
            old = getattr(enterprise, column)
            if enterprise.id is not None and new != old:
                changes.append(Change(column, old, new))
            setattr(enterprise, column, new)
    for change in changes:
        if change.field == "name" and change.old:
            db.session.add(EnterpriseNameHistory(enterprise=enterprise, old_name=change.old, new_name=change.new,
                                                 changed_at=now, source=source))
    return changes


def kinds(changes):
    """What a sync changed, in the words of the sync summary."""
    found = set()
    for change in changes:
        if change.field == "name":
            found.add("renamed")
        elif change.field == "govnet_status" and change.new != ACTIVE:
            found.add("deregistered")
        elif change.field == "registered_address":
            found.add("address_changed")
        else:
            found.add("other_changed")
    return found or {"unchanged"}


def describe(change):
    return _l("%(field)s：%(old)s → %(new)s", field=FIELD_LABELS[change.field], old=change.old or "—",
              new=change.new or "—")


def _actor_label(actor):
    if actor is None:
        return "法人登录"
    if isinstance(actor, str):
        return actor
    full = f"{actor.last_name or ''}{actor.first_name or ''}".strip()
    return f"{full}（{actor.username}）" if full else actor.username


# --- who may be chosen as a unit ---------------------------------------------------------------

def selectable():
    """SQL condition: enterprises persons may choose as their unit (docked, in business)."""
    return and_(Enterprise.docked_at.is_not(None), Enterprise.govnet_status == ACTIVE)


def unit_problem(enterprise):
    """Why this enterprise cannot be chosen as a unit, or None."""
    if enterprise is None or not enterprise.is_docked:
        return _l("请选择聘用单位：所选单位尚未完成数据对接。单位须先在政务服务网完成企业认证，"
                  "再登录本系统企业端完成数据对接，之后才能被选择")
    if enterprise.govnet_status != ACTIVE:
        return _l("请选择聘用单位：所选单位在政务服务网的登记状态为“%(status)s”，不能作为聘用单位",
                  status=enterprise.govnet_status)
    return None


def former_names_note(names):
    return _l("曾用名：%(names)s", names="、".join(dict.fromkeys(names)))


NO_MATCH = _l("没有找到匹配的单位。单位须先在政务服务网完成企业认证，并登录本系统企业端完成数据对接，"
              "之后才能在这里选择；请联系您的单位办理。")


# --- every enterprise sign-in syncs ------------------------------------------------------------

def init_app(app):
    """Sync an enterprise's record whenever one of its users signs in, whatever the login method."""
    user_logged_in.connect(_sync_on_sign_in, app)


def _sync_on_sign_in(app, user=None, **extra):
    if user is None:
        return
    enterprise = db.session.scalar(
        select(Enterprise).join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
        .where(EnterpriseAccount.user_id == user.id)
    )
    if enterprise is None or not enterprise.is_docked:
        return
    if has_request_context() and enterprise.id in g.get("_directory_synced", ()):
        return  # the sign-in itself docked it (法人登录) a moment ago
    try:
        changes = sync_enterprise(enterprise, source="sign_in")
    except DirectoryError as problem:
        db.session.rollback()
        app.logger.warning("sync on sign-in of %s: %s", enterprise.credit_code, problem)
        if has_request_context():
            flash(_l("企业信息未能与政务服务网同步：%(reason)s", reason=str(problem)), "warning")
        return
    if changes and has_request_context():
        flash(_l("已从政务服务网同步企业信息：%(changes)s", changes="；".join(str(describe(c)) for c in changes)),
              "info")
