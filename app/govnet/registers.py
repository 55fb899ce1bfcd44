"""Checks against outside registers before 提交, so a filing is not flagged the day after it was filed.

- 社保比对 (social insurance): the applicant is insured by the chosen unit, matched on the unit's
  credit code and the ID number. For initial, renewal, change-of-unit and re-registration.
- 在施锁定 (live-project lock): a person named on a project under construction cannot change unit.
- 跨省注册核验 (transfer from another province): a person still registered in another province
  (not cancelled or transferred out there, as the national platform reports it) cannot be
  registered here. For initial, re-registration and change of unit.

Each register sits behind an adapter: a CSV file shipped in seeds/govnet/ is the embedded default
(GOVNET_SOCIAL_INSURANCE_FILE, GOVNET_PROJECT_LOCK_FILE); an HTTP service when its URL is set.
submit_problems() runs the checks that apply and returns the reasons of the failed ones; with the
提交 that they let through, each result is recorded (models.OutsideCheck, shown to the unit and the
center on the filing's page with its time and source).
"""
import csv
import os
from collections import namedtuple
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.business_types import INSURANCE_CHECKED
from app.govnet.remote import RemoteError, get_json
from models import OutsideCheck, Review

# kind -> the business types it applies to
APPLIES_TO = {
    "social_insurance": INSURANCE_CHECKED,
    "project_lock": frozenset({"change_unit"}),
    "transfer": frozenset({"initial", "reregister", "change_unit"}),
}
KIND_LABELS = {"social_insurance": _l("社保比对"), "project_lock": _l("在施锁定"), "transfer": _l("跨省注册核验")}
INSURED = frozenset({"参保缴费", "正常参保", "正常缴费", "参保"})
LIVE = frozenset({"在施", "在建", "施工中"})
# a registration elsewhere that no longer holds the person: anything else (注册, 有效 …) does
RELEASED = frozenset({"已注销", "注销", "已转出", "转出", "已失效", "失效", "已撤销", "撤销"})

Project = namedtuple("Project", "name code role")
Holding = namedtuple("Holding", "province certificate_number unit status")


class RegisterUnavailable(Exception):
    pass


def _rows(path, _cache={}):  # noqa: B006 (path -> (mtime, size, inode, rows): re-read when the file changes)
    try:
        stat = os.stat(path)
    except OSError as error:
        raise RegisterUnavailable(f"{path}: {error}") from error
    cached = _cache.get(path)
    if cached and cached[:3] == (stat.st_mtime_ns, stat.st_size, stat.st_ino):
        return cached[3]
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]
    _cache[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino, rows)
    return rows


def data_month(value=None, today=None):
    """The register's data month as "YYYY-MM": the one it names, else the month before this one (the
    register is filled from the month's contributions, so it holds last month at best)."""
    value = (value or "").strip()[:7]
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit() and 1 <= int(value[5:]) <= 12:
        return value
    first = (today or date.today()).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def month_label(month):
    """2026-11 -> 2026年11月数据"""
    return _l("%(year)s年%(month)s月数据", year=month[:4], month=int(month[5:7]))


class FileSocialInsurance:
    """CSV: id_number, credit_code, unit_name, insured_since, status (参保缴费 counts as insured), and
    optionally data_month (YYYY-MM, the month the rows were taken; else GOVNET_SOCIAL_INSURANCE_MONTH,
    else last month)."""

    def __init__(self, path, name="", month=""):
        self.path, self.source, self.month = path, local_copy(name or os.path.basename(path)), month

    def insured(self, id_number, credit_code):
        return self.check(id_number, credit_code)[0]

    def check(self, id_number, credit_code):
        """(insured, the data month checked)"""
        rows = _rows(self.path)
        found = any(r.get("id_number", "").upper() == id_number.upper() and r.get("credit_code", "").upper() == credit_code
                    and r.get("status", "") in INSURED for r in rows)
        months = [r["data_month"] for r in rows if r.get("data_month")]
        return found, data_month(max(months) if months else self.month)


class HttpSocialInsurance:
    """GET {url}?id_number=...&credit_code=... -> {"insured": true|false}."""

    def __init__(self, url, token="", timeout=10.0, name="", month=""):
        self.url, self.token, self.timeout, self.source, self.month = url, token, timeout, name or url, month

    def insured(self, id_number, credit_code):
        return self.check(id_number, credit_code)[0]

    def check(self, id_number, credit_code):
        """(insured, the data month checked): the answer's data_month, else the setting, else last month."""
        try:
            _, data = get_json(self.url, {"id_number": id_number, "credit_code": credit_code}, self.token, self.timeout)
        except RemoteError as error:
            raise RegisterUnavailable(str(error)) from error
        if not isinstance(data, dict) or not isinstance(data.get("insured"), bool):
            raise RegisterUnavailable(f"{self.url}: no 'insured' in the answer")
        month = data.get("data_month") if isinstance(data.get("data_month"), str) else ""
        return data["insured"], data_month(month or self.month)


