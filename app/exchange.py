"""The national data exchange (四库一平台): persons, enterprises, registrations and their
specialties, in the national platform's fields, changed since the last run.

    start(restart=False, full=False, now=None) -> (run, resumed)
        The unfinished run, resumed; or a new one for the rows changed in (since, until]: `since` is
        the last finished run's `until` (the watermark; none: everything), `until` is now less
        EXCHANGE_LAG_SECONDS, so that a transaction still open at the start is read next time.
    run_entities(run, batch_size=None, advance=None)
        Reads each entity in (updated_at, id) order, EXCHANGE_BATCH rows at a time, appends them as
        JSON lines to <EXCHANGE_DIR>/run-<id>/<entity>.jsonl, POSTs each batch to EXCHANGE_URL when
        it is set (retried EXCHANGE_TRIES times, the wait doubling from EXCHANGE_RETRY_SECONDS), then
        commits the checkpoint (last row, rows, file length). A resumed run cuts each file back to
        its checkpoint's length and goes on after its last row: it writes exactly what an
        uninterrupted run would have. At the end, manifest.json lists each file with its rows,
        fields and SHA-256, and the run becomes the new watermark.

Rows are read by keyset (never OFFSET) over the (updated_at, id) indexes of migration 0023, one
batch in memory at a time, so a million registrations stream in constant memory. Field names
follow the national basic-database standard where it is known (CorpName, CorpCode, LegalMan,
Address, LinkMan, LinkPhone …); the rest follow its style and are listed as assumed in README.
"""
import hashlib
import json
import logging
import os
import time
from collections import namedtuple
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from models import Enterprise, ExchangeCheckpoint, ExchangeRun, Person, Registration
from models.registrations import ENDED_STATUSES

log = logging.getLogger(__name__)

REG_TYPE = "二级注册建造师"
ID_TYPE_RESIDENT = "1"  # 居民身份证 in the national standard's certificate-type dictionary (assumed code)
SEX_CODES = {"男": "1", "女": "2"}  # GB/T 2261.1
# the platform's status words; a locked registration is still in force, with a supervision mark
STATUS_NAMES = {"active": "有效", "locked": "锁定", "suspended": "暂停", "cancelled": "注销", "expired": "失效",
                "revoked": "撤销"}


class ExchangeFailed(RuntimeError):
    """The national platform did not take a batch; the run stops there and resumes there."""


def _day(value):
    return value.isoformat() if isinstance(value, date) else None


def _time(value):
    return value.isoformat(timespec="seconds") if value else None


def _person_row(p):
    return {
        "PersonName": p.name, "IDCardTypeNum": ID_TYPE_RESIDENT, "IDCard": p.id_number,
        "SexNum": SEX_CODES.get(p.sex, "9"), "Birthday": _day(p.birth_date), "Nation": p.ethnicity,
        "EduLevel": p.education, "Specialty": p.major, "GraduateSchool": p.school, "TitleName": p.title,
        "Mobile": p.phone, "Email": p.email, "UpdateTime": _time(p.updated_at),
    }


def _enterprise_row(e):
    return {
        "CorpName": e.name, "CorpCode": e.credit_code, "LegalMan": e.legal_representative,
        "Address": e.registered_address, "EconomicType": e.enterprise_type, "CorpStatus": e.govnet_status,
        "LinkMan": e.contact_person, "LinkPhone": e.contact_phone, "OfficeAddress": e.office_address,
        "QualificationGrade": e.qualification_grade, "SafetyLicenceNum": e.safety_licence_number,
        "UpdateTime": _time(e.updated_at),
    }


def _registration_row(r):
    authority = current_app.config["ISSUING_AUTHORITY"]
    return {
        "CertNum": r.certificate_number, "RegType": REG_TYPE, "PersonName": r.person.name,
        "IDCardTypeNum": ID_TYPE_RESIDENT, "IDCard": r.person.id_number, "CorpName": r.printed_enterprise_name,
        "CorpCode": r.enterprise.credit_code, "ValidStartDate": _day(r.valid_from), "ValidEndDate": _day(r.valid_until),
        "RegStatus": STATUS_NAMES[r.status], "IsRevoked": r.status in ENDED_STATUSES,
        "RevokeTime": _time(r.ended_at), "AwardDepart": authority, "UpdateTime": _time(r.updated_at),
    }


