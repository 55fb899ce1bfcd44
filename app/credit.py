"""Credit records (信用记录): the 不良行为记录 and 行政处罚 of persons, and the bar some of them put on
registration business.

The center records one on its page or through the API, or imports a file of them (CSV or .xlsx).
Every way in goes through check() and add(): the same reasons, field by field, in Chinese. Whether a
record bars registration is decided here alone, by its kind: the kinds in CREDIT_BARRING_KINDS (a
setting; 行政处罚 by default) bar the business types of business_types.CREDIT_BARRED from the first
to the last day of the record's period. app/rules.py asks bar_problems() at 新增 and at 提交.

An import keeps every valid row and lists every refused one with its row number, column and reason:
a bad row never stops the good ones, and nothing of a bad row is written.
"""
import csv
import io
from collections import namedtuple
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from app import audit, refusals, validators
from app.business_types import CREDIT_BARRED, type_label
from app.extensions import db
from app.i18n import chinese
from models import CreditRecord

KINDS = {"bad_conduct": _l("不良行为记录"), "penalty": _l("行政处罚")}
# the fields of a record, in the order of the page form, the import file's columns and the export
FIELDS = ("name", "id_number", "kind", "authority", "decision_number", "decided_on", "period_from",
          "period_until", "facts")
LABELS = {"name": _l("姓名"), "id_number": _l("身份证号"), "kind": _l("记录类型"), "authority": _l("处罚机关"),
          "decision_number": _l("决定书文号"), "decided_on": _l("决定日期"), "period_from": _l("限制期自"),
          "period_until": _l("限制期至"), "facts": _l("事由")}
# the import file's header: the Chinese labels (事由 may be left out)
REQUIRED_COLUMNS = FIELDS[:-1]
LIMITS = {"name": 64, "authority": 128, "decision_number": 64, "facts": 2000}
SOURCES = ("page", "import", "api")
MAX_IMPORT_ROWS = 5000

RowError = namedtuple("RowError", "line column reason")


class Refused(refusals.Refused):
    """A record that cannot be kept: `problems` is {field: reason}."""


def kind_label(kind):
    return KINDS.get(kind, kind)


def barring_kinds():
    """The kinds that bar registration business during their period (setting CREDIT_BARRING_KINDS)."""
    return {k.strip() for k in current_app.config["CREDIT_BARRING_KINDS"].split(",") if k.strip()}


def bars(kind):
    return kind in barring_kinds()


def bar_label(record_or_pair, today=None):
    """What a list shows of a record's effect: 限制注册 while its period runs, else 不限制注册 / 已届满."""
    kind, until = record_or_pair if isinstance(record_or_pair, tuple) else (record_or_pair.kind,
                                                                              record_or_pair.period_until)
    if not bars(kind):
        return _l("不限制注册")
    if until < (today or date.today()):
        return _l("限制期已届满")
    return _l("限制注册至%(date)s", date=until.isoformat())


# --- checking and keeping one record -----------------------------------------------------------

def parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        if "-" in text:
            year, month, day = (int(part) for part in text.split("-"))
            return date(year, month, day)
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _kind_code(value):
    """A kind by its code, or by its name in Chinese or in the reader's language."""
    text = str(value or "").strip()
    if text in KINDS:
        return text
    return next((code for code, label in KINDS.items() if text in (chinese(label), str(label))), None)


