"""专项整治: the center opens a campaign and imports the flagged persons (each bad row with its reason);
each is told by SMS and in-app with the deadline; an answer goes through the unit and the center (every
move a row of the campaign table); the daily job locks whoever did not answer; statistics and Excel."""
import io
import re
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import select

from app.dates import add_working_days
from app.validators import make_id_number
from models import Application, Campaign, CampaignReview, CampaignTarget, Message, Person, Registration, SmsMessage
from tests.api_helpers import api_as  # noqa: F401 (fixture)
from tests.conftest import csrf_token
from tests.helpers import add, flashes, pdf_bytes, start_export, submit
from tests.test_queries import statements


def working_days_from_today(app, days):
    with app.app_context():
        return add_working_days(date.today(), days)


def person_of(query, username):
    return tuple(query(lambda s: s.execute(select(Person.id, Person.name, Person.id_number)
                                           .join(User, User.id == Person.user_id).where(User.username == username))
                       .one()))


def open_campaign(client, name="二〇二六年挂证专项整治", days="10"):
    page = client.get("/centercampaignview/add")
    answer = client.post("/centercampaignview/add", data={"csrf_token": csrf_token(page), "name": name,
                                                          "description": "核查挂证", "answer_days": days})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def import_list(client, campaign_id, text, filename="list.csv"):
    page = client.get(f"/centercampaignview/show/{campaign_id}")
    return client.post(f"/centercampaignview/{campaign_id}/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "file": (io.BytesIO(text.encode()), filename)})


def target_of(query, campaign_id, person_id):
    return query(lambda s: s.scalars(select(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id,
                                                                  CampaignTarget.person_id == person_id)).one().id)


def press(client, view, pk, action, **data):
    page = client.get(f"/{view}/show/{pk}")
    assert page.status_code == 200
    return client.post(f"/{view}/{pk}/move/{action}", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), **data})


def status(query, pk):
    return query(lambda s: s.get(CampaignTarget, pk).status)


def test_the_center_imports_the_list_each_bad_row_named_and_each_person_told(demo, app, client_as, query):
    center = client_as("center")
    campaign_id = open_campaign(center)
    deadline = working_days_from_today(app, 10)
    one_id, one_name, one_number = person_of(query, "app1")
    _, two_name, two_number = person_of(query, "app2")
    stranger = make_id_number(region="610102", birth=date(1979, 1, 1), seq=455, sex="男")
    text = ("身份证号,姓名,问题描述\n"
            f"{one_number},{one_name},社保缴纳单位与注册单位不一致\n"
            "61010219880315001X,,\n"
            f"{stranger},,\n"
            f"{one_number},,\n"
            f"{two_number},张冠李戴,\n")
    html = import_list(center, campaign_id, text).get_data(as_text=True)
    assert "已列入 1 人；有误 4 行" in html
    assert "第3行" in html and "第4行" in html and "平台中没有该身份证号的人员" in html
    assert "第5行" in html and "与第2行是同一人员" in html
    assert "第6行" in html and "身份证号登记的姓名为“李秀英”，与“张冠李戴”不符" in html
    assert import_list(center, campaign_id, f"身份证号\n{one_number}\n").status_code == 200
    assert "该人员已在本次专项整治名单中" in import_list(center, campaign_id, f"身份证号\n{one_number}\n").get_data(
        as_text=True)
    assert "首行须为表头，缺少列：身份证号" in import_list(center, campaign_id, "姓名\n张三\n").get_data(as_text=True)
    # the person: an in-app notice with the deadline, and an SMS with nothing but fixed text and the date
    user = query(lambda s: s.scalar(select(User.id).where(User.username == "app1")))
    notice = query(lambda s: s.scalars(select(Message).where(Message.user_id == user,
                                                             Message.kind == "campaign_flagged")).one())
    assert deadline.isoformat() in notice.body and "二〇二六年挂证专项整治" in notice.body
    sms = query(lambda s: s.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first().text)
    assert deadline.isoformat() in sms and "专项整治" in sms and "二〇二六年" not in sms
    page = client_as("app1").get("/applicantcampaignview/list/").get_data(as_text=True)
    assert "二〇二六年挂证专项整治" in page and "待答复" in page


