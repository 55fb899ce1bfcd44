"""Notifications: each move tells exactly the people it concerns, in-app and by SMS, after it
committed; a failing SMS sender never undoes the move and leaves the SMS queued for retry."""
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from models import Application, Enterprise, Message, Person, SmsMessage
from tests.conftest import csrf_token
from tests.helpers import add, flashes, move, submit


class FailingSender:
    name = "failing"

    def send(self, message):
        from app.sms import SendFailed

        raise SendFailed("gateway down")


def pending(session, username, status):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Application).where(Application.person_id == person.id,
                                                     Application.status == status)).one().id


def marks(session):
    return session.scalar(select(func.max(Message.id))) or 0, session.scalar(select(func.max(SmsMessage.id))) or 0


def news(session, since):
    """(username, kind, sms_status) of new messages, and (username, phone) of new notice SMS."""
    messages = session.execute(select(User.username, Message.kind, Message.sms_status, Message.body)
                               .join(User, User.id == Message.user_id).where(Message.id > since[0])
                               .order_by(Message.id)).all()
    texts = session.execute(select(User.username, SmsMessage.phone, SmsMessage.text)
                            .join(User, User.id == SmsMessage.user_id)
                            .where(SmsMessage.id > since[1], SmsMessage.purpose == "notice")).all()
    return messages, texts


def test_unit_return_tells_the_applicant_in_app_and_by_sms(demo, client_as, query):
    pk = query(lambda s: pending(s, "app2", "pending_enterprise"))
    ent1 = client_as("ent1")
    since = query(marks)  # after the login code
    assert move(ent1, "enterprisependingview", pk, "return", opinion="劳动合同缺页").status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("app2", "returned_by_enterprise", "sent")]
    assert "劳动合同缺页" in messages[0].body
    assert [(t.username, t.phone) for t in texts] == [("app2", "13800000002")]
    number = query(lambda s: s.get(Application, pk).number)
    # the SMS names the filing and where to read the opinion, never the opinion itself
    assert "劳动合同缺页" not in texts[0].text and number in texts[0].text and "站内消息" in texts[0].text

    # the applicant sees it at once: unread in the navbar, listed in the message centre
    app2 = client_as("app2")
    unread = query(lambda s: s.scalar(select(func.count(Message.id)).join(User, User.id == Message.user_id)
                                      .where(User.username == "app2", Message.read_at.is_(None))))
    assert unread >= 1  # this one, and the demo's earlier approval
    assert f'class="badge unread-count">{unread}<' in app2.get("/").get_data(as_text=True)
    page = app2.get("/messages/")
    assert page.status_code == 200 and "劳动合同缺页" in page.get_data(as_text=True)
    message_id = query(lambda s: s.scalar(select(Message.id).where(Message.id > since[0])))
    answer = app2.post("/messages/read", data={"id": message_id, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert query(lambda s: s.get(Message, message_id).read_at) is not None
    if unread > 1:
        assert f'class="badge unread-count">{unread - 1}<' in app2.get("/").get_data(as_text=True)
    app2.post("/messages/read_all", data={"csrf_token": csrf_token(page)})
    assert "unread-count" not in app2.get("/").get_data(as_text=True)


def test_submit_tells_the_units_reviewers_and_no_one_else(demo, client_as, query):
    pk = query(lambda s: pending(s, "app4", "returned_by_enterprise"))
    app4 = client_as("app4")
    since = query(marks)
    assert submit(app4, "applicantinitialview", pk).status_code == 302
    assert flashes(app4)[-1].startswith("已提交")
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("ent1", "todo", "sent")]
    assert [(t.username, t.phone) for t in texts] == [("ent1", "13900000001")]


def test_unit_approval_tells_the_applicant_and_the_center_in_app_only(demo, client_as, query):
    pk = query(lambda s: pending(s, "app2", "pending_enterprise"))
    ent1 = client_as("ent1")
    since = query(marks)
    assert move(ent1, "enterprisependingview", pk, "approve").status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert sorted((m.username, m.kind, m.sms_status) for m in messages) == [
        ("app2", "forwarded", None), ("center", "center_todo", None)]
    assert texts == []


def test_refusal_tells_the_applicant_with_the_opinion(demo, client_as, query):
    pk = query(lambda s: pending(s, "app3", "pending_center"))
    center = client_as("center")
    since = query(marks)
    assert move(center, "centerqueueview", pk, "refuse", opinion="同时在两个单位申请").status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("app3", "refused", "sent")]
    assert "同时在两个单位申请" in messages[0].body and "同时在两个单位申请" not in texts[0].text
    assert [t.username for t in texts] == ["app3"]


def test_failing_sms_keeps_the_move_and_queues_the_message(demo, app, client_as, query, monkeypatch):
    pk = query(lambda s: pending(s, "app3", "pending_center"))
    center = client_as("center")
    since = query(marks)
    monkeypatch.setitem(app.config, "SMS_BACKEND", "tests.test_notify:FailingSender")
    assert move(center, "centerqueueview", pk, "return", opinion="身份证复印件不清晰").status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "returned_by_center"
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("app3", "returned_by_center", "queued")]
    assert texts == []
    queued = query(lambda s: s.scalars(select(Message).where(Message.id > since[0])).one())
    assert queued.sms_tries == 1 and "gateway down" in queued.sms_error

    monkeypatch.setitem(app.config, "SMS_BACKEND", "local")
    result = app.test_cli_runner().invoke(args=["notify", "retry"])
    assert result.exit_code == 0, result.output
    assert "发出 1 条" in result.output
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.sms_status) for m in messages] == [("app3", "sent")]
    assert [(t.username, t.phone) for t in texts] == [("app3", "13800000003")]


