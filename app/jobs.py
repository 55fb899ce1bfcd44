"""The task queue: work that must not wait inside a request, and the periodic work, run by workers.

Jobs: the SMS and in-app notices after a move (app/notify.py), 导出Excel (views/excel.py,
app/excel.py), and on a schedule the renewal reminders, expiry, the directory sync and the SMS
retries (app/tasks.py). A module declares its jobs with @jobs.task(kind, label); a request or
another job asks for one with enqueue(kind, params).

Huey (huey 3) carries the messages and runs the schedule:
- JOBS_BACKEND=redis: RedisHuey on JOBS_REDIS_URL, for production and several machines;
- sqlite (the default): SqliteHuey in a file (JOBS_SQLITE_PATH; by default beside a SQLite
  database), no server; `python run.py` runs
  its workers in threads beside the web server (JOBS_EMBEDDED_WORKERS), so `make run` needs nothing
  else;
- immediate: each job runs the moment it is queued, in the same process (the tests); memory: queued
  in memory until drain() runs them (the tests of the queue itself).

The record of a job is its row in our own database (models/jobs.Job), not Huey's message, because
a message popped by a worker that then dies is gone from Redis and from SQLite alike. So:
- enqueue() writes the row, commits, and only then sends the message (the message carries the id);
- a worker claims the row with one conditional UPDATE (queued -> running): a message delivered twice
  runs the job once;
- while a job runs, its worker refreshes heartbeat_at every JOBS_HEARTBEAT_SECONDS;
- a job that raises is queued again with a delay doubling from JOBS_RETRY_SECONDS (up to
  JOBS_RETRY_MAX_SECONDS) until JOBS_MAX_ATTEMPTS runs are spent, then marked failed: the center
  sees it (后台任务) with its last error and may run it again;
- the reaper, every minute, puts back in the queue a running job whose heartbeat is older than
  JOBS_STALE_SECONDS (its worker died mid-job) and re-sends a queued job whose message is overdue.
A job is therefore run at least once: each handler is written so that running it again finishes
the work without doing it twice (a job's own writes commit with its "done"; SMS go per message).
"""
import logging
import os
import socket
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import health, logs, metrics
from app.extensions import db
from models import Job

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Task:
    kind: str
    func: object
    label: object  # lazy Chinese text for the jobs page
    periodic: bool = False


TASKS = {}  # kind -> Task, filled by @task in the modules that define jobs

# The periodic jobs: kind -> crontab fields, in UTC (Beijing is UTC+8). One scheduler runs them
# (`flask jobs scheduler`, or the embedded one of `python run.py`); each run is a job row of its own.
SCHEDULE = {
    "notify.retry": {"minute": "*/30"},  # the notice SMS still queued after their own job gave up
    "registrations.expire": {"minute": "30", "hour": "16"},  # 00:30 Beijing
    "notify.reminders": {"minute": "0", "hour": "17"},  # 01:00 Beijing
    "campaigns.lock_overdue": {"minute": "30", "hour": "17"},  # 01:30 Beijing: 专项整治 not answered in time
    "govnet.sync": {"minute": "0", "hour": "18"},  # 02:00 Beijing
    "exchange.export": {"minute": "0", "hour": "19"},  # 03:00 Beijing: 四库一平台, changes since the last run
    "elicence.push": {"minute": "*/5"},  # certificate events due for the e-licence library
}


# Why a job failed, as the user who asked and the center read it (in their language): a job keeps
# the code (Job.failure); the technical text (Job.last_error) goes to the log and to the operator.
REASONS = {
    "error": _l("系统处理出错，技术信息已记录"),
    "interrupted": _l("执行任务的进程意外中断"),
    "no_handler": _l("系统无法识别该任务，请联系系统管理员"),
    "user_gone": _l("提交人账号不存在或已停用"),
    "sms": _l("短信网关暂时未能发出全部短信"),
}


def reason(code, text):
    """Declare a reason a module's jobs may fail with (its code, its lazy Chinese text)."""
    REASONS[code] = text
    return code


