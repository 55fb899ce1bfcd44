"""The task queue (app/jobs.py): a request queues its SMS and notices instead of sending them; a job
that fails is retried with backoff and shown to the center; a job whose worker died is run again;
the periodic jobs are queued by the schedule; Redis carries the messages in production.

Most tests here swap the session's immediate queue for an in-memory one that runs nothing until
drain(), so that what a request leaves behind can be seen before a worker takes it."""
import re
import uuid
from datetime import datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app import jobs
from models import Application, Job, Message, Person, SmsMessage
from tests.conftest import csrf_token
from tests.helpers import flashes, move, start_export
from tests.test_storage_s3 import s3  # noqa: F401  the bucket fixture (moto)


class FailingSender:
    name = "failing"

    def send(self, message):
        from app.sms import SendFailed

        raise SendFailed("gateway down")


@pytest.fixture
def queued(app, monkeypatch):
    """An in-memory queue that runs nothing until drain() (the session's runs jobs at once)."""
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "memory")
    queue = jobs.Queue(app)
    monkeypatch.setitem(app.extensions, "jobs", queue)
    return queue


def pending(session, username, status):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Application).where(Application.person_id == person.id,
                                                     Application.status == status)).one().id


def counts(session):
    return (session.scalar(select(func.count(Message.id))),
            session.scalar(select(func.count(SmsMessage.id)).where(SmsMessage.purpose == "notice")))


def job_rows(session, since=0):
    return [(j.kind, j.state, j.attempts) for j in session.scalars(select(Job).where(Job.id > since).order_by(Job.id))]


def last_job_id(session):
    return session.scalar(select(func.max(Job.id))) or 0


def test_a_move_answers_before_its_notices_and_sms_are_sent(demo, client_as, query, queued):
    pk = query(lambda s: pending(s, "app2", "pending_enterprise"))
    ent1 = client_as("ent1")
    before, since = query(counts), query(last_job_id)
    answer = move(ent1, "enterprisependingview", pk, "return", opinion="劳动合同缺页")
    assert answer.status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "returned_by_enterprise"
    # the job carries the request's id: its log lines in the worker bear it (app/logs.py)
    assert query(lambda s: s.get(Job, since + 1).request_id) == answer.headers["X-Request-ID"]
    # the request wrote the move and one job row, nothing else: no message, no SMS yet
    assert query(counts) == before
    assert query(lambda s: job_rows(s, since)) == [("notify.move", "queued", 0)]
    assert queued.depth() == 1

    assert "queue" in client_as("center").get("/readyz").get_json()["checks"]  # /readyz asks the queue
    assert queued.drain() == 2  # the notices, then the job that sends their SMS
    assert query(lambda s: job_rows(s, since)) == [("notify.move", "done", 1), ("notify.sms", "done", 1)]
    assert query(counts) == (before[0] + 1, before[1] + 1)
    # a message delivered twice runs its job once
    queued.run_task(since + 1)
    queued.drain()
    assert query(counts) == (before[0] + 1, before[1] + 1)


