"""The center's supervision through the pages: 在册监管, 解锁申请, the holder's page, 公众查询 and the QR page."""
import io
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from models import Message, Person, Registration, SupervisionRecord, UnlockRequest
from tests.conftest import csrf_token
from tests.helpers import flashes, pdf_bytes


def registration_of(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration).where(Registration.person_id == person.id)).first()


def lock_through_the_page(client, registration_id, **fields):
    page = client.get(f"/supervision/show/{registration_id}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page), "reason": "在施项目未竣工", "source": "project",
            "until": (date.today() + timedelta(days=30)).isoformat(), **fields}
    return client.post(f"/supervision/{registration_id}/supervise/lock", data=data)


def test_center_locks_a_registration_and_every_other_business_says_why(demo, client_as, query):
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    listed = center.get("/supervision/list/").get_data(as_text=True)
    assert reg.certificate_number in listed
    answer = lock_through_the_page(center, reg.id)
    assert answer.status_code == 302
    assert query(lambda s: s.get(Registration, reg.id).status) == "locked"
    shown = center.get(f"/supervision/show/{reg.id}").get_data(as_text=True)
    assert "已锁定" in shown and "在施项目未竣工" in shown and "监管记录" in shown
    assert reg.certificate_number in center.get("/supervision/list/?state=locked").get_data(as_text=True)
    # the holder's home page: the renewal is refused with the lock, 注销 stays open
    holder = client_as("app7")
    home = holder.get("/").get_data(as_text=True)
    assert "已被注册中心锁定" in home and "在施项目" in home and "029-87290000" in home
    renewal = holder.get("/applicantrenewalview/add")
    assert renewal.status_code in (200, 302)
    listing = holder.get("/applicantrenewalview/list/").get_data(as_text=True)
    assert "已被注册中心锁定" in listing


def test_a_lock_without_its_end_date_or_source_is_refused_with_the_reason(demo, client_as, query):
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    lock_through_the_page(center, reg.id, until="")
    assert "请填写锁定截止日期" in flashes(center) or query(lambda s: s.get(Registration, reg.id).status) == "active"
    lock_through_the_page(center, reg.id, source="nowhere")
    assert query(lambda s: s.get(Registration, reg.id).status) == "active"
    assert query(lambda s: s.scalars(select(SupervisionRecord)
                                     .where(SupervisionRecord.registration_id == reg.id)).all()) == []


def test_holder_files_an_unlock_request_and_the_center_grants_it(demo, client_as, query):
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    lock_through_the_page(center, reg.id)
    holder = client_as("app7")
    page = holder.get(f"/applicantregistrationview/show/{reg.id}")
    body = page.get_data(as_text=True)
    assert "申请解锁" in body and "已锁定" in body
    answer = holder.post(f"/applicantregistrationview/{reg.id}/unlock", data={
        "csrf_token": csrf_token(page), "reason": "项目已竣工验收", "file": (io.BytesIO(pdf_bytes()), "done.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    request = query(lambda s: s.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == reg.id)).one())
    assert request.status == "pending" and request.original_name == "done.pdf"
    # a second request while one waits is refused with why
    again = holder.post(f"/applicantregistrationview/{reg.id}/unlock", data={
        "csrf_token": csrf_token(page), "reason": "再次"})
    assert again.status_code == 302 and any("等待注册中心处理" in m for m in flashes(holder))
    queue = center.get("/unlockrequests/list/").get_data(as_text=True)
    assert reg.certificate_number in queue
    shown = center.get(f"/unlockrequests/show/{request.id}")
    assert "项目已竣工验收" in shown.get_data(as_text=True)
    assert center.get(f"/unlockrequests/{request.id}/file").status_code == 200
    # 不予解锁 needs an opinion
    center.post(f"/unlockrequests/{request.id}/decide/reject", data={"csrf_token": csrf_token(shown), "opinion": ""})
    assert query(lambda s: s.get(UnlockRequest, request.id).status) == "pending"
    center.post(f"/unlockrequests/{request.id}/decide/grant", data={"csrf_token": csrf_token(shown), "opinion": "同意"})
    assert query(lambda s: s.get(UnlockRequest, request.id).status) == "granted"
    assert query(lambda s: s.get(Registration, reg.id).status) == "active"
    kinds = query(lambda s: [m.kind for m in s.scalars(select(Message).where(Message.registration_id == reg.id))])
    assert "unlock_request_filed" in kinds and "registration_unlocked" in kinds


def test_public_query_and_qr_page_show_the_measure_without_its_reason(demo, app, client_as, query):
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/suspend", data={
        "csrf_token": csrf_token(page), "reason": "私密原因：违反执业规定", "decision_number": "陕建罚〔2026〕3号"})
    assert query(lambda s: s.get(Registration, reg.id).status) == "suspended"
    name = query(lambda s: registration_of(s, "app7").person.name)
    public = app.test_client().get(f"/public/query?name={name}&number={reg.certificate_number}").get_data(as_text=True)
    assert "已暂停执业" in public and "陕建罚〔2026〕3号" in public and "私密原因" not in public
    verify = app.test_client().get(f"/public/verify/{reg.verify_token}").get_data(as_text=True)
    assert "已暂停执业" in verify and "私密原因" not in verify
    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/revoke", data={
        "csrf_token": csrf_token(page), "reason": "以欺骗手段取得注册", "decision_number": "陕建撤〔2026〕1号"})
    verify = app.test_client().get(f"/public/verify/{reg.verify_token}").get_data(as_text=True)
    assert "已撤销注册" in verify and "注册证书已作废" in verify