def reason_text(code):
    """The reason of a failure in the current language (an unknown code reads as the general one)."""
    return str(REASONS.get(code or "error", REASONS["error"]))


class JobFailed(RuntimeError):
    """Raised by a handler whose work is not finished: the job is retried with backoff, unless
    retry=False (running it again cannot help: the asker's account is gone, a request too large).
    str() is the technical detail (log, operator); `reason` names what users read (REASONS)."""

    def __init__(self, detail, reason="error", retry=True):
        super().__init__(detail)
        self.reason, self.retry = reason, retry


def task(kind, label):
    """Declare the handler of a kind of job: func(job, **params)."""
    def register(func):
        TASKS[kind] = Task(kind, func, label, kind in SCHEDULE)
        return func
    return register


def text(lazy):
    """A job's summary as stored: in the default language, as the in-app messages are written."""
    from flask_babel import force_locale

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(lazy)[:255]


def label(kind):
    found = TASKS.get(kind)
    return str(found.label) if found else kind


# --- asking for a job ----------------------------------------------------------------------------

def enqueue(kind, params=None, user=None, defer=False, unique=False):
    """Write a job row, commit, and send its message. With defer=True the row joins the caller's
    transaction and its message goes once commit() below commits it. unique: no second job of this
    kind while one is queued or running (returns that one)."""
    if kind not in TASKS:
        raise KeyError(f"no job kind {kind}")
    if unique:
        pending = db.session.scalar(select(Job).where(Job.kind == kind, Job.state.in_(("queued", "running")))
                                    .order_by(Job.id).limit(1))
        if pending is not None:
            return pending
    config = current_app.config
    job = Job(kind=kind, params=params or {}, state="queued", attempts=0, max_attempts=config["JOBS_MAX_ATTEMPTS"],
              user_id=getattr(user, "id", user), created_at=datetime.now(), run_after=datetime.now(),
              request_id=_request_id(), progress_done=0)
    db.session.add(job)
    db.session.info.setdefault("jobs_to_send", []).append(job)
    if not defer:
        commit()
    return job


def commit():
    """Commit the session, then send the messages of the jobs it queued."""
    db.session.commit()
    for job in db.session.info.pop("jobs_to_send", []):
        send(job.id)


def rollback():
    db.session.rollback()
    db.session.info.pop("jobs_to_send", None)


def send(job_id, delay=None):
    """Hand a queued job's id to the workers (after delay seconds)."""
    queue = current_app.extensions["jobs"]
    try:
        if delay:
            queue.run_task.schedule(args=(job_id,), delay=delay)
        else:
            queue.run_task(job_id)
    except Exception:  # the row stays queued: the reaper sends it again
        log.exception("job %s could not be handed to the queue", job_id)


def _request_id():
    """The request (or job) asking: its id goes with the job, into the worker's log lines."""
    return logs.current() or (g.get("request_id") if has_app_context() else None)


# --- running one ---------------------------------------------------------------------------------

def run(app, job_id):
    """Claim the job and run it in an app context (and database session) of its own, its log lines
    under the id of the request that queued it (app/logs.py)."""
    with app.app_context():
        try:
            request_id = db.session.scalar(select(Job.request_id).where(Job.id == job_id))
            with logs.bound(request_id):
                _run(job_id)
        finally:
            db.session.remove()


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]


def _run(job_id):
    now = datetime.now()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", attempts=Job.attempts + 1, started_at=now, heartbeat_at=now, worker=_worker_name())
    ).rowcount
    db.session.commit()
    if not claimed:
        return  # done, running elsewhere, or already claimed by a duplicate message
    job = db.session.get(Job, job_id)
    handler = TASKS.get(job.kind)
    log.info("job %s (%s) attempt %s started", job.id, job.kind, job.attempts,
             extra={"request_id": job.request_id, "job_id": job.id})
    beat = _Heartbeat(current_app._get_current_object(), job.id)
    beat.start()
    try:
        if handler is None:
            raise JobFailed(f"no handler for {job.kind}", reason="no_handler", retry=False)
        handler.func(job, **(job.params or {}))
        job.state, job.finished_at, job.last_error, job.failure = "done", datetime.now(), None, None
        commit()
        log.info("job %s (%s) done", job_id, handler.kind, extra={"request_id": job.request_id, "job_id": job_id})
    except Exception as problem:
        rollback()
        _failed(job_id, problem)
    finally:
        beat.stop()