def test_a_failing_sms_is_retried_with_backoff_then_shown_to_the_center(demo, app, client_as, query, queued,
                                                                         monkeypatch):
    with app.app_context():
        assert [jobs.backoff(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
    pk = query(lambda s: pending(s, "app3", "pending_center"))
    center = client_as("center")
    since = query(last_job_id)
    monkeypatch.setitem(app.config, "SMS_BACKEND", "tests.test_jobs:FailingSender")
    assert move(center, "centerqueueview", pk, "return", opinion="身份证复印件不清晰").status_code == 302
    queued.drain()  # the notices; then the SMS job runs, fails and is scheduled again, five times
    sms_job = query(lambda s: s.scalars(select(Job).where(Job.id > since, Job.kind == "notify.sms")).one())
    assert (sms_job.state, sms_job.attempts) == ("failed", 5)
    assert "gateway down" in sms_job.last_error
    message = query(lambda s: s.scalars(select(Message).where(Message.application_id == pk)
                                        .order_by(Message.id.desc())).first())
    assert message.sms_status == "failed" and message.sms_tries == 5  # NOTIFY_SMS_MAX_TRIES
    assert query(lambda s: s.get(Application, pk).status) == "returned_by_center"  # the move stands

    # the center sees it, with its error, and may run it again
    page = center.get("/jobs/list/")
    text = page.get_data(as_text=True)
    assert ">None<" not in text  # a job without a summary shows an empty cell
    assert page.status_code == 200 and "业务通知短信" in text and "失败" in text
    # the reason in Chinese; the gateway's own words only folded under 技术信息, for the operator
    assert "短信网关暂时未能发出全部短信" in text and "<summary>技术信息</summary><code>app.jobs.JobFailed: SMS unsent" in text
    monkeypatch.setitem(app.config, "SMS_BACKEND", "local")
    assert client_as("admin").get("/jobs/list/").status_code == 200
    assert client_as("ent1").get("/jobs/list/").status_code == 403
    answer = center.post("/jobs/action_post", data={"csrf_token": csrf_token(page), "action": "retry",
                                                     "rowid": str(sms_job.id)})
    assert answer.status_code == 302 and "已重新排队 1 个任务" in flashes(center)
    queued.drain()
    retried = query(lambda s: s.get(Job, sms_job.id))
    assert (retried.state, retried.attempts) == ("done", 1)
    # its SMS, given up after NOTIFY_SMS_MAX_TRIES, went out on the center's 重新执行
    assert query(lambda s: s.get(Message, message.id).sms_status) == "sent"


def test_a_job_whose_worker_died_mid_run_is_run_again(demo, app, query):
    """A worker claimed the job (running), then died: no heartbeat since. The reaper queues it again
    and it completes; its notices are written once."""
    with app.app_context():
        from app.extensions import db

        application = db.session.scalars(select(Application).where(Application.status == "pending_center")).first()
        before = db.session.scalar(select(func.count(Message.id)).where(Message.application_id == application.id))
        job = Job(kind="notify.move", state="running", attempts=1, max_attempts=5, progress_done=0,
                  params={"application_id": application.id, "action": "approve", "role": "enterprise",
                          "target": "pending_center"},
                  created_at=datetime.now() - timedelta(minutes=10), started_at=datetime.now() - timedelta(minutes=9),
                  heartbeat_at=datetime.now() - timedelta(minutes=9), worker="host-gone:4242:Worker-1")
        alive = Job(kind="notify.reminders", state="running", attempts=1, max_attempts=5, progress_done=0,
                    params={}, created_at=datetime.now(), started_at=datetime.now(), heartbeat_at=datetime.now())
        db.session.add_all([job, alive])
        db.session.commit()
        job_id, alive_id, application_id = job.id, alive.id, application.id
        db.session.remove()

        assert jobs.reap() == (1, 0)  # the silent one only; the immediate queue runs it at once
        db.session.remove()
        again = db.session.get(Job, job_id)
        assert (again.state, again.attempts) == ("done", 2)
        assert "host-gone:4242" in (again.worker or "") or again.worker  # the new worker's name
        assert db.session.get(Job, alive_id).state == "running"  # its heartbeat is fresh: left alone
        written = db.session.scalar(select(func.count(Message.id)).where(Message.application_id == application_id))
        assert written == before + 2  # the applicant and the center, once
        assert jobs.reap() == (0, 0)
        db.session.remove()


def test_a_job_out_of_attempts_when_its_worker_died_is_failed(app, query):
    with app.app_context():
        from app.extensions import db

        job = Job(kind="notify.reminders", state="running", attempts=5, max_attempts=5, progress_done=0, params={},
                  created_at=datetime.now(), started_at=datetime.now() - timedelta(hours=1),
                  heartbeat_at=datetime.now() - timedelta(hours=1), worker="gone")
        db.session.add(job)
        db.session.commit()
        assert jobs.reap() == (1, 0)
        db.session.remove()
        found = db.session.get(Job, job.id)
        assert found.state == "failed" and found.failure == "interrupted" and "gone" in found.last_error
        db.session.remove()


def test_the_schedule_queues_each_periodic_job_once(app, query, queued):
    at_one_beijing = datetime(2026, 12, 7, 17, 0)  # 01:00 in Beijing, in UTC as Huey reads it
    due = {task.name for task in queued.huey.read_periodic(at_one_beijing)}
    assert {"periodic:notify.reminders", "reap"} <= due and "periodic:govnet.sync" not in due
    assert {t.name for t in queued.huey.read_periodic(datetime(2026, 12, 7, 18, 0))} >= {"periodic:govnet.sync"}
    since = query(last_job_id)
    for task in queued.huey.read_periodic(at_one_beijing):
        if task.name == "periodic:notify.reminders":
            queued.huey.enqueue(task)
            queued.huey.enqueue(task)  # twice: the second finds the first still queued
    queued.drain()
    assert query(lambda s: job_rows(s, since)) == [("notify.reminders", "done", 1)]
    assert set(jobs.SCHEDULE) <= set(jobs.TASKS)  # every periodic job has its handler


def test_cli_lists_and_queues_jobs(app, query):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "enqueue", "registrations.expire"])
    assert result.exit_code == 0 and "已排队" in result.output, result.output
    done = query(lambda s: s.scalars(select(Job).order_by(Job.id.desc())).first())
    assert done.state == "done" and done.summary.startswith("已失效")
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.exit_code == 0 and "registrations.expire" in listed.output
    assert runner.invoke(args=["jobs", "enqueue", "nothing"]).exit_code != 0