def test_only_the_center_reaches_the_supervision_pages(demo, client_as, query):
    reg = query(lambda s: registration_of(s, "app7"))
    for username in ("app7", "ent2"):
        client = client_as(username)
        assert client.get("/supervision/list/").status_code == 403
        assert client.get(f"/supervision/show/{reg.id}").status_code == 403
        assert client.get("/unlockrequests/list/").status_code == 403
        assert client.get("/commitmentchecks/list/").status_code == 403
    # another person's registration: no unlock request
    other = client_as("app2")
    page = other.get("/")
    assert other.post(f"/applicantregistrationview/{reg.id}/unlock",
                      data={"csrf_token": csrf_token(page), "reason": "x"}).status_code == 404


def test_center_draws_commitment_filings_and_records_each_check(demo, client_as, query):
    from models import CommitmentCheck, CommitmentDraw
    from tests.test_supervision_api import mark_commitment

    query(lambda s: mark_commitment(s, "app7"))
    center = client_as("center")
    page = center.get("/commitmentchecks/list/")
    assert page.status_code == 200 and "随机抽取" in page.get_data(as_text=True)
    bad = center.post("/commitmentchecks/draw", data={"csrf_token": csrf_token(page), "share": "0"})
    assert bad.status_code == 302 and any("抽查比例" in m for m in flashes(center))
    answer = center.post("/commitmentchecks/draw", data={"csrf_token": csrf_token(page), "share": "100"})
    draw = query(lambda s: s.scalars(select(CommitmentDraw).order_by(CommitmentDraw.id.desc())).first())
    assert answer.headers["Location"].endswith(f"/commitmentchecks/show/{draw.id}")
    shown = center.get(f"/commitmentchecks/show/{draw.id}").get_data(as_text=True)
    assert draw.seed in shown and "结果与记录一致" in shown
    app7_registration = query(lambda s: registration_of(s, "app7").id)
    check = query(lambda s: next(c for c in s.get(CommitmentDraw, draw.id).checks
                                 if c.application.registration_id == app7_registration))
    center.post(f"/commitmentchecks/{draw.id}/check/{check.id}/confirm", data={
        "csrf_token": csrf_token(page), "opinion": "经核查学时属实"})
    assert query(lambda s: s.get(CommitmentCheck, check.id).status) == "true"
    assert query(lambda s: registration_of(s, "app7").status) == "active"