def _failed(job_id, problem):
    job = db.session.get(Job, job_id)
    metrics.JOB_FAILURES.labels(job=job.kind).inc()
    job.last_error = "".join(traceback.format_exception_only(type(problem), problem)).strip()[:2000]
    job.failure = problem.reason if isinstance(problem, JobFailed) else "error"
    job.heartbeat_at = None
    if not isinstance(problem, JobFailed):  # unforeseen: the whole traceback goes to the log, never to a page
        log.error("job %s (%s) raised", job.id, job.kind, exc_info=problem,
                  extra={"request_id": job.request_id, "job_id": job.id})
    if job.attempts < job.max_attempts and getattr(problem, "retry", True):
        delay = backoff(job.attempts)
        job.state, job.run_after = "queued", datetime.now() + timedelta(seconds=delay)
        db.session.commit()
        log.warning("job %s (%s) attempt %s failed, retried in %s s: %s", job.id, job.kind, job.attempts, delay,
                    job.last_error, extra={"request_id": job.request_id, "job_id": job.id})
        send(job.id, delay=delay)
    else:
        job.state, job.finished_at = "failed", datetime.now()
        db.session.commit()
        log.error("job %s (%s) failed after %s attempts: %s", job.id, job.kind, job.attempts, job.last_error,
                  extra={"request_id": job.request_id, "job_id": job.id})


def backoff(attempts):
    """Seconds before the next run after `attempts` failed runs: doubling, bounded."""
    config = current_app.config
    return min(config["JOBS_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0), config["JOBS_RETRY_MAX_SECONDS"])


class _Heartbeat:
    """Refreshes a running job's heartbeat_at on a connection of its own, every JOBS_HEARTBEAT_SECONDS."""

    def __init__(self, app, job_id):
        self.app, self.job_id = app, job_id
        self.every = app.config["JOBS_HEARTBEAT_SECONDS"]
        self.stopped = threading.Event()
        self.thread = None

    def start(self):
        if self.every > 0:
            self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{self.job_id}", daemon=True)
            self.thread.start()

    def _beat(self):
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(Job).where(Job.id == self.job_id, Job.state == "running")
                                           .values(heartbeat_at=datetime.now()))
                except Exception:
                    log.exception("heartbeat of job %s", self.job_id)

    def stop(self):
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()


def advancer(job, total):
    """Start the job's progress at 0 of `total`; returns advance(count), which adds to it."""
    progress(job, 0, total)
    done = 0

    def advance(count):
        nonlocal done
        done += count
        progress(job, done)

    return advance


def progress(job, done, total=None):
    """Record how far a job is (an export's rows), on a connection of its own: the job's own
    transaction (and a server-side cursor in it) is left alone. SQLite lets no other connection
    write while a cursor of the job's reads: there the figures go with the job's own commit."""
    values = {"progress_done": done}
    if total is not None:
        values["progress_total"] = total
    if db.engine.dialect.name == "sqlite":
        for key, value in values.items():
            setattr(job, key, value)
        return
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=datetime.now(), **values))
    for key, value in values.items():
        set_committed_value(job, key, value)


# --- keeping the queue whole ---------------------------------------------------------------------

