"""The whole workflow for each business type, through the pages, and every illegal move."""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app import states
from app.dates import add_years
from models import Application, Enterprise, Person, Registration, Review, Specialty
from models.applications import StatusGuardError
from tests.helpers import add, flashes, move, submit


def person_of(session, username):
    return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()


def latest_application(session, username):
    person = person_of(session, username)
    return session.scalars(select(Application).where(Application.person_id == person.id)
                           .order_by(Application.id.desc())).first()


def ids(query, username):
    def read(session):
        a = latest_application(session, username)
        return a.id, a.status

    return query(read)


def specialty_id(query, name):
    return query(lambda s: s.scalar(select(Specialty.id).where(Specialty.name == name)))


def enterprise_id(query, name_part):
    return query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{name_part}%"))))


def walk_through(client_as, pk, applicant_view, unit="ent1"):
    """提交 → 企业通过 → 中心准予注册, each through its button; returns nothing, asserts each step."""
    applicant = client_as(applicant_view[0])
    assert submit(applicant, applicant_view[1], pk).status_code == 302
    assert flashes(applicant)[-1].startswith("已提交")
    ent = client_as(unit)
    assert move(ent, "enterprisependingview", pk, "approve").status_code == 302
    center = client_as("center")
    assert move(center, "centerqueueview", pk, "approve", opinion="准予").status_code == 302


def test_initial_registration_end_to_end(demo, client_as, query):
    app1 = client_as("app1")
    answer = add(app1, "initial", enterprise=enterprise_id(query, "秦川"),
                 specialties=[specialty_id(query, "建筑工程"), specialty_id(query, "市政公用工程")])
    assert answer.status_code == 302
    pk, status = ids(query, "app1")
    assert status == "draft"

    # The enterprise sees nothing of a draft; the home page counts what awaits it.
    ent1 = client_as("ent1")
    assert ent1.get(f"/enterprisependingview/show/{pk}").status_code == 404
    before = ent1.get("/").get_data(as_text=True)

    assert submit(app1, "applicantinitialview", pk).status_code == 302
    home = ent1.get("/").get_data(as_text=True)
    assert "待办业务数量" in home
    count = lambda html: int(html.split('id="pending-count">')[1].split("<")[0])  # noqa: E731
    assert count(home) == count(before) + 1

    assert move(ent1, "enterprisependingview", pk, "approve", opinion="同意").status_code == 302
    center = client_as("center")
    assert move(center, "centerqueueview", pk, "approve").status_code == 302

    def check(session):
        application = session.get(Application, pk)
        registration = application.registration
        assert application.status == "approved"
        assert registration.certificate_number.startswith("陕2")
        assert registration.valid_until == add_years(registration.valid_from, 3)
        assert registration.valid_from == date.today()
        assert {s.name for s in registration.specialties} == {"建筑工程", "市政公用工程"}
        assert registration.enterprise.name.startswith("陕西秦川")
        assert [r.action for r in application.reviews] == ["submit", "approve", "approve"]
        assert [r.role for r in application.reviews] == ["applicant", "enterprise", "center"]
        assert application.reviews[1].opinion == "同意"
        return registration.certificate_number

    number = query(check)
    page = app1.get("/").get_data(as_text=True)
    assert number in page


def test_add_specialty_adds_to_the_registration(demo, client_as, query):
    pk, status = ids(query, "app2")
    assert status == "pending_enterprise"
    before = query(lambda s: s.get(Application, pk).registration.valid_until)
    ent1, center = client_as("ent1"), client_as("center")
    assert move(ent1, "enterprisependingview", pk, "approve").status_code == 302
    assert move(center, "centerqueueview", pk, "approve").status_code == 302

    def check(session):
        registration = session.get(Application, pk).registration
        assert {s.name for s in registration.specialties} == {"建筑工程", "机电工程"}
        assert registration.valid_until == before  # validity unchanged

    query(check)


def test_renewal_extends_validity_from_the_old_expiry(demo, client_as, query):
    old = query(lambda s: latest_application(s, "app7").registration.valid_until)
    app7 = client_as("app7")
    assert add(app7, "renewal").status_code == 302
    pk, status = ids(query, "app7")
    walk_through(client_as, pk, ("app7", "applicantrenewalview"), unit="ent2")
    assert query(lambda s: s.get(Application, pk).registration.valid_until) == add_years(old, 3)