def test_a_rectification_is_reviewed_by_the_unit_then_the_center_with_returns(demo, app, client_as, query):
    center, app2, ent1 = client_as("center"), client_as("app2"), client_as("ent1")
    campaign_id = open_campaign(center)
    person_id, _, number = person_of(query, "app2")  # registered with ent1
    import_list(center, campaign_id, f"身份证号,问题描述\n{number},疑似挂证\n")
    pk = target_of(query, campaign_id, person_id)
    # nothing filed: each refusal says why
    press(app2, "applicantcampaignview", pk, "rectify", answer="", file=(io.BytesIO(pdf_bytes()), "a.pdf"))
    assert "请填写整改情况说明" in flashes(app2)[-1]
    press(app2, "applicantcampaignview", pk, "rectify", answer="已解除与原单位的劳动关系",
          file=(io.BytesIO(b"plain text"), "a.txt"))
    assert "只接受PDF、JPG、PNG格式的文件" in flashes(app2)[-1]
    assert status(query, pk) == "pending"
    press(app2, "applicantcampaignview", pk, "rectify", answer="已签订劳动合同并在本单位缴纳社保",
          file=(io.BytesIO(pdf_bytes("contract")), "contract.pdf"))
    assert status(query, pk) == "unit_review"
    # the unit sees it with its time limit, opens the evidence, and approves; another unit cannot
    listed = ent1.get("/enterprisecampaignview/list/").get_data(as_text=True)
    assert "待单位审核" in listed and "剩余 5 个工作日" in listed
    assert ent1.get(f"/enterprisecampaignview/{pk}/evidence").status_code == 200
    assert client_as("ent2").get(f"/enterprisecampaignview/show/{pk}").status_code == 404
    assert client_as("app1").get(f"/applicantcampaignview/{pk}/evidence").status_code == 404
    press(ent1, "enterprisecampaignview", pk, "return")
    assert "请填写审核意见" in flashes(ent1)[-1] and status(query, pk) == "unit_review"
    press(ent1, "enterprisecampaignview", pk, "approve", opinion="情况属实")
    assert status(query, pk) == "center_review"
    # the center returns it: the person gets a new period and is told why
    press(center, "centercampaigntargetview", pk, "return", opinion="社保缴纳证明不全，请补充近三个月记录")
    assert status(query, pk) == "pending"
    answer_by = query(lambda s: s.get(CampaignTarget, pk).answer_by)
    assert answer_by == working_days_from_today(app, 5)
    notices = app2.get("/messages/").get_data(as_text=True)
    assert "社保缴纳证明不全" in notices and "查看核查" in notices
    press(app2, "applicantcampaignview", pk, "rectify", answer="补充近三个月社保记录",
          file=(io.BytesIO(pdf_bytes("more")), "more.pdf"))
    press(ent1, "enterprisecampaignview", pk, "approve")
    press(center, "centercampaigntargetview", pk, "approve")
    assert status(query, pk) == "rectified"
    moves = query(lambda s: [(r.role, r.action, r.to_status) for r in s.scalars(
        select(CampaignReview).where(CampaignReview.target_id == pk).order_by(CampaignReview.id))])
    assert moves == [("applicant", "rectify", "unit_review"), ("enterprise", "approve", "center_review"),
                     ("center", "return", "pending"), ("applicant", "rectify", "unit_review"),
                     ("enterprise", "approve", "center_review"), ("center", "approve", "rectified")]
    shown = center.get(f"/centercampaignview/show/{campaign_id}").get_data(as_text=True)
    assert '<td data-key="rectified">1</td>' in shown and '<td data-key="flagged">1</td>' in shown
    asked = start_export(center, f"/centercampaigntargetview/export.xlsx?campaign={campaign_id}")  # a job, run at once here
    assert asked.status_code == 302
    exported = center.get(asked.headers["Location"].replace("/exports/show/", "/exports/") + "/file")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "已整改" in rows[1] and number not in str(rows)


def test_answering_with_cancellation_needs_the_cancellation_filed(demo, client_as, query):
    app7 = client_as("app7")  # flagged in the demo's campaign, registered with ent2
    person_id = person_of(query, "app7")[0]
    pk = query(lambda s: s.scalar(select(CampaignTarget.id).where(CampaignTarget.person_id == person_id)))
    page = app7.get(f"/applicantcampaignview/show/{pk}").get_data(as_text=True)
    assert "尚未提交注销申请" in page and "/applicantcancelview/list/" in page
    press(app7, "applicantcampaignview", pk, "cancel")
    assert "请先在“个人业务 → 注销申请”中提交注销申请" in flashes(app7)[-1] and status(query, pk) == "pending"
    assert add(app7, "cancel", reason="不再从事建造工作").status_code == 302
    filing = query(lambda s: s.scalar(select(Application.id).where(Application.person_id == person_id,
                                                                   Application.business_type == "cancel")))
    submit(app7, "applicantcancelview", filing)
    press(app7, "applicantcampaignview", pk, "cancel")
    assert status(query, pk) == "cancel_filed"