def check(data, today=None):
    """(clean values, {field: reason}) for the values of one record, as typed or read from a file."""
    today = today or date.today()
    values, problems = {}, {}
    for field in FIELDS:
        raw = data.get(field)
        values[field] = raw.strip() if isinstance(raw, str) else raw
    for field in ("name", "authority", "decision_number"):
        if not values[field]:
            problems[field] = _l("请填写%(field)s", field=LABELS[field])
    for field, limit in LIMITS.items():
        if values[field] and len(str(values[field])) > limit:
            problems[field] = _l("%(field)s最多%(max)s个字符", field=LABELS[field], max=limit)
    error = validators.id_number_error(values["id_number"] or "")
    if error:
        problems["id_number"] = error
    else:
        values["id_number"] = validators.normalize_id_number(values["id_number"])
    code = _kind_code(values["kind"])
    if code is None:
        problems["kind"] = _l("记录类型须为“不良行为记录”或“行政处罚”")
    values["kind"] = code
    for field in ("decided_on", "period_from", "period_until"):
        raw = values[field]
        values[field] = parse_date(raw)
        if values[field] is None:
            problems[field] = (_l("请填写%(field)s", field=LABELS[field]) if not raw
                               else _l("%(field)s“%(value)s”不是有效日期（如 2026-03-01）", field=LABELS[field],
                                       value=str(raw)[:20]))
    if values["decided_on"] and values["decided_on"] > today:
        problems["decided_on"] = _l("决定日期不能晚于今天")
    if values["period_from"] and values["period_until"] and values["period_until"] < values["period_from"]:
        problems["period_until"] = _l("限制期至不能早于限制期自")
    values["facts"] = values["facts"] or None
    return values, problems


def existing(authority, decision_number):
    return db.session.scalars(select(CreditRecord).where(CreditRecord.authority == authority,
                                                         CreditRecord.decision_number == decision_number)).first()


def duplicate_reason(values):
    return _l("%(authority)s的决定书文号“%(number)s”已登记，同一机关的文号不能重复",
              authority=values["authority"], number=values["decision_number"])


def add(data, user, source="page", today=None):
    """Check and keep one record (committed); Refused with {field: reason} when it cannot be kept."""
    values, problems = check(data, today)
    if not problems and existing(values["authority"], values["decision_number"]) is not None:
        problems["decision_number"] = duplicate_reason(values)
    if problems:
        raise Refused(_l("信用记录有误，请按提示修改"), problems)
    record = CreditRecord(**values, source=source, created_by_id=getattr(user, "id", None), created_at=datetime.now())
    db.session.add(record)
    try:
        db.session.flush()
        audit.record("credit.add", user=user, target=f"credit_record:{record.id}",
                     detail={"via": source, "count": 1})
        db.session.commit()
    except IntegrityError:  # the same decision number, recorded at the same moment
        db.session.rollback()
        raise Refused(_l("信用记录有误，请按提示修改"), {"decision_number": duplicate_reason(values)}) from None
    return record


# --- importing a file ------------------------------------------------------------------------------

def read_upload(upload):
    """The rows of an uploaded CSV (UTF-8, with or without BOM; or GB18030) or .xlsx file, as lists of
    cell values; Refused when it is neither."""
    if upload is None or not upload.filename:
        raise Refused(_l("请选择要导入的文件"))
    name = upload.filename.lower()
    data = upload.stream.read(current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1)
    if len(data) > current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024:
        raise Refused(_l("文件超过%(mb)sMB，请分批导入", mb=current_app.config["MAX_UPLOAD_MB"]))
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise Refused(_l("文件不是有效的Excel表格"))
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # a damaged or disguised file: any of zipfile's and openpyxl's errors
            raise Refused(_l("文件不是有效的Excel表格")) from None
        try:
            return [list(row) for row in book.active.iter_rows(values_only=True)]
        finally:
            book.close()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(io.StringIO(data.decode(encoding))))
            except UnicodeDecodeError:
                continue
        raise Refused(_l("无法识别文本文件的编码，请另存为Excel表格后导入"))
    raise Refused(_l("只接受Excel表格或逗号分隔的文本文件"))


def header_fields(header):
    """{field: column index} from the header row; Refused naming the columns it lacks."""
    labels = {str(LABELS[f]): f for f in FIELDS} | {chinese(LABELS[f]): f for f in FIELDS}
    found = {}
    for index, cell in enumerate(header or []):
        field = labels.get(str(cell or "").strip())
        if field and field not in found:
            found[field] = index
    missing = [str(LABELS[f]) for f in REQUIRED_COLUMNS if f not in found]
    if missing:
        raise Refused(_l("首行须为表头，缺少列：%(columns)s", columns="、".join(missing)))
    return found