def test_change_of_unit_is_released_by_the_old_unit_then_approved_by_the_new(demo, client_as, query):
    ent1 = enterprise_id(query, "秦川")
    app7 = client_as("app7")  # registered with ent2, moving to ent1
    assert add(app7, "change_unit", enterprise=ent1).status_code == 302
    pk, _ = ids(query, "app7")
    assert submit(app7, "applicantchangeunitview", pk).status_code == 302
    assert ids(query, "app7")[1] == "pending_release"
    new_unit, old_unit = client_as("ent1"), client_as("ent2")
    assert new_unit.get(f"/enterprisependingview/show/{pk}").status_code == 404  # not the new unit's yet
    page = old_unit.get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "同意解聘" in page and "待原单位确认" in page
    from tests.conftest import csrf_token

    token = csrf_token(new_unit.get("/enterpriseapplicationview/list/"))
    assert new_unit.post(f"/enterpriseapplicationview/{pk}/move/release", data={"csrf_token": token}).status_code == 404
    assert move(old_unit, "enterprisependingview", pk, "release", opinion="已办理离职").status_code == 302
    assert old_unit.get(f"/enterprisependingview/show/{pk}").status_code == 404  # its part is done
    assert move(new_unit, "enterprisependingview", pk, "approve").status_code == 302
    assert move(client_as("center"), "centerqueueview", pk, "approve").status_code == 302
    assert query(lambda s: [(r.role, r.action) for r in s.get(Application, pk).reviews]) == [
        ("applicant", "submit"), ("old_enterprise", "release"), ("enterprise", "approve"), ("center", "approve")]

    def check(session):
        registration = session.get(Application, pk).registration
        assert registration.enterprise_id == ent1
        assert registration.valid_until == date.today() + timedelta(days=60)  # original validity stays

    query(check)


def test_reregistration_after_a_refusal(demo, client_as, query):
    pk, status = ids(query, "app6")
    assert status == "draft"
    walk_through(client_as, pk, ("app6", "applicantreregisterview"), unit="ent1")

    def check(session):
        registration = session.get(Application, pk).registration
        assert registration.status == "active" and registration.valid_from == date.today()

    query(check)


def test_cancellation_cancels_the_registration(demo, client_as, query):
    app7 = client_as("app7")
    assert add(app7, "cancel", reason="本人调离建设行业").status_code == 302
    pk, _ = ids(query, "app7")
    walk_through(client_as, pk, ("app7", "applicantcancelview"), unit="ent2")
    assert query(lambda s: s.get(Application, pk).registration.status) == "cancelled"
    assert "您目前没有有效的注册" in app7.get("/").get_data(as_text=True)


def test_return_and_resubmit_after_editing(demo, client_as, query):
    pk, status = ids(query, "app4")
    assert status == "returned_by_enterprise"
    app4 = client_as("app4")
    page = app4.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "劳动合同未盖单位公章" in page  # the opinion is shown to the applicant
    edit = app4.get(f"/applicantinitialview/edit/{pk}")
    assert edit.status_code == 200
    from tests.conftest import csrf_token

    data = {"csrf_token": csrf_token(edit), "ethnicity": "回族", "education": "本科", "major": "道路工程",
            "school": "长安大学", "title": "", "email": "", "enterprise": enterprise_id(query, "秦川"),
            "specialties": [specialty_id(query, "公路工程")]}
    assert app4.post(f"/applicantinitialview/edit/{pk}", data=data).status_code == 302
    assert query(lambda s: s.get(Application, pk).ethnicity) == "回族"
    assert move(app4, "applicantinitialview", pk, "submit").status_code == 302
    assert ids(query, "app4")[1] == "pending_enterprise"


def row_buttons(page, pk):
    """The buttons of one row of a list page: which of 查看, 修改 and 删除 it links."""
    return {name for name in ("show", "edit", "delete") if re.search(rf'/{name}/{pk}["?]', page)}


def test_the_applicants_list_offers_edit_and_delete_only_where_the_rules_allow(demo, client_as, query):
    returned, status = ids(query, "app4")
    assert status == "returned_by_enterprise"
    assert row_buttons(client_as("app4").get("/applicantinitialview/list/").get_data(as_text=True),
                       returned) == {"show", "edit"}  # back with the applicant, once submitted: kept
    submitted, status = ids(query, "app2")
    assert status == "pending_enterprise"
    page = client_as("app2").get("/applicantaddspecialtyview/list/").get_data(as_text=True)
    assert row_buttons(page, submitted) == {"show"}  # with the unit: neither
    app1 = client_as("app1")
    assert add(app1, "initial", enterprise=enterprise_id(query, "秦川"),
               specialties=[specialty_id(query, "建筑工程")]).status_code == 302
    draft, status = ids(query, "app1")
    assert status == "draft"
    assert row_buttons(app1.get("/applicantinitialview/list/").get_data(as_text=True), draft) == {
        "show", "edit", "delete"}


