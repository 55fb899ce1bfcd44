"""The qualification register (资格证书库): the exam authority's list, imported in batches.

Each row: name, ID number, certificate number, specialty, issue date. A row is accepted (new
certificate), updated (the certificate exists: its data is refreshed) or refused with the reason.
Persons are found by ID number, or created from the row (they sign in later through the
government services network, matched on the same ID number).
"""
import csv
import io
from collections import namedtuple
from datetime import date, datetime

from sqlalchemy import select

from app import validators
from app.extensions import db
from models import Person, Qualification, Specialty

COLUMNS = ("姓名", "身份证号", "资格证书编号", "专业", "签发日期")
Outcome = namedtuple("Outcome", "line status reason")


def read_rows(path):
    """Rows of a CSV (UTF-8, with or without BOM) or Excel file, header first, as lists of text."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in workbook.active.iter_rows(values_only=True):
                yield ["" if v is None else (v.date().isoformat() if isinstance(v, datetime) else str(v)) for v in row]
        finally:
            workbook.close()  # a read-only workbook holds its file open until closed, not until collected
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle)


def parse_date(text):
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def import_rows(rows, batch_size=500, progress=None):
    """Import data rows (header already removed); returns the outcome of each row."""
    specialties = {s.name: s for s in db.session.scalars(select(Specialty))}
    outcomes, pending = [], 0
    seen_numbers = set()
    for line, row in enumerate(rows, start=2):
        outcomes.append(_import_one(line, row, specialties, seen_numbers))
        pending += 1
        if pending >= batch_size:
            db.session.commit()
            if progress:
                progress(pending)
            pending = 0
    db.session.commit()
    if progress and pending:
        progress(pending)
    return outcomes


def _import_one(line, row, specialties, seen_numbers):
    cells = [str(c).strip() for c in row] + [""] * 5
    name, id_number, number, specialty_name, issued = cells[:5]
    if not name:
        return Outcome(line, "refused", "缺少姓名")
    error = validators.id_number_error(id_number)
    if error:
        return Outcome(line, "refused", error)
    id_number = validators.normalize_id_number(id_number)
    error = validators.qualification_number_error(number)
    if error:
        return Outcome(line, "refused", error)
    if number in seen_numbers:
        return Outcome(line, "refused", f"资格证书编号 {number} 在文件中重复")
    specialty = specialties.get(specialty_name)
    if specialty is None:
        return Outcome(line, "refused", f"专业“{specialty_name}”不是二级建造师的注册专业")
    issue_date = parse_date(issued)
    if issue_date is None or issue_date > date.today():
        return Outcome(line, "refused", f"签发日期“{issued}”无效")
    person = db.session.scalars(select(Person).where(Person.id_number == id_number)).one_or_none()
    if person is None:
        person = Person(name=name, id_number=id_number, sex=validators.sex_from_id(id_number),
                        birth_date=validators.birth_date_from_id(id_number))
        db.session.add(person)
    elif person.name != name:
        return Outcome(line, "refused", f"身份证号已登记为“{person.name}”，与姓名“{name}”不符")
    seen_numbers.add(number)
    found = db.session.scalars(select(Qualification).where(Qualification.certificate_number == number)).one_or_none()
    if found is not None:
        if found.person_id is not None and found.person is not person:
            return Outcome(line, "refused", f"资格证书编号 {number} 已属于其他人员")
        found.specialty, found.issue_date = specialty, issue_date
        return Outcome(line, "updated", "")
    db.session.add(Qualification(person=person, specialty=specialty, certificate_number=number,
                                 issue_date=issue_date))
    return Outcome(line, "accepted", "")


def report(outcomes):
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("accepted", "updated", "refused")}
    lines = [f"接收 {counts['accepted']} 行，更新 {counts['updated']} 行，拒绝 {counts['refused']} 行"]
    lines += [f"  第{o.line}行：{o.reason}" for o in outcomes if o.status == "refused"]
    return counts, "\n".join(lines)


def to_text_rows(data):
    """For tests and the API: CSV text to rows."""
    return list(csv.reader(io.StringIO(data)))