def _specialty_rows(r):
    """One row per registered specialty in force, with its own validity; the platform replaces a
    certificate's specialties with the latest set it receives (a certificate with none left, ended,
    sends none)."""
    return [{
        "CertNum": r.certificate_number, "IDCard": r.person.id_number, "SpecialtyCode": t.specialty.code,
        "SpecialtyName": t.specialty.name, "ValidStartDate": _day(t.valid_from), "ValidEndDate": _day(t.valid_until),
        "UpdateTime": _time(r.updated_at),
    } for t in r.specialty_terms if t.status == "active"]


Entity = namedtuple("Entity", "name label model options rows fields")
ENTITIES = (
    Entity("persons", "人员", Person, lambda: (), lambda p: [_person_row(p)],
           ("PersonName", "IDCardTypeNum", "IDCard", "SexNum", "Birthday", "Nation", "EduLevel", "Specialty",
            "GraduateSchool", "TitleName", "Mobile", "Email", "UpdateTime")),
    Entity("enterprises", "企业", Enterprise, lambda: (), lambda e: [_enterprise_row(e)],
           ("CorpName", "CorpCode", "LegalMan", "Address", "EconomicType", "CorpStatus", "LinkMan", "LinkPhone",
            "OfficeAddress", "QualificationGrade", "SafetyLicenceNum", "UpdateTime")),
    Entity("registrations", "注册", Registration,
           lambda: (joinedload(Registration.person), joinedload(Registration.enterprise)), lambda r: [_registration_row(r)],
           ("CertNum", "RegType", "PersonName", "IDCardTypeNum", "IDCard", "CorpName", "CorpCode", "ValidStartDate",
            "ValidEndDate", "RegStatus", "IsRevoked", "RevokeTime", "AwardDepart", "UpdateTime")),
    Entity("registration_specialties", "注册专业", Registration,
           lambda: (joinedload(Registration.person), selectinload(Registration.specialty_terms)), _specialty_rows,
           ("CertNum", "IDCard", "SpecialtyCode", "SpecialtyName", "ValidStartDate", "ValidEndDate", "UpdateTime")),
)
BY_NAME = {e.name: e for e in ENTITIES}


# --- runs and the watermark -----------------------------------------------------------------------

def watermark():
    """The `until` of the latest finished run: the next run exports what changed after it."""
    return db.session.scalar(select(func.max(ExchangeRun.until)).where(ExchangeRun.status == "done"))


def open_run():
    return db.session.scalars(select(ExchangeRun).where(ExchangeRun.status == "running")
                              .order_by(ExchangeRun.id.desc()).limit(1)).first()


def files_here(run):
    """Whether this machine holds the run's working files as far as its checkpoints went. The files
    are appended in EXCHANGE_DIR of the worker that ran the run; another worker host resuming it
    finds none (or shorter ones) there."""
    for checkpoint in run.checkpoints:
        path = _path(run, checkpoint.entity)
        if checkpoint.file_bytes and (not os.path.exists(path) or os.path.getsize(path) < checkpoint.file_bytes):
            return False
    return True