def test_an_export_is_offered_only_to_who_asked_for_it(demo, client_as, query):
    ent1 = client_as("ent1")
    asked = start_export(ent1, "/enterpriseapplicationview/export.xlsx")
    page_url = asked.headers["Location"]
    pk = int(re.search(r"/exports/show/(\d+)", page_url).group(1))
    status = ent1.get(f"/exports/{pk}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["done"] == status["total"] > 0
    assert ent1.get(status["file"]).status_code == 200
    for other in ("ent2", "center", "app1"):
        client = client_as(other)
        for url in (page_url, f"/exports/{pk}/status", f"/exports/{pk}/file"):
            assert client.get(url).status_code in (403, 404), (other, url)
    # the center sees that the job ran, not its file
    listing = client_as("center").get("/jobs/list/").get_data(as_text=True)
    assert "导出Excel" in listing and f"/exports/{pk}/file" not in listing


def test_an_export_page_shows_progress_while_it_waits(demo, client_as, query, queued):
    ent1 = client_as("ent1")
    page = ent1.get(start_export(ent1, "/enterpriseapplicationview/export.xlsx").headers["Location"])
    text = page.get_data(as_text=True)
    assert "排队中" in text and 'id="export-file"' in text and "js/export_progress.js" in text
    assert "<script>" not in text  # the polling is a file of its own (CSP: script-src 'self')
    queued.drain()
    assert "已完成" in ent1.get(page.request.path).get_data(as_text=True)


def test_redis_carries_the_jobs(demo, app, query, monkeypatch):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(app.config["JOBS_REDIS_URL"], socket_connect_timeout=0.2).ping()
    except redis.RedisError:
        pytest.skip("no Redis at JOBS_REDIS_URL")
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "redis")
    monkeypatch.setitem(app.config, "JOBS_QUEUE_NAME", f"regapp-test-{uuid.uuid4().hex}")
    queue = jobs.Queue(app)
    monkeypatch.setitem(app.extensions, "jobs", queue)
    try:
        with app.app_context():
            job = jobs.enqueue("registrations.expire")
            job_id = job.id
        assert queue.depth() == 1
        message = queue.huey.dequeue()  # as a worker of `flask jobs worker` takes it
        queue.huey.execute(message)
        assert query(lambda s: s.get(Job, job_id).state) == "done"
        assert queue.depth() == 0
    finally:
        queue.huey.storage.flush_all()


