"""`flask govnet sync`: every docked enterprise re-read from the directory, in batches.

Each batch's changes are committed together with the run's progress (the last enterprise id), so
an interrupted run (directory unreachable, Ctrl-C, a crash) continues after the last committed
batch the next time it is started.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.govnet import directory as directory_module
from models import DirectorySyncRun, Enterprise, EnterpriseNameHistory


def unfinished_run():
    return db.session.scalars(
        select(DirectorySyncRun).where(DirectorySyncRun.finished_at.is_(None)).order_by(DirectorySyncRun.id.desc())
    ).first()


def start(restart=False, now=None):
    """The run to work on, and whether it resumes an interrupted one."""
    run = unfinished_run()
    if run is not None and not restart:
        return run, True
    now = now or datetime.now()
    if run is not None:  # abandoned: closed as it stands, its counts stay on record
        run.finished_at = now
    run = DirectorySyncRun(started_at=now, last_enterprise_id=0,
                           **{name: 0 for name in DirectorySyncRun.COUNTS})
    db.session.add(run)
    db.session.commit()
    return run, False


def _docked_after(last_id):
    return select(Enterprise).where(Enterprise.docked_at.is_not(None), Enterprise.id > last_id)


def remaining(run):
    return db.session.scalar(select(func.count()).select_from(_docked_after(run.last_enterprise_id).subquery()))


def run_batches(run, batch_size=None, directory=None, advance=None, now=None):
    """Work through the docked enterprises after the run's last id; returns the finished run.

    advance(n) is called after each committed batch (the progress bar). DirectoryError and
    anything else stop the run after a rollback of the current batch; it stays resumable."""
    batch_size = batch_size or current_app.config["GOVNET_SYNC_BATCH"]
    directory = directory or directory_module.from_config()
    while True:
        batch = db.session.scalars(
            _docked_after(run.last_enterprise_id).order_by(Enterprise.id).limit(batch_size)
        ).all()
        if not batch:
            break
        try:
            _sync_batch(run, batch, directory, now or datetime.now())
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if advance:
            advance(len(batch))
    run.finished_at = datetime.now()
    db.session.commit()
    return run


def _sync_batch(run, batch, directory, now):
    records = directory.lookup_many([e.credit_code for e in batch])
    for enterprise in batch:
        run.checked += 1
        record = records.get(enterprise.credit_code)
        if record is None:
            run.not_found += 1
            current_app.logger.warning("sync: %s is not in the directory", enterprise.credit_code)
            continue
        changes = directory_module.sync_enterprise(enterprise, record=record, now=now, commit=False)
        for kind in directory_module.kinds(changes):
            setattr(run, kind, getattr(run, kind) + 1)
    run.last_enterprise_id = batch[-1].id


def renames(run):
    """The renames this run applied (old name, new name), for the summary."""
    return db.session.execute(
        select(EnterpriseNameHistory.old_name, EnterpriseNameHistory.new_name)
        .where(EnterpriseNameHistory.source == "sync", EnterpriseNameHistory.changed_at >= run.started_at)
        .order_by(EnterpriseNameHistory.id)
    ).all()