# --- illegal moves change nothing and say why ----------------------------------------------------

def snapshot(query, pk):
    return query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).version,
                            s.scalar(select(func.count(Review.id)).where(Review.application_id == pk))))


def test_return_without_opinion_is_refused(demo, client_as, query):
    pk, _ = ids(query, "app2")
    before = snapshot(query, pk)
    ent1 = client_as("ent1")
    assert move(ent1, "enterprisependingview", pk, "return", opinion="  ").status_code == 302
    assert "请填写审核意见" in flashes(ent1)
    assert snapshot(query, pk) == before


def test_approving_twice_is_refused(demo, client_as, query):
    pk, _ = ids(query, "app3")
    center = client_as("center")
    assert move(center, "centerapplicationview", pk, "approve").status_code == 302
    after_first = snapshot(query, pk)
    assert after_first[0] == "approved"
    assert move(center, "centerapplicationview", pk, "approve").status_code == 302
    assert any("不能执行" in m for m in flashes(center))
    assert snapshot(query, pk) == after_first


def test_applicant_cannot_approve_own_application(demo, client_as, query):
    pk, _ = ids(query, "app2")
    before = snapshot(query, pk)
    app2 = client_as("app2")
    assert move(app2, "applicantaddspecialtyview", pk, "approve").status_code == 302
    assert any("不能执行" in m for m in flashes(app2))
    assert snapshot(query, pk) == before


def test_enterprise_cannot_approve_a_draft_or_another_units_filing(demo, client_as, query):
    draft, _ = ids(query, "app6")  # ent1's person, a draft
    other, _ = ids(query, "app3")  # ent2's person
    ent1 = client_as("ent1")
    for pk in (draft, other):
        before = snapshot(query, pk)
        page = ent1.get(f"/enterpriseapplicationview/show/{pk}")
        assert page.status_code == 404
        token = ent1.get("/enterpriseapplicationview/list/")
        from tests.conftest import csrf_token

        answer = ent1.post(f"/enterpriseapplicationview/{pk}/move/approve", data={"csrf_token": csrf_token(token)})
        assert answer.status_code == 404
        assert snapshot(query, pk) == before


def test_center_cannot_act_before_the_unit(demo, client_as, query):
    pk, _ = ids(query, "app2")  # pending at the enterprise
    center = client_as("center")
    assert center.get(f"/centerapplicationview/show/{pk}").status_code == 404


def test_submit_of_an_incomplete_filing_lists_what_is_missing(demo, client_as, query):
    app1 = client_as("app1")
    add(app1, "initial", enterprise=enterprise_id(query, "秦川"), specialties=[specialty_id(query, "建筑工程")])
    pk, _ = ids(query, "app1")

    def blank(session):
        application = session.get(Application, pk)
        application.school = ""
        session.commit()

    query(blank)
    assert move(app1, "applicantinitialview", pk, "submit").status_code == 302
    messages = flashes(app1)
    assert "申请尚不完整，不能提交" in messages and "请填写毕业院校" in messages
    assert ids(query, "app1")[1] == "draft"


def test_stale_version_from_a_second_session_is_refused(demo, client_as, query):
    """Two reviewers open the same filing; the second click finds it already handled."""
    pk, _ = ids(query, "app2")
    first, second = client_as("ent1"), client_as("ent1")
    version = query(lambda s: s.get(Application, pk).version)
    assert move(first, "enterprisependingview", pk, "approve", version=version).status_code == 302
    assert move(second, "enterpriseapplicationview", pk, "return", opinion="材料不全", version=version).status_code == 302
    assert any("已被他人处理" in m for m in flashes(second))
    assert query(lambda s: [r.action for r in s.get(Application, pk).reviews]) == ["submit", "approve"]


def test_status_changes_only_through_the_workflow(demo, app):
    with app.app_context():
        from app.extensions import db

        application = db.session.scalars(select(Application)).first()
        with pytest.raises(StatusGuardError):
            application.status = "approved"
        with pytest.raises(StatusGuardError):
            Application(status="approved")
        db.session.rollback()


def test_the_table_names_every_status_and_role():
    sources = {m.source for m in states.moves()} | {m.target for m in states.moves()}
    assert sources == set(states.labels())
    assert {m.role for m in states.moves()} == {"applicant", "old_enterprise", "enterprise", "center"}
    assert all(m.opinion == "required" for m in states.moves() if m.action in ("return", "refuse"))