def start(restart=False, full=False, now=None):
    """(run, resumed): the unfinished run to resume, or a new one. An unfinished run whose files
    are on another machine (several worker hosts, each with its own EXCHANGE_DIR) is not resumed
    here: it is abandoned and a new run covers the same changes from the same watermark, so nothing
    is lost (the national platform may receive some rows twice, as after any restart)."""
    found = open_run()
    if found is not None and not restart and not files_here(found):
        log.warning("exchange run %s: its files are not on this machine (%s); starting over", found.id,
                    found.folder)
        restart = True
    if found is not None and not restart:
        return found, True
    if found is not None:  # abandoned: its files stay where they are, the watermark does not move
        found.status = "abandoned"
    now = now or datetime.now()
    until = now - timedelta(seconds=current_app.config["EXCHANGE_LAG_SECONDS"])
    run = ExchangeRun(since=None if full else watermark(), until=until, status="running", folder="",
                      started_at=now)
    db.session.add(run)
    db.session.flush()
    run.folder = os.path.join(current_app.config["EXCHANGE_DIR"], f"run-{run.id:06d}")
    for entity in ENTITIES:
        run.checkpoints.append(ExchangeCheckpoint(entity=entity.name, last_id=0, rows=0, batches=0, file_bytes=0,
                                                  pushed_batches=0, done=False))
    db.session.commit()
    os.makedirs(run.folder, exist_ok=True)
    return run, False


Window = namedtuple("Window", "id since until folder")  # what a run reads, as plain values


def _window(run, model):
    condition = model.updated_at <= run.until
    if run.since is not None:
        condition = and_(model.updated_at > run.since, condition)
    return condition


def _after(last_updated_at, last_id, model):
    if last_updated_at is None:
        return True
    # a row-value comparison, which PostgreSQL reads as a bound of the (updated_at, id) index: rows
    # written together (COPY, one transaction) share updated_at, and an OR form would rescan them
    return tuple_(model.updated_at, model.id) > tuple_(last_updated_at, last_id)


def remaining(run):
    """Rows still to read, over every entity not finished (what the progress bar counts)."""
    total = 0
    for checkpoint in run.checkpoints:
        if checkpoint.done:
            continue
        model = BY_NAME[checkpoint.entity].model
        total += db.session.scalar(select(func.count()).select_from(model).where(
            _window(run, model), _after(checkpoint.last_updated_at, checkpoint.last_id, model)))
    return total


# --- pushing --------------------------------------------------------------------------------------

class FilePlatform:
    """No national platform configured: the files are what is handed over."""

    name = "file"

    def push(self, run, entity, number, rows):
        pass


