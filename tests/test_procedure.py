"""The center's full procedure (CENTER_PROCEDURE="full"): 受理, 审核, 决定, 公示 with appeals and
objections, 公告; and the single procedure left as it was."""
import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app import states
from models import Announcement, Application, NoticeFiling, Registration, Review
from tests.conftest import csrf_token
from tests.helpers import add, flashes, move, pdf_bytes, submit
from tests.test_workflow import enterprise_id, ids, specialty_id

QUEUE = "centerqueueview"
ACTION = re.compile(r"""['"]accept['"]""")


@pytest.fixture
def full(app, monkeypatch):
    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "full")
    return app


def status(query, pk):
    return query(lambda s: s.get(Application, pk).status)


def records(query, pk):
    return query(lambda s: [(r.action, r.from_status, r.to_status, r.opinion) for r in s.get(Application, pk).reviews])


def end_notice(app, pk, days=30):
    """The 公示 period began long ago (the clock, not the status, is moved)."""
    from app.extensions import db

    with app.app_context():
        db.session.get(Application, pk).step_started_at = datetime.now() - timedelta(days=days)
        db.session.commit()
        db.session.remove()


def decide(center, pk, grant=True):
    assert move(center, QUEUE, pk, "accept").status_code == 302
    assert move(center, QUEUE, pk, "examine", opinion="材料齐全").status_code == 302
    if grant:
        assert move(center, QUEUE, pk, "grant").status_code == 302
    else:
        assert move(center, QUEUE, pk, "deny", opinion="同时在两个单位申请注册").status_code == 302


def batch(client, action, pks):
    listing = client.get(f"/{QUEUE}/list/")
    return client.post(f"/{QUEUE}/action_post", data={
        "csrf_token": csrf_token(listing), "action": action, "rowid": [str(pk) for pk in pks]})


def announce(client, pks, number):
    answer = batch(client, "announce", pks)
    assert answer.status_code == 302 and "/announce" in answer.headers["Location"]
    form = client.get(answer.headers["Location"])
    assert form.status_code == 200
    return client.post(f"/{QUEUE}/announce", data={"csrf_token": csrf_token(form), "ids": ",".join(map(str, pks)),
                                                   "number": number, "title": "二级建造师注册审批结果公告"})


def second_filing(client_as, query, username="app1", unit="秦川", specialty="建筑工程"):
    """A fresh initial filing forwarded by its unit: waiting for the center's acceptance."""
    applicant = client_as(username)
    add(applicant, "initial", enterprise=enterprise_id(query, unit), specialties=[specialty_id(query, specialty)])
    pk, _ = ids(query, username)
    assert submit(applicant, "applicantinitialview", pk).status_code == 302
    assert move(client_as("ent1"), "enterprisependingview", pk, "approve").status_code == 302
    assert status(query, pk) == "pending_center"
    return pk