def test_the_page_says_why_a_locked_registration_cannot_be_suspended(demo, client_as, query):
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7").id)
    assert lock_through_the_page(center, reg).status_code == 302
    page = center.get(f"/supervision/show/{reg}")
    text = page.get_data(as_text=True)
    assert "supervision-withheld" in text and "先解锁再暂停" in text
    assert f"/supervision/{reg}/supervise/suspend" not in text  # no button for a move the table has not
    answer = center.post(f"/supervision/{reg}/supervise/suspend", data={
        "csrf_token": csrf_token(page), "reason": "违规执业", "decision_number": "陕建罚〔2026〕8号"})
    assert answer.status_code == 302 and any("先解锁再暂停" in str(m) for m in flashes(center))
    assert query(lambda s: s.get(Registration, reg).status) == "locked"


def test_a_measure_answers_before_its_notices_which_go_through_the_job_queue(demo, client_as, query, app,
                                                                              monkeypatch):
    """The page's 锁定 writes the move and one job row; the worker then writes the holder's and the
    unit's messages (from the record) and sends their SMS; the same for a refused unlock request."""
    from app import jobs
    from models import Job, SmsMessage

    monkeypatch.setitem(app.config, "JOBS_BACKEND", "memory")
    queue = jobs.Queue(app)  # runs nothing until drain(), as a worker would later
    monkeypatch.setitem(app.extensions, "jobs", queue)
    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    since = query(lambda s: s.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0)
    notices = query(lambda s: s.scalar(select(SmsMessage.id).order_by(SmsMessage.id.desc()).limit(1)) or 0)

    def told(session):  # the supervision notices (the demo's rename of ent2 told app7 before)
        return sorted(m.kind for m in session.scalars(select(Message).where(
            Message.registration_id == reg.id, Message.kind != "unit_renamed")))

    assert lock_through_the_page(center, reg.id).status_code == 302
    assert query(lambda s: s.get(Registration, reg.id).status) == "locked"
    assert query(told) == []  # nothing told inside the request
    assert query(lambda s: [(j.kind, j.state) for j in s.scalars(select(Job).where(Job.id > since))]) == [
        ("notify.supervision", "queued")]
    assert queue.drain() == 2  # the messages, then their SMS
    assert query(told) == ["registration_locked", "unit_registration_held"]
    body = query(lambda s: s.scalars(select(Message.body).where(Message.kind == "registration_locked",
                                                                Message.registration_id == reg.id)).one())
    assert "在施项目" in body and (date.today() + timedelta(days=30)).isoformat() in body
    sent = query(lambda s: s.scalars(select(SmsMessage.text).where(SmsMessage.id > notices,
                                                                   SmsMessage.purpose == "notice")).all())
    assert len(sent) == 2 and all(reg.certificate_number in text for text in sent)

    # the holder asks, the center refuses: the holder is told by the queue as well
    holder = client_as("app7")
    page = holder.get(f"/applicantregistrationview/show/{reg.id}")
    holder.post(f"/applicantregistrationview/{reg.id}/unlock", data={"csrf_token": csrf_token(page), "reason": "已整改"})
    request = query(lambda s: s.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == reg.id)).one())
    shown = center.get(f"/unlockrequests/show/{request.id}")
    center.post(f"/unlockrequests/{request.id}/decide/reject", data={"csrf_token": csrf_token(shown),
                                                                    "opinion": "整改材料不足"})
    assert query(lambda s: s.get(UnlockRequest, request.id).status) == "rejected"
    assert "unlock_request_rejected" not in query(told)
    queue.drain()
    assert "unlock_request_rejected" in query(told)
    rejected = query(lambda s: s.scalars(select(Message).where(Message.kind == "unlock_request_rejected",
                                                               Message.registration_id == reg.id)).one())
    assert "整改材料不足" in rejected.body and rejected.sms_status == "sent"