class FileProjectLock:
    """CSV: id_number, name, project, project_code, role, status (在施 locks the person)."""

    def __init__(self, path, name=""):
        self.path, self.source = path, local_copy(name or os.path.basename(path))

    def live_projects(self, id_number):
        return [Project(r.get("project", ""), r.get("project_code", ""), r.get("role", ""))
                for r in _rows(self.path)
                if r.get("id_number", "").upper() == id_number.upper() and r.get("status", "") in LIVE]


class HttpProjectLock:
    """GET {url}?id_number=... -> {"projects": [{"project", "project_code", "role", "status"}]}."""

    def __init__(self, url, token="", timeout=10.0, name=""):
        self.url, self.token, self.timeout, self.source = url, token, timeout, name or url

    def live_projects(self, id_number):
        try:
            _, data = get_json(self.url, {"id_number": id_number}, self.token, self.timeout)
        except RemoteError as error:
            raise RegisterUnavailable(str(error)) from error
        if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
            raise RegisterUnavailable(f"{self.url}: no 'projects' in the answer")
        return [Project(p.get("project", ""), p.get("project_code", ""), p.get("role", ""))
                for p in data["projects"] if isinstance(p, dict) and p.get("status", "在施") in LIVE]


class FileTransferRegister:
    """CSV: id_number, name, province, certificate_number, unit_name, status (a status outside
    RELEASED means the person is still registered there)."""

    def __init__(self, path, name=""):
        self.path, self.source = path, local_copy(name or os.path.basename(path))

    def holdings(self, id_number):
        return [Holding(r.get("province", ""), r.get("certificate_number", ""), r.get("unit_name", ""),
                        r.get("status", "")) for r in _rows(self.path)
                if r.get("id_number", "").upper() == id_number.upper() and r.get("status", "") not in RELEASED]


class HttpTransferRegister:
    """GET {url}?id_number=... -> {"registrations": [{"province", "certificate_number", "unit_name", "status"}]}."""

    def __init__(self, url, token="", timeout=10.0, name=""):
        self.url, self.token, self.timeout, self.source = url, token, timeout, name or url

    def holdings(self, id_number):
        try:
            _, data = get_json(self.url, {"id_number": id_number}, self.token, self.timeout)
        except RemoteError as error:
            raise RegisterUnavailable(str(error)) from error
        if not isinstance(data, dict) or not isinstance(data.get("registrations"), list):
            raise RegisterUnavailable(f"{self.url}: no 'registrations' in the answer")
        return [Holding(r.get("province", ""), r.get("certificate_number", ""), r.get("unit_name", ""),
                        r.get("status", "")) for r in data["registrations"]
                if isinstance(r, dict) and r.get("status", "") not in RELEASED]


def local_copy(name):
    """A register read from the copy on this server: the reviewers see which register, and that
    what they see is a copy (its file name stays in the server's settings, not on the page)."""
    return f"{name}（本地副本）"


def social_insurance(config=None):
    config = config or current_app.config
    name = config.get("GOVNET_SOCIAL_INSURANCE_NAME", "")
    month = config.get("GOVNET_SOCIAL_INSURANCE_MONTH", "")
    if config.get("GOVNET_SOCIAL_INSURANCE_URL"):
        return HttpSocialInsurance(config["GOVNET_SOCIAL_INSURANCE_URL"], config.get("GOVNET_REGISTERS_TOKEN", ""),
                                   config.get("GOVNET_REGISTERS_TIMEOUT", 10.0), name, month)
    return FileSocialInsurance(config["GOVNET_SOCIAL_INSURANCE_FILE"], name, month)


def project_lock(config=None):
    config = config or current_app.config
    name = config.get("GOVNET_PROJECT_LOCK_NAME", "")
    if config.get("GOVNET_PROJECT_LOCK_URL"):
        return HttpProjectLock(config["GOVNET_PROJECT_LOCK_URL"], config.get("GOVNET_REGISTERS_TOKEN", ""),
                               config.get("GOVNET_REGISTERS_TIMEOUT", 10.0), name)
    return FileProjectLock(config["GOVNET_PROJECT_LOCK_FILE"], name)


def transfer_register(config=None):
    config = config or current_app.config
    name = config.get("TRANSFER_REGISTER_NAME", "")
    if config.get("TRANSFER_REGISTER_URL"):
        return HttpTransferRegister(config["TRANSFER_REGISTER_URL"], config.get("GOVNET_REGISTERS_TOKEN", ""),
                                    config.get("GOVNET_REGISTERS_TIMEOUT", 10.0), name)
    return FileTransferRegister(config["TRANSFER_REGISTER_FILE"], name)