def test_the_path_to_an_effective_registration_and_its_certificate(demo, full, client_as, query):
    pk, state = ids(query, "app3")
    assert state == "pending_center"
    center = client_as("center")
    page = center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "待受理" in page and ">受理<" in page and "准予注册" not in page
    decide(center, pk)
    assert status(query, pk) == "notice_granted"
    assert query(lambda s: s.get(Application, pk).registration_id) is None  # 准予 alone changes nothing

    # 公示: the public sees the decision, masked; the period is not over, so no 公告 yet
    public = full.test_client().get("/public/notice").get_data(as_text=True)
    person_id = query(lambda s: s.get(Application, pk).id_number)
    assert "张*" in public and person_id not in public and person_id[:3] in public
    answer = announce(center, [pk], "陕建公告〔2026〕1号")
    assert any("尚未届满" in m for m in flashes(center))
    assert status(query, pk) == "notice_granted"
    assert query(lambda s: s.scalar(select(Announcement.id))) is None  # an announcement of nothing is not kept

    end_notice(full, pk)
    answer = announce(center, [pk], "陕建公告〔2026〕1号")
    assert answer.status_code == 302
    assert status(query, pk) == "approved"
    registration_id = query(lambda s: s.get(Application, pk).registration_id)
    assert registration_id is not None
    assert query(lambda s: s.get(Registration, registration_id).status) == "active"
    assert [r[0] for r in records(query, pk)][-4:] == ["accept", "examine", "grant", "announce"]

    listing = full.test_client().get("/public/announcements").get_data(as_text=True)
    assert "陕建公告〔2026〕1号" in listing and "张*" in listing and person_id not in listing
    certificate = client_as("app3").get(f"/applicantregistrationview/{registration_id}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.mimetype == "application/pdf"


def test_each_move_is_allowed_only_from_its_state_and_to_its_role(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center, app3, ent2 = client_as("center"), client_as("app3"), client_as("ent2")
    for action in ("examine", "grant", "deny", "announce", "reopen", "approve"):
        move(center, QUEUE, pk, action, opinion="越级")
        assert any("不能执行" in m for m in flashes(center)), action
        assert status(query, pk) == "pending_center"
    move(center, QUEUE, pk, "reject", opinion="")
    assert "请填写审核意见" in flashes(center) and status(query, pk) == "pending_center"
    assert move(center, QUEUE, pk, "accept").status_code == 302 and status(query, pk) == "under_examination"
    # the applicant and the unit act on nothing once the center has accepted
    move(app3, "applicantinitialview", pk, "withdraw")
    assert any("不能执行" in m for m in flashes(app3))
    move(ent2, "enterpriseapplicationview", pk, "recall", opinion="撤销")
    assert any("不能执行" in m for m in flashes(ent2))
    move(center, QUEUE, pk, "return", opinion="")
    assert "请填写审核意见" in flashes(center)
    assert move(center, QUEUE, pk, "examine").status_code == 302 and status(query, pk) == "pending_decision"
    move(center, QUEUE, pk, "deny", opinion="")
    assert "请填写审核意见" in flashes(center) and status(query, pk) == "pending_decision"
    assert move(center, QUEUE, pk, "deny", opinion="不符合条件").status_code == 302
    assert status(query, pk) == "notice_denied"
    move(center, QUEUE, pk, "reopen", opinion="")
    assert "请填写审核意见" in flashes(center) and status(query, pk) == "notice_denied"


def test_reject_before_acceptance_returns_the_filing(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    assert move(center, QUEUE, pk, "reject", opinion="材料不属于本中心受理范围").status_code == 302
    assert status(query, pk) == "rejected_by_center"
    # its recall goes back to 受理; the recall of a 退回补正 goes back to 审核
    assert move(center, "centerapplicationview", pk, "recall", opinion="误驳回").status_code == 302
    assert status(query, pk) == "pending_center"
    move(center, QUEUE, pk, "accept")
    assert move(center, QUEUE, pk, "return", opinion="学历证书不清晰").status_code == 302
    assert status(query, pk) == "returned_by_center"
    assert move(center, "centerapplicationview", pk, "recall", opinion="误退回").status_code == 302
    assert status(query, pk) == "under_examination"
    move(center, QUEUE, pk, "recall", opinion="撤销受理")
    move(center, QUEUE, pk, "reject", opinion="材料不属于本中心受理范围")
    # the applicant resubmits from 驳回 as from a return, and the unit reviews again
    applicant = client_as("app3")
    assert move(applicant, "applicantinitialview", pk, "submit").status_code == 302
    assert status(query, pk) == "pending_enterprise"


def test_the_applicant_withdraws_before_acceptance_only(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    app3 = client_as("app3")
    assert "撤回" in app3.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert move(app3, "applicantinitialview", pk, "withdraw").status_code == 302
    assert status(query, pk) == "draft"
    assert submit(app3, "applicantinitialview", pk).status_code == 302
    assert move(client_as("ent2"), "enterprisependingview", pk, "approve").status_code == 302
    assert move(client_as("center"), QUEUE, pk, "accept").status_code == 302
    move(app3, "applicantinitialview", pk, "withdraw")
    assert any("不能执行" in m for m in flashes(app3))
    assert status(query, pk) == "under_examination"


def test_an_upheld_appeal_is_examined_again_and_granted(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center, app3 = client_as("center"), client_as("app3")
    decide(center, pk, grant=False)
    page = app3.get(f"/applicantinitialview/show/{pk}")
    assert "申诉理由" in page.get_data(as_text=True)
    token = csrf_token(page)
    # the attachment is checked like every upload
    app3.post(f"/applicantinitialview/{pk}/appeal", data={
        "csrf_token": token, "reason": "已解除与原单位的劳动关系", "file": (io.BytesIO(b"not a pdf"), "x.pdf")},
        content_type="multipart/form-data")
    assert any("PDF" in m for m in flashes(app3))
    assert query(lambda s: s.scalar(select(NoticeFiling.id))) is None
    app3.post(f"/applicantinitialview/{pk}/appeal", data={
        "csrf_token": token, "reason": "已解除与原单位的劳动关系", "file": (io.BytesIO(pdf_bytes("解除证明")), "解除证明.pdf")},
        content_type="multipart/form-data")
    filing = query(lambda s: s.scalars(select(NoticeFiling)).one().id)
    assert "处理中" in app3.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)

    # open: no 公告 even after the period
    end_notice(full, pk)
    announce(center, [pk], "陕建公告〔2026〕2号")
    assert any("尚未处理" in m for m in flashes(center)) and status(query, pk) == "notice_denied"

    shown = center.get(f"/{QUEUE}/show/{pk}")
    assert "已解除与原单位的劳动关系" in shown.get_data(as_text=True)
    center.post(f"/{QUEUE}/{pk}/filings/resolve", data={
        "csrf_token": csrf_token(shown), "filing_id": filing, "resolution": "upheld", "opinion": ""})
    assert "请填写处理意见" in flashes(center) and status(query, pk) == "notice_denied"
    center.post(f"/{QUEUE}/{pk}/filings/resolve", data={
        "csrf_token": csrf_token(shown), "filing_id": filing, "resolution": "upheld", "opinion": "申诉成立，重新审核"})
    assert status(query, pk) == "under_examination"
    assert query(lambda s: s.get(NoticeFiling, filing).resolution) == "upheld"
    assert move(center, QUEUE, pk, "examine").status_code == 302
    assert move(center, QUEUE, pk, "grant").status_code == 302
    assert status(query, pk) == "notice_granted"
    actions = [r[0] for r in records(query, pk)]
    assert actions[-5:] == ["deny", "uphold_appeal", "reopen", "examine", "grant"]
    page = app3.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "申诉成立" in page and "重新审核" in page


def test_a_dismissed_appeal_leaves_the_refusal_and_then_the_period_ends(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center, app3 = client_as("center"), client_as("app3")
    decide(center, pk, grant=False)
    page = app3.get(f"/applicantinitialview/show/{pk}")
    app3.post(f"/applicantinitialview/{pk}/appeal", data={
        "csrf_token": csrf_token(page), "reason": "不服", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data")
    filing = query(lambda s: s.scalars(select(NoticeFiling)).one().id)
    shown = center.get(f"/{QUEUE}/show/{pk}")
    center.post(f"/{QUEUE}/{pk}/filings/resolve", data={
        "csrf_token": csrf_token(shown), "filing_id": filing, "resolution": "dismissed", "opinion": "理由不成立"})
    assert status(query, pk) == "notice_denied"
    assert records(query, pk)[-1][:3] == ("dismiss_appeal", "notice_denied", "notice_denied")
    end_notice(full, pk)
    page = app3.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "申诉理由" not in page and "不能申诉" in page and "届满" in page
    announce(center, [pk], "陕建公告〔2026〕3号")
    assert status(query, pk) == "refused"


def test_an_objection_from_the_public_page_is_resolved(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk)
    anonymous = full.test_client()
    page = anonymous.get("/public/notice")
    assert "提出异议" in page.get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "application_id": str(pk), "name": "王五", "reason": "此人未在该单位工作"}
    answer = anonymous.post("/public/notice", data={**form, "phone": "12345"})
    assert answer.status_code == 200 and query(lambda s: s.scalar(select(NoticeFiling.id))) is None
    answer = anonymous.post("/public/notice", data={**form, "phone": "13900000001"})
    assert answer.status_code == 302
    filing = query(lambda s: s.scalars(select(NoticeFiling)).one())
    assert (filing.kind, filing.name, filing.filed_by_user_id) == ("objection", "王五", None)
    from models import Message

    told = query(lambda s: [m.body for m in s.scalars(select(Message).where(Message.kind == "notice_filing"))])
    assert len(told) == 1 and "收到异议" in told[0]  # the center's one user is told, nobody else
    # the objector's phone is the center's to read, not the applicant's
    assert "13900000001" in center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "13900000001" not in client_as("app3").get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    shown = center.get(f"/{QUEUE}/show/{pk}")
    center.post(f"/{QUEUE}/{pk}/filings/resolve", data={
        "csrf_token": csrf_token(shown), "filing_id": filing.id, "resolution": "dismissed",
        "opinion": "经核查社保记录，异议不成立"})
    assert status(query, pk) == "notice_granted"
    assert query(lambda s: s.get(NoticeFiling, filing.id).resolution) == "dismissed"
    assert "异议不成立" in center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    # after the period no objection is taken
    end_notice(full, pk)
    late = anonymous.post("/public/notice", data={**form, "csrf_token": csrf_token(anonymous.get("/public/notice")),
                                                  "phone": "13900000001"})
    assert "不在公示期内" in late.get_data(as_text=True)


def test_an_announcement_makes_exactly_its_approvals_take_effect(demo, full, client_as, query):
    first, _ = ids(query, "app3")
    second = second_filing(client_as, query)
    center = client_as("center")
    # batch 受理 and 准予, each through its own move
    answer = batch(center, "accept", [first, second])
    assert answer.status_code == 302 and "已处理 2 件" in flashes(center)
    for pk in (first, second):
        assert move(center, QUEUE, pk, "examine").status_code == 302
    batch(center, "grant", [first, second])
    assert "已处理 2 件" in flashes(center)
    assert {status(query, first), status(query, second)} == {"notice_granted"}
    end_notice(full, first)  # the second is still in its period
    registrations = query(lambda s: s.scalars(select(Registration.id)).all())
    announce(center, [first, second], "陕建公告〔2026〕12号")
    messages = flashes(center)
    assert any("已发布公告陕建公告〔2026〕12号：1 件" in m for m in messages)
    assert any("尚未届满" in m and query(lambda s: s.get(Application, second).number) in m for m in messages)
    assert (status(query, first), status(query, second)) == ("approved", "notice_granted")
    added = query(lambda s: s.scalars(select(Registration.id)).all())
    assert len(added) == len(registrations) + 1
    assert query(lambda s: s.get(Application, first).announcement.number) == "陕建公告〔2026〕12号"
    assert query(lambda s: s.get(Application, second).announcement_id) is None
    # the number is unique
    end_notice(full, second)
    announce(center, [second], "陕建公告〔2026〕12号")
    assert any("已使用" in m for m in flashes(center)) and status(query, second) == "notice_granted"


def test_a_recall_of_a_grant_keeps_both_records(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk)
    move(center, QUEUE, pk, "recall", opinion="")
    assert "请填写审核意见" in flashes(center)
    assert move(center, QUEUE, pk, "recall", opinion="误点准予，撤销").status_code == 302
    assert status(query, pk) == "pending_decision"
    assert [(r[0], r[2]) for r in records(query, pk)][-2:] == [("grant", "notice_granted"),
                                                               ("recall", "pending_decision")]
    page = center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "准予" in page and "撤销审核" in page and "误点准予，撤销" in page
    # a recall of acceptance and of the examination too
    assert move(center, QUEUE, pk, "recall", opinion="重新审核").status_code == 302
    assert move(center, QUEUE, pk, "recall", opinion="撤销受理").status_code == 302
    assert status(query, pk) == "pending_center"


def test_the_queue_filters_by_state(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    number = query(lambda s: s.get(Application, pk).number)
    listing = center.get(f"/{QUEUE}/list/").get_data(as_text=True)
    assert "?state=under_examination" in listing and number in listing
    assert ACTION.search(listing)  # the batch 受理 is offered
    assert number not in center.get(f"/{QUEUE}/list/?state=under_examination").get_data(as_text=True)
    move(center, QUEUE, pk, "accept")
    assert number in center.get(f"/{QUEUE}/list/?state=under_examination").get_data(as_text=True)


def test_the_single_procedure_refuses_the_new_moves(demo, app, client_as, query):
    assert app.config["CENTER_PROCEDURE"] == "single"
    pk, _ = ids(query, "app3")
    center = client_as("center")
    page = center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "待注册中心审核" in page and ">受理<" not in page
    for action in ("accept", "reject", "grant", "announce"):
        move(center, QUEUE, pk, action, opinion="试一试")
        assert any("不能执行" in m for m in flashes(center)), action
    move(client_as("app3"), "applicantinitialview", pk, "withdraw")
    assert status(query, pk) == "pending_center"
    listing = center.get(f"/{QUEUE}/list/").get_data(as_text=True)
    assert not ACTION.search(listing)
    assert move(center, QUEUE, pk, "approve").status_code == 302 and status(query, pk) == "approved"
    assert query(lambda s: s.get(Application, pk).registration_id) is not None
    assert {m.procedure for m in states.moves()} == {None, "single"}
    assert query(lambda s: s.scalar(select(Review.id).where(Review.action == "accept"))) is None


def test_the_applicant_is_told_of_each_center_decision(demo, full, client_as, query):
    from models import Message, Person

    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk, grant=False)
    person_user = query(lambda s: s.get(Application, pk).person.user_id)
    told = query(lambda s: [(m.kind, m.body, m.sms_status) for m in
                            s.scalars(select(Message).where(Message.user_id == person_user).order_by(Message.id))])
    kinds = [kind for kind, _, _ in told]
    assert kinds[-2:] == ["accepted", "denied_notice"]
    body, sms = told[-1][1], told[-1][2]
    assert "同时在两个单位申请注册" in body and "申诉" in body and sms == "sent"
    end_notice(full, pk)
    announce(center, [pk], "陕建公告〔2026〕9号")
    last = query(lambda s: s.scalars(select(Message).where(Message.user_id == person_user)
                                     .order_by(Message.id.desc())).first().kind)
    assert last == "refused"
    others = query(lambda s: s.scalar(select(Message.id).where(Message.kind.in_(("accepted", "denied_notice")),
                                                               Message.user_id != person_user)))
    assert others is None  # nobody else hears of the center's decision


def test_the_queue_shows_the_notice_end_instead_of_a_review_clock(demo, full, client_as, query):
    from app import deadlines

    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk)
    ends = query(lambda s: deadlines.notice_ends(s.get(Application, pk)))
    listing = center.get(f"/{QUEUE}/list/?state=notice_granted").get_data(as_text=True)
    assert f"公示至 {ends.isoformat()}" in listing and "剩余" not in listing.split("公示至")[1][:200]
    end_notice(full, pk)
    assert "公示期满，可公告" in center.get(f"/{QUEUE}/list/?state=notice_granted").get_data(as_text=True)


def test_the_center_refuses_several_decisions_at_once_with_one_opinion(demo, full, client_as, query):
    first, _ = ids(query, "app3")
    second = second_filing(client_as, query)
    center = client_as("center")
    for pk in (first, second):
        assert move(center, QUEUE, pk, "accept").status_code == 302
    assert move(center, QUEUE, second, "examine").status_code == 302
    listing = center.get(f"/{QUEUE}/list/?state=pending_decision").get_data(as_text=True)
    assert "deny_many" in listing  # offered in the full procedure
    answer = batch(center, "deny_many", [first, second])
    form = center.get(answer.headers["Location"])
    assert "以下申请将作出不予决定并进入公示" in form.get_data(as_text=True)
    empty = center.post(answer.headers["Location"], data={"csrf_token": csrf_token(form), "opinion": " "})
    assert "请填写审核意见" in empty.get_data(as_text=True) and status(query, second) == "pending_decision"
    center.post(answer.headers["Location"], data={"csrf_token": csrf_token(form), "opinion": "继续教育学时不足"})
    assert status(query, second) == "notice_denied" and status(query, first) == "under_examination"
    assert any("不能执行" in m for m in flashes(center))  # the one still under examination is reported
    assert records(query, second)[-1] == ("deny", "pending_decision", "notice_denied", "继续教育学时不足")


def test_the_single_procedure_offers_no_batch_refusal_of_decisions(demo, app, client_as):
    assert "deny_many" not in client_as("center").get(f"/{QUEUE}/list/").get_data(as_text=True)


def offered_batch_moves(client, state=""):
    listing = client.get(f"/{QUEUE}/list/" + (f"?state={state}" if state else "")).get_data(as_text=True)
    return {name for name in ("approve", "accept", "grant", "deny_many", "announce")
            if re.search(rf"""['"]{name}['"]""", listing)}


def test_the_batch_menu_offers_only_what_can_succeed_on_its_tab(demo, full, client_as):
    center = client_as("center")
    assert "approve" not in offered_batch_moves(center)  # 准予注册 is the single procedure's
    assert offered_batch_moves(center, "pending_center") == {"accept"}
    assert offered_batch_moves(center, "pending_decision") == {"grant", "deny_many"}
    assert offered_batch_moves(center, "notice_granted") == {"announce"}  # no 受理 on the 公示 tab


def test_the_single_procedures_batch_menu_is_unchanged(demo, app, client_as):
    assert offered_batch_moves(client_as("center")) == {"approve"}


def test_announce_is_offered_on_a_filing_only_when_its_notice_is_over(demo, full, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk)
    page = center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "暂不能公告" in page and "尚未届满" in page
    assert f"/announce/{pk}" not in page and "announce?ids=" not in page
    # the move posted anyway says why, once
    move(center, QUEUE, pk, "announce")
    said = [str(m) for m in flashes(center)]
    assert said.count("请填写公告文号") <= 1
    end_notice(full, pk)
    page = center.get(f"/{QUEUE}/show/{pk}").get_data(as_text=True)
    assert "暂不能公告" not in page and f"/{QUEUE}/announce?ids={pk}" in page
    form = center.get(f"/{QUEUE}/announce?ids={pk}")
    assert 'name="number"' in form.get_data(as_text=True)


def test_the_public_notice_offers_objection_as_a_labelled_form(demo, full, client_as, query, app):
    pk, _ = ids(query, "app3")
    decide(client_as("center"), pk)
    page = app.test_client().get("/public/notice").get_data(as_text=True)
    assert '<summary class="btn' in page
    assert f'<label class="small" for="objection-name-{pk}">' in page and f'id="objection-name-{pk}"' in page