@pytest.mark.parametrize("procedure", states.PROCEDURES)
def test_every_state_has_a_label_a_colour_a_step_and_a_limit(app, monkeypatch, procedure):
    """What the pages show of a state comes from the one table, in either procedure: nothing to
    forget when a state is added (the full procedure's states once had no colour)."""
    from app import deadlines

    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", procedure)
    with app.test_request_context():
        seen = set(states.labels())
        assert seen == {m.source for m in states.moves()} | {m.target for m in states.moves()}
        colours = {"default", "info", "primary", "warning", "success", "danger"}
        for state in seen:
            assert str(states.label(state)).strip(), state
            assert states.colour(state) in colours, state
            assert states.colour(state) != "default" or state == "draft", state
            assert sum(state in held for _, held in states.steps()) == 1, state
            kind = states.BY_CODE[state].kind
            limit = deadlines.limit_days(state)
            # a reviewer's step has a time limit (the old unit's release excepted); no other has one
            assert (limit is not None and limit > 0) == (kind == "waiting" and state != "pending_release"), state
        # the center sees, in either procedure, every state it acts on
        assert {m.source for m in states.moves() if m.role == "center"} <= set(states.CENTER_VISIBLE)


def test_new_is_refused_with_the_reason_before_anything_is_saved(demo, client_as, query):
    app2 = client_as("app2")  # registered and with an open filing
    count = query(lambda s: s.scalar(select(func.count(Application.id))))
    page = app2.get("/applicantinitialview/add")
    assert page.status_code == 302
    assert any("未办结的申请" in m for m in flashes(app2))
    listing = app2.get("/applicantinitialview/list/").get_data(as_text=True)
    assert "现在不能新增" in listing and "已有有效的注册" in listing
    assert 'href="/applicantinitialview/add' not in listing  # the reasons instead of a button refused
    assert query(lambda s: s.scalar(select(func.count(Application.id)))) == count
    # a person who may file now gets the button, and no reasons
    ready = client_as("app1").get("/applicantinitialview/list/").get_data(as_text=True)
    assert 'href="/applicantinitialview/add' in ready and "现在不能新增" not in ready


def test_registration_counts_match(demo, query):
    assert query(lambda s: s.scalar(select(func.count(Registration.id)))) == 3  # app2, app7, app8


def test_a_reviewer_takes_back_a_mistaken_return_and_both_stay_on_record(demo, client_as, query):
    pk, _ = ids(query, "app4")  # returned by ent1: a mis-click
    ent1 = client_as("ent1")
    assert move(ent1, "enterpriseapplicationview", pk, "recall", opinion="").status_code == 302
    assert "请填写审核意见" in flashes(ent1)
    assert move(ent1, "enterpriseapplicationview", pk, "recall", opinion="误点不通过，撤销").status_code == 302
    assert ids(query, "app4")[1] == "pending_enterprise"
    actions = query(lambda s: [(r.action, r.opinion) for r in s.get(Application, pk).reviews])
    assert actions[-2][0] == "return" and actions[-1] == ("recall", "误点不通过，撤销")
    page = ent1.get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "不通过" in page and "撤销审核" in page and "误点不通过，撤销" in page


def test_the_unit_takes_back_its_approval_only_until_the_center_acts(demo, client_as, query):
    pk, _ = ids(query, "app3")  # approved by ent2, waiting for the center
    ent2, center = client_as("ent2"), client_as("center")
    assert move(ent2, "enterpriseapplicationview", pk, "recall", opinion="漏看劳动合同").status_code == 302
    assert ids(query, "app3")[1] == "pending_enterprise"
    assert move(ent2, "enterprisependingview", pk, "approve").status_code == 302
    assert move(center, "centerqueueview", pk, "return", opinion="补充学历证明").status_code == 302
    before = snapshot(query, pk)
    assert move(ent2, "enterpriseapplicationview", pk, "recall", opinion="再撤销").status_code == 302
    assert any("不能执行" in m for m in flashes(ent2))  # the center has acted: no longer the unit's to undo
    assert snapshot(query, pk) == before