# --- the checks --------------------------------------------------------------------------------

def _check_social_insurance(application):
    unit = application.enterprise
    register = social_insurance()
    insured, month = register.check(application.id_number, unit.credit_code)
    checked = month_label(month)
    if insured:
        return True, _l("已查到在“%(unit)s”的社会保险参保缴费记录（%(month)s）", unit=unit.name, month=checked), \
            register.source
    if application.accepted_on_commitment:
        return COMMITTED, _l("社保比对未通过（%(month)s）：未查到在“%(unit)s”（统一社会信用代码 %(code)s）参保缴费的记录；"
                             "申请人以劳动合同和签字的告知承诺书继续提交，请审核人员核实聘用关系。",
                             month=checked, unit=unit.name, code=unit.credit_code), register.source
    return False, _l("社保比对未通过（%(month)s）：未查到您在“%(unit)s”（统一社会信用代码 %(code)s）参保缴费的记录。"
                     "请确认所选聘用单位无误，并请单位为您办理社会保险参保（参保登记的身份证号须与本人一致），"
                     "参保记录可查后再提交。如您本月刚入职、参保记录尚未进入比对数据，可修改申请，勾选"
                     "“社保比对未通过时以告知承诺继续”，上传劳动合同和签字的告知承诺书后提交，审核人员将看到该标记。",
                     month=checked, unit=unit.name, code=unit.credit_code), register.source


def _check_project_lock(application):
    register = project_lock()
    projects = register.live_projects(application.id_number)
    if not projects:
        return True, _l("未查到在施项目"), register.source
    names = "、".join(f"{p.name}（{p.role}）" if p.role else p.name for p in projects)
    return False, _l("在施锁定：您是在施项目%(projects)s的在册人员，项目在施期间不能变更注册单位。"
                     "请先由项目建设单位办理项目负责人变更，或待项目竣工验收后再提交。", projects=names), register.source


def _check_transfer(application):
    register = transfer_register()
    held = register.holdings(application.id_number)
    if not held:
        return True, _l("未查到在其他省份尚未注销的二级建造师注册"), register.source
    h = held[0]
    return False, _l("跨省注册核验未通过：您在%(province)s持有二级建造师注册（注册证书编号 %(number)s，注册单位“%(unit)s”，"
                     "状态：%(status)s），尚未注销或转出，不能在本省注册。请先向%(province)s的注册机关申请注销该注册"
                     "（或办理转出），待全国建筑市场监管公共服务平台显示已注销后再提交。",
                     province=h.province, number=h.certificate_number, unit=h.unit, status=h.status), register.source


_CHECKS = {"social_insurance": _check_social_insurance, "project_lock": _check_project_lock,
           "transfer": _check_transfer}
# a check that found no match but lets 提交 go on: the filer's 告知承诺 stands in for the record
COMMITTED = "committed"


def enabled_checks():
    setting = current_app.config.get("OUTSIDE_CHECKS", "")
    names = setting.split(",") if isinstance(setting, str) else setting
    return [name.strip() for name in names if name.strip() in _CHECKS]


def submit_problems(application, now=None):
    """Run the outside checks this filing needs and return the reasons of the failed ones.

    Pages may call this to say in advance why 提交 would fail; the results are recorded only with
    an actual 提交, in its transaction (see _record_with_the_submit)."""
    if application.enterprise is None:
        return []  # app/rules.py already asks for the unit
    now = now or datetime.now()
    problems, results = [], []
    for kind in enabled_checks():
        if application.business_type not in APPLIES_TO[kind]:
            continue
        try:
            passed, message, source = _CHECKS[kind](application)
        except RegisterUnavailable as error:
            current_app.logger.warning("%s: %s", kind, error)
            passed, source = False, "-"
            message = _l("暂时无法完成%(check)s（外部系统无法连接），请稍后再提交；如持续出现请联系注册中心",
                         check=KIND_LABELS[kind])
        with force_locale("zh"):  # the record is part of the file: kept in Chinese whatever the UI language
            text = str(message)
        results.append(dict(kind=kind, passed=passed is True, message=text, checked_at=now, source=source[:256]))
        if passed is False:
            problems.append(message)
    application._outside_results = results
    return problems


@event.listens_for(Session, "before_flush")
def _record_with_the_submit(session, flush_context, instances):
    """When a 提交 review is written, the checks that let it through are written with it."""
    for review in [o for o in session.new if isinstance(o, Review) and o.action == "submit"]:
        application = review.application
        for result in getattr(application, "_outside_results", None) or ():
            session.add(OutsideCheck(application=application, **result))
            if result["kind"] == "social_insurance" and result["passed"] and application.accepted_on_commitment:
                application.accepted_on_commitment = False  # the record matched: no commitment was needed
        if application is not None:
            application._outside_results = None