def import_rows(rows, user, today=None):
    """Keep every valid data row of a file (its first row the header) and list the refused ones.

    Returns (imported count, [RowError]); the valid rows are committed together. A row is refused
    with each of its problems (row number as the spreadsheet shows it, column, reason); a decision
    number already recorded, or twice in the file, refuses the later row."""
    if not rows:
        raise Refused(_l("文件是空的"))
    columns = header_fields(rows[0])
    body = [(line, row) for line, row in enumerate(rows[1:], start=2)
            if any(str(cell or "").strip() for cell in row)]
    if not body:
        raise Refused(_l("文件中没有数据行"))
    if len(body) > MAX_IMPORT_ROWS:
        raise Refused(_l("一次最多导入%(max)s行，请分批导入", max=MAX_IMPORT_ROWS))
    checked, errors = [], []
    for line, row in body:
        data = {field: (row[index] if index < len(row) else None) for field, index in columns.items()}
        data = {k: (v if isinstance(v, (date, datetime)) or v is None else str(v)) for k, v in data.items()}
        values, problems = check(data, today)
        if problems:
            errors += [RowError(line, str(LABELS[field]), str(reason)) for field, reason in problems.items()]
        else:
            checked.append((line, values))
    keys = [(v["authority"], v["decision_number"]) for _, v in checked]
    recorded = set()
    for start in range(0, len(keys), 500):
        recorded |= set(db.session.execute(select(CreditRecord.authority, CreditRecord.decision_number).where(
            tuple_(CreditRecord.authority, CreditRecord.decision_number).in_(keys[start:start + 500]))).all())
    seen, kept = {}, []
    for line, values in checked:
        key = (values["authority"], values["decision_number"])
        if key in recorded:
            errors.append(RowError(line, str(LABELS["decision_number"]), str(duplicate_reason(values))))
        elif key in seen:
            errors.append(RowError(line, str(LABELS["decision_number"]),
                                   str(_l("与第%(line)s行的处罚机关和决定书文号重复", line=seen[key]))))
        else:
            seen[key] = line
            kept.append(CreditRecord(**values, source="import", created_by_id=getattr(user, "id", None),
                                     created_at=datetime.now()))
    try:
        db.session.add_all(kept)
        if kept:
            audit.record("credit.add", user=user, target="credit_record", detail={"via": "import", "count": len(kept)})
        db.session.commit()
    except IntegrityError:  # a decision number recorded by someone else meanwhile: nothing of this file is kept
        db.session.rollback()
        raise Refused(_l("导入期间有相同决定书文号的记录被登记，本次未导入任何记录，请重新导入")) from None
    return len(kept), sorted(errors)


def template_rows():
    """The import file's header and an example row (the page offers it as a download)."""
    return [[str(LABELS[f]) for f in FIELDS],
            ["张三", "610102198803150018", str(KINDS["penalty"]), "陕西省住房和城乡建设厅", "陕建罚〔2026〕1号",
             "2026-03-01", "2026-03-01", "2027-02-28", "未按规定办理变更注册继续执业"]]


# --- the bar on registration business ------------------------------------------------------------

def barring_records(id_number, today=None):
    """The person's records whose kind bars registration and whose period includes today."""
    today = today or date.today()
    kinds = barring_kinds()
    if not kinds or not id_number:
        return []
    return db.session.scalars(select(CreditRecord).where(
        CreditRecord.id_number == id_number, CreditRecord.period_until >= today,
        CreditRecord.period_from <= today, CreditRecord.kind.in_(kinds)).order_by(CreditRecord.period_until.desc())
    ).all()


def bar_problems(code, records, by_unit=False):
    """Why a business type cannot be filed while these records bar registration: each record by its
    decision number, authority and last day, and what the person can do."""
    if code not in CREDIT_BARRED:
        return []
    return [_l("%(whose)s%(kind)s（%(authority)s %(number)s）限制注册至%(until)s，期间不能办理%(type)s；"
               "期满后可再申请。如对该记录有异议，请向%(authority)s申请复核，或联系注册中心",
               whose=_l("该人员的") if by_unit else _l("您的"), kind=kind_label(r.kind), authority=r.authority,
               number=r.decision_number, until=r.period_until.isoformat(), type=type_label(code))
            for r in records]