def test_the_drawing_comes_from_the_table(demo, app, client_as):
    from app import workflow_chart

    with app.app_context():
        mermaid = workflow_chart.mermaid()
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid}```" in readme, "README's drawing is stale: paste `flask workflow diagram`"
    page = client_as("center").get("/workflow/").get_data(as_text=True)
    assert "<svg" in page and all(str(m.label) in page for m in states.moves())
    assert client_as("ent1").get("/workflow/").status_code == 403


def test_a_batch_applies_what_it_can_and_reports_the_rest(demo, app, client_as, query):
    from tests.conftest import csrf_token

    waiting = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    decided = query(lambda s: s.scalar(select(Application.id).where(Application.status == "approved")))
    center = client_as("center")
    listing = center.get("/centerqueueview/list/")
    answer = center.post("/centerqueueview/action_post", data={
        "csrf_token": csrf_token(listing), "action": "approve", "rowid": [str(waiting), str(decided)]})
    assert answer.status_code == 302
    messages = flashes(center)
    assert "已处理 1 件" in messages and any("不能执行" in m for m in messages)
    assert query(lambda s: s.get(Application, waiting).status) == "approved"
    app.config["BATCH_LIMIT"] = 1
    try:
        center.post("/centerqueueview/action_post", data={
            "csrf_token": csrf_token(listing), "action": "approve", "rowid": [str(waiting), str(decided)]})
    finally:
        app.config["BATCH_LIMIT"] = 100
    assert any("一次最多处理1件" in m for m in flashes(center))


def test_the_old_unit_may_refuse_the_release_with_a_reason(demo, client_as, query):
    app7 = client_as("app7")
    add(app7, "change_unit", enterprise=enterprise_id(query, "秦川"))
    pk, _ = ids(query, "app7")
    submit(app7, "applicantchangeunitview", pk)
    old_unit = client_as("ent2")
    # 通过 is not the releasing unit's move: the refusal names it as the page does, not by its code
    move(old_unit, "enterprisependingview", pk, "approve")
    assert "当前状态为“待原单位确认”，不能执行“通过”" in flashes(old_unit)
    move(old_unit, "enterprisependingview", pk, "return", opinion="")
    assert "请填写审核意见" in flashes(old_unit)
    move(old_unit, "enterprisependingview", pk, "return", opinion="劳动合同未到期，尚未办理离职")
    assert ids(query, "app7")[1] == "returned_by_enterprise"
    page = app7.get(f"/applicantchangeunitview/show/{pk}").get_data(as_text=True)
    assert "劳动合同未到期" in page and "原聘用单位" in page


def test_a_filing_handled_by_someone_else_says_so_instead_of_not_found(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_enterprise",
                                                                Application.business_type == "add_specialty")))
    reviewer = client_as("ent1")
    assert reviewer.get(f"/enterprisependingview/show/{pk}").status_code == 200
    assert move(client_as("ent1"), "enterprisependingview", pk, "approve").status_code == 302  # a colleague
    answer = reviewer.get(f"/enterprisependingview/show/{pk}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/enterprisependingview/list/")
    number = query(lambda s: s.get(Application, pk).number)
    assert f"{number} 已不在“待办业务”中（当前状态：待注册中心审核），可能已由他人办理" in flashes(reviewer)
    assert reviewer.get(f"/enterpriseapplicationview/show/{pk}").status_code == 200  # still the unit's to see


@pytest.mark.parametrize("procedure", ["single", "full"])
def test_the_drawing_of_the_workflow_has_no_label_over_another(app, monkeypatch, procedure):
    from app import workflow_chart

    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", procedure)
    with app.test_request_context():
        drawing = workflow_chart.svg()
        moves = states.moves()
    boxes = []
    for x, y, body in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="12" text-anchor="middle"[^>]*>(.*?)</text>',
                                 drawing):
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", body)
        width = max(len(line) for line in lines) * workflow_chart.LABEL_CHAR
        height = len(lines) * workflow_chart.LABEL_LINE
        boxes.append((float(x) - width / 2, float(y) - workflow_chart.LABEL_LINE + 3, width, height))
    assert len(boxes) == len({(m.source, m.target) for m in moves})  # one label per arrow
    for i, (x, y, w, h) in enumerate(boxes):
        for bx, by, bw, bh in boxes[i + 1:]:
            assert not (x < bx + bw and bx < x + w and y < by + bh and by < y + h), drawing
    assert min(y for _, y, _, _ in boxes) >= 0  # nothing cut off at the top


def test_refusal_asks_for_confirmation_and_reviewers_see_no_filers_instructions(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    page = client_as("center").get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    refuse = page.split('/move/refuse"', 1)[1].split(">", 1)[0]
    assert 'data-confirm="确认不予注册？此决定将通知申请人。"' in refuse
    assert "签字、单位盖章后扫描上传" not in page and "接受PDF、JPG、PNG格式" not in page  # the filer's instructions
    applicant = client_as("app4")
    returned = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    assert "签字、单位盖章后扫描上传" in applicant.get(f"/applicantinitialview/show/{returned}").get_data(as_text=True)