def test_the_daily_job_locks_who_did_not_answer_and_the_center_may_reopen(demo, app, client_as, query):
    person_id = person_of(query, "app7")[0]
    pk = query(lambda s: s.scalar(select(CampaignTarget.id).where(CampaignTarget.person_id == person_id)))
    answer_by = query(lambda s: s.get(CampaignTarget, pk).answer_by)
    runner = app.test_cli_runner()
    assert "锁定：0 人" in runner.invoke(args=["campaigns", "lock-overdue", "--date", answer_by.isoformat()]).output
    after = (answer_by + timedelta(days=1)).isoformat()
    assert "锁定：1 人" in runner.invoke(args=["campaigns", "lock-overdue", "--date", after]).output
    assert status(query, pk) == "locked"
    # the registration itself is locked, as 专项检查, until the center unlocks it (no end date)
    held = query(lambda s: s.scalars(select(Registration).where(Registration.person_id == person_id)
                                     .order_by(Registration.id.desc())).first())
    assert (held.status, held.hold_source, held.hold_until) == ("locked", "inspection", None)
    assert "专项整治" in held.hold_reason
    assert "锁定：0 人" in runner.invoke(args=["campaigns", "lock-overdue", "--date", after]).output  # once
    record = query(lambda s: s.scalars(select(CampaignReview).where(CampaignReview.target_id == pk)).one())
    assert (record.role, record.action, record.actor_name) == ("system", "lock", "系统")
    user = query(lambda s: s.scalar(select(User.id).where(User.username == "app7")))
    assert query(lambda s: s.scalars(select(Message).where(Message.user_id == user,
                                                           Message.kind == "campaign_locked")).one().sms_status) == "sent"
    center = client_as("center")
    press(center, "centercampaigntargetview", pk, "reopen", opinion="本人已说明情况，给予补充答复期")
    assert status(query, pk) == "pending"


def test_the_api_opens_imports_lists_and_moves(demo, query, api_as):
    center, app2, ent1 = api_as("center"), api_as("app2"), api_as("ent1")
    created = center.post("/api/v1/campaigns/", json={"name": "接口专项整治", "answer_days": 5})
    assert created.status_code == 201, created.get_json()
    campaign_id = created.get_json()["id"]
    assert center.post("/api/v1/campaigns/", json={"name": "接口专项整治", "answer_days": 5}).status_code == 422
    assert app2.post("/api/v1/campaigns/", json={"name": "越权", "answer_days": 5}).status_code == 403
    person_id, _, number = person_of(query, "app2")
    flagged = center.post(f"/api/v1/campaigns/{campaign_id}/targets",
                          json={"persons": [{"id_number": number}, {"id_number": "123"}]})
    assert flagged.status_code == 200 and flagged.get_json()["flagged"] == 1
    assert flagged.get_json()["errors"][0]["index"] == 1
    assert app2.post(f"/api/v1/campaigns/{campaign_id}/targets", json={"persons": [{"id_number": number}]}
                     ).status_code == 404
    mine = app2.get("/api/v1/campaign-targets/").get_json()["items"]
    pk = next(t["id"] for t in mine if t["campaign"]["id"] == campaign_id)
    assert app2.post(f"/api/v1/campaign-targets/{pk}/moves", json={"action": "approve"}).status_code == 409
    answered = app2.post(f"/api/v1/campaign-targets/{pk}/answer", content_type="multipart/form-data",
                         data={"answer": "已整改", "file": (io.BytesIO(pdf_bytes()), "a.pdf")})
    assert answered.status_code == 200 and answered.get_json()["target"]["status"] == "unit_review"
    assert ent1.post(f"/api/v1/campaign-targets/{pk}/moves", json={"action": "approve"}).status_code == 200
    assert api_as("ent2").get(f"/api/v1/campaign-targets/{pk}").status_code == 404
    stats = center.get(f"/api/v1/campaigns/{campaign_id}").get_json()["statistics"]
    assert stats["flagged"] == 1 and stats["under_review"] == 1 and stats["answered"] == 1
    assert query(lambda s: s.get(Campaign, campaign_id).name) == "接口专项整治"