def reap(now=None):
    """Put back in the queue the running jobs whose worker died (heartbeat older than
    JOBS_STALE_SECONDS), and send again the queued jobs whose message is overdue as long.
    Returns (requeued, resent)."""
    now = now or datetime.now()
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    dead = list(db.session.scalars(select(Job).where(
        Job.state == "running", func.coalesce(Job.heartbeat_at, Job.started_at) < stale).order_by(Job.id)))
    for job in dead:
        log.warning("job %s (%s) was running on %s and went silent: queued again", job.id, job.kind, job.worker)
        job.last_error, job.failure = f"worker {job.worker} went silent (no heartbeat)", "interrupted"
        if job.attempts >= job.max_attempts:
            job.state, job.finished_at = "failed", now
        else:
            job.state, job.run_after, job.heartbeat_at = "queued", now, None
    db.session.commit()
    overdue = list(db.session.scalars(select(Job.id).where(Job.state == "queued", Job.run_after < stale)))
    for job in dead:
        if job.state == "queued":
            send(job.id)
    for job_id in overdue:
        send(job_id)
    return len(dead), len(overdue)


def retry(job, user=None):
    """Run a failed job again (the center's 重新执行): a fresh set of attempts."""
    if job.state != "failed":
        return False
    job.state, job.attempts, job.run_after, job.finished_at = "queued", 0, datetime.now(), None
    db.session.commit()
    send(job.id)
    return True


def cleanup(now=None):
    """Forget finished jobs older than JOBS_KEEP_DAYS, and export files older than EXPORT_KEEP_HOURS."""
    now = now or datetime.now()
    config = current_app.config
    expired = now - timedelta(hours=config["EXPORT_KEEP_HOURS"])
    removed = 0
    for job in db.session.scalars(select(Job).where(Job.result_file.is_not(None), Job.finished_at < expired)):
        delete_result(job)
        removed += 1
    db.session.execute(delete(Job).where(Job.state.in_(("done", "failed")),
                                         Job.finished_at < now - timedelta(days=config["JOBS_KEEP_DAYS"])))
    db.session.commit()
    return removed


# --- a job's file (an export): in EXPORT_DIR, or with STORAGE_BACKEND=s3 in the bucket every node reads

def _s3_area():
    from app import storage

    config = current_app.config
    if config.get("STORAGE_BACKEND") != "s3":
        return None
    return storage.S3Area(storage.s3_client(config), config["S3_BUCKET"], config["S3_PREFIX"] + "exports/")


def result_path(job):
    """Where a job's file is on this machine (EXPORT_DIR), or None."""
    if not job.result_file:
        return None
    return os.path.join(current_app.config["EXPORT_DIR"], os.path.basename(job.result_file))


def keep_result(job, written, name, download_name):
    """Keep the file a job wrote at `written` as its result: moved into EXPORT_DIR, or put into the
    bucket (every web node then sends it); a result the job had before is removed."""
    delete_result(job)
    area = _s3_area()
    if area is not None:
        with open(written, "rb") as made:
            area.put(name, made.read())
        os.remove(written)
    else:
        os.replace(written, os.path.join(current_app.config["EXPORT_DIR"], name))
    job.result_file, job.result_name = name, download_name


def read_result(job):
    """The job's file: a path on this machine or the bytes from the bucket; None when gone."""
    if not job.result_file:
        return None
    area = _s3_area()
    if area is not None:
        from app import storage

        try:
            return area.get(job.result_file)
        except storage.Missing:
            return None
    path = result_path(job)
    return path if os.path.exists(path) else None


def delete_result(job):
    if not job.result_file:
        return
    area = _s3_area()
    if area is not None:
        area.delete(job.result_file)
    else:
        path = result_path(job)
        if os.path.exists(path):
            os.remove(path)
    job.result_file = None


def counts():
    """Jobs per state: {state: n} (what the jobs page and a health check show)."""
    return dict(db.session.execute(select(Job.state, func.count(Job.id)).group_by(Job.state)).all())


# --- the queue itself ----------------------------------------------------------------------------