def test_an_export_kept_in_the_bucket_reaches_who_asked_from_any_node(demo, app, client_as, s3):
    """With STORAGE_BACKEND=s3 the worker puts the file into the bucket every web node reads."""
    client, bucket = s3
    ent1 = client_as("ent1")
    pk = int(re.search(r"/exports/show/(\d+)", start_export(ent1, "/enterpriseapplicationview/export.xlsx")
                       .headers["Location"]).group(1))
    stored = [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", ())]
    assert len(stored) == 1 and stored[0].startswith(f"t/exports/{pk}-")
    answer = ent1.get(f"/exports/{pk}/file")
    assert answer.status_code == 200 and answer.get_data()[:2] == b"PK"
    assert client_as("ent2").get(f"/exports/{pk}/file").status_code == 404
    with app.app_context():
        from app.extensions import db

        job = db.session.get(Job, pk)
        job.finished_at = datetime.now() - timedelta(days=2)
        db.session.commit()
        assert jobs.cleanup() == 1  # past EXPORT_KEEP_HOURS: removed from the bucket
        db.session.remove()
    assert client.list_objects_v2(Bucket=bucket).get("Contents", ()) == ()
    assert ent1.get(f"/exports/{pk}/file").status_code == 404


def test_a_failed_export_tells_who_asked_why_in_their_own_language(demo, app, client_as, query, queued,
                                                                      monkeypatch):
    """The worker's exception (here a full disk) is the operator's: the page of the user who asked says
    in Chinese, or in English when that is the UI's language, that it is being retried, then that it
    failed; the center's 后台任务 shows the same reason, the technical text folded away."""
    from app import excel

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", "/srv/regapp/exports/.9-x.xlsx.part")

    monkeypatch.setattr(excel, "write", full_disk)
    monkeypatch.setitem(app.config, "JOBS_MAX_ATTEMPTS", 2)
    ent1 = client_as("ent1")
    page_url = start_export(ent1, "/enterpriseapplicationview/export.xlsx").headers["Location"]
    pk = int(re.search(r"/exports/show/(\d+)", page_url).group(1))
    queued.huey.execute(queued.huey.dequeue())  # the first run fails; a retry waits
    status = ent1.get(f"/exports/{pk}/status").get_json()
    assert status["state"] == "queued" and status["text"] == "第 1 次未成功（系统处理出错，技术信息已记录），稍后自动重试"
    queued.drain()  # the second and last run fails too
    assert query(lambda s: (s.get(Job, pk).state, s.get(Job, pk).failure)) == ("failed", "error")
    assert "No space left" in query(lambda s: s.get(Job, pk).last_error)  # kept for the operator

    for shown in (ent1.get(page_url).get_data(as_text=True), str(ent1.get(f"/exports/{pk}/status").get_json())):
        assert "导出失败：系统处理出错，技术信息已记录" in shown
        assert "No space" not in shown and "OSError" not in shown and "/srv/" not in shown
    english = ent1.get("/lang/en")
    assert english.status_code == 302
    page = ent1.get(page_url).get_data(as_text=True)
    assert "Export failed: a system error occurred; the technical details have been recorded" in page
    assert "导出失败" not in page and "No space" not in page
    assert ent1.get(f"/exports/{pk}/status").get_json()["text"].startswith("Export failed:")

    jobs_page = client_as("center").get("/jobs/list/").get_data(as_text=True)
    assert "系统处理出错，技术信息已记录" in jobs_page
    assert "<summary>技术信息</summary><code>OSError: [Errno 28] No space left on device" in jobs_page