def test_the_campaign_lists_cost_a_fixed_number_of_statements(demo, app, client_as, query):
    from datetime import datetime

    from sqlalchemy import insert

    from app.extensions import db

    pages = {"center": ["/centercampaignview/list/", "/centercampaigntargetview/list/"],
             "ent2": ["/enterprisecampaignview/list/"], "app7": ["/applicantcampaignview/list/"]}
    clients = {who: client_as(who) for who in pages}
    small = {url: statements(app, clients[who], url) for who, urls in pages.items() for url in urls}
    target = query(lambda s: s.scalars(select(CampaignTarget)).first())
    with app.app_context():
        for n in range(40):
            campaign_id = db.session.execute(insert(Campaign).values(
                name=f"整治{n}", answer_by=target.answer_by, created_at=datetime.now()).returning(Campaign.id)).scalar()
            db.session.execute(insert(CampaignTarget).values(
                campaign_id=campaign_id, person_id=target.person_id, enterprise_id=target.enterprise_id,
                status="unit_review", answer_by=target.answer_by, step_started_at=datetime.now(),
                created_at=datetime.now(), version=1))
        db.session.commit()
        db.session.remove()
    large = {url: statements(app, clients[who], url) for who, urls in pages.items() for url in urls}
    assert all(0 <= large[u] - small[u] <= 2 and large[u] <= 6 for u in small), (small, large)


def test_a_person_on_no_list_is_told_so_and_the_campaigns_show_their_time_to_the_minute(demo, client_as):
    flagged = client_as("app7").get("/applicantcampaignview/list/").get_data(as_text=True)
    assert "您被列入以下专项整治的核查名单" in flagged and "您没有被列入" not in flagged
    free = client_as("app1").get("/applicantcampaignview/list/").get_data(as_text=True)
    assert "您没有被列入专项整治核查名单" in free and "您被列入以下" not in free
    center = client_as("center").get("/centercampaignview/list/").get_data(as_text=True)
    created = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d[:.\d]*", center)
    assert created and all(len(value) == 16 for value in created), created
    assert center.count("/centercampaignview/add") == 1  # one 新增, FAB's


def test_the_notices_of_an_import_and_of_each_move_go_through_the_job_queue(demo, app, client_as, query, monkeypatch):
    """Importing a list, a review's return and the daily lock only queue jobs: nothing is written or
    sent inside the request; the worker then writes the person's and the unit's messages (with the
    reviewer's opinion and the deadline the move set) and sends their SMS."""
    from app import jobs
    from models import Job

    monkeypatch.setitem(app.config, "JOBS_BACKEND", "memory")
    queue = jobs.Queue(app)  # runs nothing until drain(), as a worker would later
    monkeypatch.setitem(app.extensions, "jobs", queue)
    center, app2, ent1 = client_as("center"), client_as("app2"), client_as("ent1")
    since = query(lambda s: s.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0)
    person_id, _, number = person_of(query, "app2")  # registered with ent1
    campaign_id = open_campaign(center)
    assert "已列入 1 人" in import_list(center, campaign_id, f"身份证号\n{number}\n").get_data(as_text=True)
    pk = target_of(query, campaign_id, person_id)

    def told(session):
        return sorted(session.scalars(select(Message.kind).where(Message.campaign_target_id == pk)))

    def kinds(session):
        return [(j.kind, j.state) for j in session.scalars(select(Job).where(Job.id > since).order_by(Job.id))]

    assert query(told) == []  # nothing told inside the request
    assert query(kinds) == [("notify.campaign", "queued")]
    assert queue.drain() == 2  # the messages, then their SMS
    assert query(told) == ["campaign_flagged", "campaign_unit_flagged"]
    flagged = query(lambda s: s.scalars(select(Message).where(Message.campaign_target_id == pk,
                                                              Message.kind == "campaign_flagged")).one())
    assert working_days_from_today(app, 10).isoformat() in flagged.body and flagged.sms_status == "sent"

    press(app2, "applicantcampaignview", pk, "rectify", answer="已签订劳动合同",
          file=(io.BytesIO(pdf_bytes("contract")), "contract.pdf"))
    press(ent1, "enterprisecampaignview", pk, "approve")
    press(center, "centercampaigntargetview", pk, "return", opinion="社保缴纳证明不全")
    assert status(query, pk) == "pending" and "campaign_returned" not in query(told)
    queue.drain()
    returned = query(lambda s: s.scalars(select(Message).where(Message.campaign_target_id == pk,
                                                               Message.kind == "campaign_returned")).one())
    assert "社保缴纳证明不全" in returned.body and working_days_from_today(app, 5).isoformat() in returned.body
    assert returned.sms_status == "sent" and "campaign_unit_todo" in query(told)

    # the daily lock of who did not answer: the lock is the job's, its notices the queue's
    after = (query(lambda s: s.get(CampaignTarget, pk).answer_by) + timedelta(days=1)).isoformat()
    assert "锁定：1 人" in app.test_cli_runner().invoke(args=["campaigns", "lock-overdue", "--date", after]).output
    assert "campaign_locked" not in query(told)
    queue.drain()
    assert {"campaign_locked", "campaign_unit_locked"} <= set(query(told))