class Queue:
    """One app's Huey instance, with the task that runs a job row and the schedule."""

    def __init__(self, app):
        from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

        self.app = app
        backend, name = app.config["JOBS_BACKEND"], app.config["JOBS_QUEUE_NAME"]
        if backend == "redis":
            self.huey = RedisHuey(name, url=app.config["JOBS_REDIS_URL"], results=False)
        elif backend == "sqlite":
            path = app.config["JOBS_SQLITE_PATH"] or _beside_database(app)
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            self.huey = SqliteHuey(name, filename=path, results=False)
        elif backend in ("immediate", "memory"):
            self.huey = MemoryHuey(name, immediate=backend == "immediate", results=False)
        else:
            raise RuntimeError(f"JOBS_BACKEND must be redis, sqlite, immediate or memory, not {backend!r}")
        self.backend = backend

        def run_job(job_id):
            run(app, job_id)

        self.run_task = self.huey.task(name="run_job")(run_job)

        def reap_jobs():
            with app.app_context():
                try:
                    reap()
                finally:
                    db.session.remove()

        def clean_jobs():
            with app.app_context():
                try:
                    cleanup()
                finally:
                    db.session.remove()

        self.huey.periodic_task(crontab(), name="reap")(reap_jobs)
        self.huey.periodic_task(crontab(minute="7"), name="cleanup")(clean_jobs)
        for kind, fields in SCHEDULE.items():
            self.huey.periodic_task(crontab(**fields), name=f"periodic:{kind}")(self._periodic(kind))

    def _periodic(self, kind):
        def queue_it():
            with self.app.app_context():
                try:
                    enqueue(kind, unique=True)  # a run still going (or queued) is not doubled
                finally:
                    db.session.remove()
        return queue_it

    def consumer(self, workers, scheduler, embedded=False):
        """Huey's consumer: `workers` threads taking jobs, and its scheduler (the periodic jobs only
        when `scheduler`; delayed retries always). Embedded: no signal handlers of its own (the web
        server's Ctrl-C stops the process)."""
        from huey.consumer import Consumer

        class Embedded(Consumer):
            def _set_signal_handlers(self):
                pass

        kind = Embedded if embedded else Consumer
        return kind(self.huey, workers=workers, periodic=scheduler, worker_type="thread", max_delay=2.0)

    def drain(self):
        """Run every job message waiting in a memory queue, due ones of the schedule included (tests)."""
        ran = 0
        while True:
            message = self.huey.dequeue()
            if message is None:
                due = self.huey.read_schedule(datetime.max)
                if not due:
                    return ran
                for task in due:
                    self.huey.enqueue(task)
                continue
            self.huey.execute(message, timestamp=datetime.max if message.eta else None)
            ran += 1

    def depth(self):
        """Messages waiting in the queue (not counting delayed retries)."""
        return self.huey.pending_count()


def _beside_database(app):
    """The embedded queue's file: beside a SQLite database (each demo database has its queue, so two
    platforms on one machine never take each other's jobs), else in the instance folder."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url[len("sqlite:///"):] + "-jobs"
    return os.path.join(app.instance_path, "jobs.db")


@health.check("queue")
def _queue_ready():
    """/readyz: the queue's store answers (Redis: a round trip; the SQLite file: a read)."""
    queue = current_app.extensions["jobs"]
    return f"{queue.backend}, {queue.depth()} waiting"


def _depth():
    return {current_app.extensions["jobs"].backend: current_app.extensions["jobs"].depth()}


def _by_state():
    return {state: counts().get(state, 0) for state in STATES}


metrics.gauge("queue_depth", "Job messages waiting in the queue", _depth, "queue")
metrics.gauge("jobs", "Job rows by state (failed: retries spent, shown under 后台任务)", _by_state, "state")


def init_app(app):
    if app.config.get("EXPORT_DIR"):
        os.makedirs(app.config["EXPORT_DIR"], exist_ok=True)
    app.extensions["jobs"] = Queue(app)


def start_embedded(app):
    """Start JOBS_EMBEDDED_WORKERS worker threads and the scheduler in this process (python run.py)."""
    workers = app.config["JOBS_EMBEDDED_WORKERS"]
    if workers <= 0:
        return None
    consumer = app.extensions["jobs"].consumer(workers, scheduler=True, embedded=True)
    consumer.start()
    return consumer