def test_an_unlock_request_reaches_the_center_through_the_job_queue(demo, client_as, query, app, monkeypatch):
    """The holder's 解锁申请 is saved in the request; the center's in-app notices are written by a job."""
    from app import jobs
    from models import Job

    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    assert lock_through_the_page(center, reg.id).status_code == 302  # told at once (the tests' queue)
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "memory")
    queue = jobs.Queue(app)
    monkeypatch.setitem(app.extensions, "jobs", queue)
    since = query(lambda s: s.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0)

    def filed(session):
        return session.scalars(select(Message).where(Message.registration_id == reg.id,
                                                     Message.kind == "unlock_request_filed")).all()

    holder = client_as("app7")
    page = holder.get(f"/applicantregistrationview/show/{reg.id}")
    holder.post(f"/applicantregistrationview/{reg.id}/unlock", data={"csrf_token": csrf_token(page), "reason": "已整改"})
    assert query(lambda s: s.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == reg.id)).one().status) \
        == "pending"
    assert query(filed) == []
    assert query(lambda s: [(j.kind, j.state) for j in s.scalars(select(Job).where(Job.id > since))]) == [
        ("notify.unlock_filed", "queued")]
    assert queue.drain() == 1
    center_user = query(lambda s: s.scalar(select(User.id).where(User.username == "center")))
    notices = query(filed)
    assert center_user in {m.user_id for m in notices} and all(reg.certificate_number in m.body for m in notices)


def test_the_lock_and_suspension_notices_state_their_end_date(demo, client_as, query):
    """锁定至… and 暂停执业至… in the holder's message and SMS and in the unit's message; a suspension
    without an end date says it lasts until the center resumes it."""
    from models import SmsMessage

    center = client_as("center")
    reg = query(lambda s: registration_of(s, "app7"))
    holder = query(lambda s: s.scalar(select(User.id).where(User.username == "app7")))

    def latest(kind, mine=True):
        return query(lambda s: s.scalars(select(Message).where(
            Message.registration_id == reg.id, Message.kind == kind,
            (Message.user_id == holder) if mine else (Message.user_id != holder))
            .order_by(Message.id.desc())).first())

    def last_sms():  # the holder's SMS of the latest suspension
        return query(lambda s: s.scalars(select(SmsMessage.text).where(SmsMessage.purpose == "notice",
                                                                       SmsMessage.text.contains("已被注册中心暂停执业"))
                                         .order_by(SmsMessage.id.desc())).first())

    until = date.today() + timedelta(days=30)
    assert lock_through_the_page(center, reg.id, until=until.isoformat()).status_code == 302
    assert f"锁定至{until.isoformat()}" in latest("registration_locked").body
    assert f"锁定至{until.isoformat()}" in latest("unit_registration_held", mine=False).body
    assert f"锁定至{until.isoformat()}" in query(lambda s: s.scalars(select(SmsMessage.text).where(
        SmsMessage.purpose == "notice", SmsMessage.text.contains("已被注册中心锁定"))
        .order_by(SmsMessage.id.desc())).first())
    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/unlock", data={"csrf_token": csrf_token(page), "reason": "已核实"})
    assert query(lambda s: s.get(Registration, reg.id).status) == "active"

    ends = date.today() + timedelta(days=90)
    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/suspend", data={
        "csrf_token": csrf_token(page), "reason": "违反执业规定", "decision_number": "陕建罚〔2026〕9号",
        "until": ends.isoformat()})
    assert query(lambda s: s.get(Registration, reg.id).status) == "suspended"
    suspended = latest("registration_suspended")
    assert f"暂停执业至{ends.isoformat()}" in suspended.body and suspended.sms_status == "sent"
    assert f"暂停执业至{ends.isoformat()}" in latest("unit_registration_held", mine=False).body
    assert f"暂停执业至{ends.isoformat()}" in last_sms() and "违反执业规定" not in last_sms()

    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/resume", data={"csrf_token": csrf_token(page), "reason": "整改完成"})
    page = center.get(f"/supervision/show/{reg.id}")
    center.post(f"/supervision/{reg.id}/supervise/suspend", data={
        "csrf_token": csrf_token(page), "reason": "违反执业规定", "decision_number": "陕建罚〔2026〕10号"})
    assert "至注册中心决定恢复执业时止" in latest("registration_suspended").body
    assert "至注册中心决定恢复执业时止" in last_sms()