def test_nobody_reads_or_marks_another_users_message(demo, client_as, query):
    pk = query(lambda s: pending(s, "app2", "pending_enterprise"))
    ent1 = client_as("ent1")
    since = query(marks)
    move(ent1, "enterprisependingview", pk, "return", opinion="请补充材料")
    message_id = query(lambda s: s.scalar(select(Message.id).where(Message.id > since[0])))
    other = client_as("app3")
    page = other.get("/messages/")
    assert "请补充材料" not in page.get_data(as_text=True)
    answer = other.post("/messages/read", data={"id": message_id, "csrf_token": csrf_token(page)})
    assert answer.status_code == 404
    other.post("/messages/read_all", data={"csrf_token": csrf_token(page)})
    assert query(lambda s: s.get(Message, message_id).read_at) is None


def unit_id(session, name_part):
    return session.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{name_part}%")))


def change_unit_submitted(client_as, query):
    """app7 (registered with ent2, 长安) files a change to ent1 (秦川) and submits it; the messages since."""
    app7 = client_as("app7")
    assert add(app7, "change_unit", enterprise=query(lambda s: unit_id(s, "秦川"))).status_code == 302
    pk = query(lambda s: s.scalars(select(Application.id).where(Application.business_type == "change_unit")).one())
    since = query(marks)
    assert submit(app7, "applicantchangeunitview", pk).status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "pending_release"
    return pk, since


def test_change_of_unit_tells_the_old_unit_first(demo, client_as, query):
    pk, since = change_unit_submitted(client_as, query)
    messages, texts = query(lambda s: news(s, since))
    # the old unit (ent2) confirms the release; the new unit (ent1) hears nothing yet
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("ent2", "release_todo", "sent")]
    assert "赵敏" in messages[0].body and "确认是否同意解聘" in messages[0].body
    assert [(t.username, t.phone) for t in texts] == [("ent2", "13900000002")]
    # ent2 sees it in its message centre, linked to the filing it may open
    page = client_as("ent2").get("/messages/").get_data(as_text=True)
    assert "待确认的变更注册" in page and f"/enterpriseapplicationview/show/{pk}" in page

    since = query(marks)
    assert move(client_as("ent2"), "enterprisependingview", pk, "release", opinion="已办理离职").status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert sorted((m.username, m.kind, m.sms_status) for m in messages) == [
        ("app7", "released", None), ("ent1", "released_todo", "sent")]
    assert [(t.username, t.phone) for t in texts] == [("ent1", "13900000001")]


def test_the_old_units_refusal_tells_the_applicant_with_its_opinion(demo, client_as, query):
    pk, _ = change_unit_submitted(client_as, query)
    since = query(marks)
    assert move(client_as("ent2"), "enterprisependingview", pk, "return",
                opinion="劳动合同未到期，尚未办理离职").status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [("app7", "returned_by_old_enterprise", "sent")]
    assert "劳动合同未到期，尚未办理离职" in messages[0].body and "原聘用单位不同意解聘" in messages[0].body
    assert [(t.username, t.phone) for t in texts] == [("app7", "13800000007")]
    assert "劳动合同未到期" not in texts[0].text and "原聘用单位不同意解聘" in texts[0].text


def test_recipients_is_a_table_keyed_by_move_and_target():
    from collections import namedtuple

    from app import notify

    move_ = namedtuple("Move", "action role target")
    assert notify.plan_for(move_("submit", "applicant", "pending_enterprise")) == [("reviewers", "todo")]
    assert notify.plan_for(move_("submit", "applicant", "pending_release")) == [("old_reviewers", "release_todo")]
    assert notify.plan_for(move_("withdraw", "applicant", "draft")) == []
    for plan in notify.RECIPIENTS.values():  # every kind named has its text
        assert all(kind in notify.TEMPLATES for _, kind in plan)


def test_an_opinion_with_an_address_or_a_script_never_reaches_an_sms(demo, app, client_as, query, monkeypatch):
    """Opinions are free text: in-app they are shown (escaped); an SMS carries a fixed text naming
    the filing and where to look, with the platform's own address when one is configured."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://jzs.example.gov.cn")
    lure = "材料有误，请速登录 http://evil.example/login 补正<script>alert(1)</script>"
    pk = query(lambda s: pending(s, "app3", "pending_center"))
    since = query(marks)
    assert move(client_as("center"), "centerqueueview", pk, "return", opinion=lure).status_code == 302
    messages, texts = query(lambda s: news(s, since))
    assert [(m.username, m.kind) for m in messages] == [("app3", "returned_by_center")] and lure in messages[0].body
    assert [t.username for t in texts] == ["app3"]
    text = texts[0].text
    assert "evil" not in text and "http://" not in text and "<script" not in text and "材料有误" not in text
    number = query(lambda s: s.get(Application, pk).number)
    assert number in text and "https://jzs.example.gov.cn" in text and "站内消息" in text
    page = client_as("app3").get("/messages/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page  # in-app the opinion is shown as text


def test_every_kind_sent_by_sms_has_a_fixed_text():
    from app import notify

    by_sms = {kind for kind, (_, _, sms) in notify.TEMPLATES.items() if sms}
    assert by_sms == set(notify.SMS_TEXTS) | notify.SMS_IS_BODY
    assert not any("%(opinion)s" in str(text) or "%(reason)s" in str(text) or "%(name)s" in str(text)
                   for text in notify.SMS_TEXTS.values())
    assert not any("%(opinion)s" in str(notify.TEMPLATES[kind][1]) or "%(reason)s" in str(notify.TEMPLATES[kind][1])
                   for kind in notify.SMS_IS_BODY)