class HttpPlatform:
    """POSTs each batch as JSON {run, entity, batch, batch_id, since, until, rows}; taken when 2xx and
    its JSON carries no error code. Retried with a doubling wait; then ExchangeFailed."""

    name = "http"

    def __init__(self, url, token="", timeout=30.0, tries=5, wait=2.0):
        self.url, self.token, self.timeout, self.tries, self.wait = url, token, timeout, max(tries, 1), wait

    def push(self, run, entity, number, rows):
        import requests

        body = {"run": run.id, "entity": entity, "batch": number, "batch_id": f"{run.id}-{entity}-{number}",
                "since": _time(run.since), "until": _time(run.until), "rows": rows}
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        problem = None
        for attempt in range(self.tries):
            if attempt:
                time.sleep(self.wait * 2 ** (attempt - 1))
            try:
                answer = requests.post(self.url, json=body, headers=headers, timeout=self.timeout)
                if not answer.ok:
                    problem = f"HTTP {answer.status_code}"
                    continue
                data = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else None
                if isinstance(data, dict) and str(data.get("code", 0)) not in ("0", "OK", "ok"):
                    problem = f"code {data.get('code')}: {data.get('message', '')}"
                    continue
                return
            except (requests.RequestException, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
        raise ExchangeFailed(f"{entity} batch {number}: {problem} after {self.tries} tries")


def platform(config=None):
    config = config or current_app.config
    if config.get("EXCHANGE_URL"):
        return HttpPlatform(config["EXCHANGE_URL"], config.get("EXCHANGE_TOKEN", ""),
                            config.get("EXCHANGE_TIMEOUT", 30.0), config.get("EXCHANGE_TRIES", 5),
                            config.get("EXCHANGE_RETRY_SECONDS", 2.0))
    return FilePlatform()


# --- the run --------------------------------------------------------------------------------------

def _path(run, entity):
    return os.path.join(run.folder, f"{entity}.jsonl")


def _commit_checkpoint():
    db.session.commit()


def run_entities(run, batch_size=None, advance=None):
    """Export every entity of the run from its checkpoint on; finish the run (manifest, watermark)."""
    batch_size = batch_size or current_app.config["EXCHANGE_BATCH"]
    target = platform()
    window = Window(run.id, run.since, run.until, run.folder)
    os.makedirs(window.folder, exist_ok=True)
    for checkpoint_id, name, done in [(c.id, c.entity, c.done) for c in run.checkpoints]:
        if not done:
            _run_entity(window, checkpoint_id, BY_NAME[name], batch_size, target, advance)
    return _finish(window.id)


def _run_entity(window, checkpoint_id, entity, batch_size, target, advance):
    checkpoint = db.session.get(ExchangeCheckpoint, checkpoint_id)
    path = _path(window, entity.name)
    with open(path, "ab") as f:  # cut back to what the checkpoint holds: a crash may have written more
        f.truncate(checkpoint.file_bytes)
    last_updated_at, last_id = checkpoint.last_updated_at, checkpoint.last_id
    model = entity.model
    while True:
        query = (select(model).where(_window(window, model), _after(last_updated_at, last_id, model))
                 .order_by(model.updated_at, model.id).limit(batch_size))
        options = entity.options()  # built when used: a module import must not configure the mappers
        if options:
            query = query.options(*options)
        items = db.session.scalars(query).unique().all()
        checkpoint = db.session.get(ExchangeCheckpoint, checkpoint_id)
        if not items:
            checkpoint.done = True
            _commit_checkpoint()
            return
        rows = [row for item in items for row in entity.rows(item)]
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
        with open(path, "ab") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        number = checkpoint.batches + 1
        target.push(window, entity.name, number, rows)
        last_updated_at, last_id = items[-1].updated_at, items[-1].id
        checkpoint.last_updated_at, checkpoint.last_id = last_updated_at, last_id
        checkpoint.rows += len(rows)
        checkpoint.batches = number
        if target.name == "http":
            checkpoint.pushed_batches = number
        checkpoint.file_bytes += len(data)
        _commit_checkpoint()
        db.session.expunge_all()  # constant memory however many batches
        if advance is not None:
            advance(len(items))


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _finish(run_id):
    run = db.session.get(ExchangeRun, run_id)
    manifest = {
        "platform": "四库一平台", "run": run.id, "since": _time(run.since), "until": _time(run.until),
        "format": "JSON Lines, UTF-8", "files": [{
            "entity": c.entity, "label": BY_NAME[c.entity].label, "file": f"{c.entity}.jsonl", "rows": c.rows,
            "batches": c.batches, "bytes": c.file_bytes, "sha256": _sha256(_path(run, c.entity)),
            "fields": list(BY_NAME[c.entity].fields),
        } for c in run.checkpoints],
    }
    with open(os.path.join(run.folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
    publish(run, ["manifest.json"] + [item["file"] for item in manifest["files"]])
    run.status, run.finished_at = "done", datetime.now()
    db.session.commit()
    return manifest


def publish(run, names):
    """With STORAGE_BACKEND=s3, a finished run's files go into the bucket every node reads, under
    <S3_PREFIX>exchange/run-NNNNNN/ (uploaded in parts, never whole in memory), so that whoever
    collects them, and every node, find the same files whichever worker host ran the run. The local
    backend keeps them in EXCHANGE_DIR only."""
    config = current_app.config
    if config.get("STORAGE_BACKEND") != "s3":
        return
    from app import storage

    client = storage.s3_client(config)
    prefix = f"{config['S3_PREFIX']}exchange/{os.path.basename(run.folder)}/"
    for name in names:
        client.upload_file(os.path.join(run.folder, name), config["S3_BUCKET"], prefix + name)


def runs(limit=10):
    return db.session.scalars(select(ExchangeRun).order_by(ExchangeRun.id.desc()).limit(limit)).all()
