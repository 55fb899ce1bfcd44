"""统计分析: the figures add up to the rows each user may see (the center the province's, a unit its
own), follow the date filter, take their labels from the workflow table, and are drawn by the
Chart.js the platform serves itself; the center sees each unit's overdue filings and opens the list."""
import re
import statistics as pystats
from datetime import date, datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select, update

from app import deadlines, states
from models import Application, Enterprise, Person, Review, application_specialty
from tests.helpers import add, submit

OLD_A = datetime(2025, 3, 10, 10, 30)  # submitted_at moved back for the date filter
OLD_B = datetime(2025, 6, 15, 14, 0)
COUNT = re.compile(r"记录数[：:]</strong>\s*(\d+)")
ROW = re.compile(r'<tr data-key="([^"]*)"><th scope="row">([^<]*)</th>\s*<td class="text-right count"[^>]*>'
                 r'(?:<a href="([^"]*)">)?(\d+)')
LIST_VIEWS = {"center": "CenterApplicationView", "ent1": "EnterpriseApplicationView",
              "ent2": "EnterpriseApplicationView"}


def filing(session, username, status=None):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    query = select(Application).where(Application.person_id == person.id)
    if status:
        query = query.where(Application.status == status)
    return session.scalars(query.order_by(Application.id.desc())).first()


def unit(session, name_part):
    return session.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{name_part}%")))


def backdate(query):
    """Two decided filings submitted last year: app5's (长安, returned by the center) and app6's (秦川, refused)."""
    def change(session):
        for username, when in (("app5", OLD_A), ("app6", OLD_B)):
            pk = filing(session, username, "returned_by_center" if username == "app5" else "refused").id
            session.execute(update(Application).where(Application.id == pk).values(submitted_at=when))
        session.commit()

    query(change)


def table(page, name):
    """{key: (label, count, link)} and the total of a figure's table."""
    start = page.index(f'data-figure="{name}"')
    section = page[start:page.index("</table>", start)]
    rows = {key: (label, int(count), link) for key, label, link, count in ROW.findall(section)}
    total = re.search(r'class="text-right total">(\d+)<', section)
    return rows, int(total.group(1)) if total else None


def stats(client, start=None, end=None):
    args = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v}
    answer = client.get("/statistics/", query_string=args)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def list_count(client, username, start=None, end=None):
    """The count the user's own list shows with the same date range (FAB's submitted_at filters)."""
    view = LIST_VIEWS[username]
    args = {f"psize_{view}": "100"}
    if start:
        args["_flt_1_submitted_at"] = f"{start.isoformat()} 00:00:00"
    if end:
        args["_flt_2_submitted_at"] = f"{(end + timedelta(days=1)).isoformat()} 00:00:00"
    page = client.get(f"/{view.lower()}/list/", query_string=args).get_data(as_text=True)
    found = COUNT.search(page)
    return int(found.group(1)) if found else 0


PERIODS = [(None, None), (date(2026, 1, 1), None), (None, date(2025, 12, 31)), (date(2025, 6, 1), date(2025, 6, 30)),
           (date(2024, 1, 1), date(2024, 12, 31))]


@pytest.mark.parametrize("username", ["center", "ent1", "ent2"])
def test_figures_add_up_to_the_users_own_list(demo, client_as, query, username):
    backdate(query)
    client = client_as(username)
    totals = []
    for start, end in PERIODS:
        page = stats(client, start, end)
        expected = list_count(client, username, start, end)
        by_type, type_total = table(page, "by-type") if expected else ({}, 0)
        assert type_total == sum(count for _, count, _ in by_type.values()) == expected, (start, end)
        if expected:
            assert table(page, "by-status")[1] == expected
            assert table(page, "by-month")[1] == expected  # every filing a reviewer sees was submitted
            assert f'<span class="stat-number" id="total">{expected}</span>' in page
        else:
            assert "所选范围内没有数据" in page
        totals.append(expected)
    assert totals[0] == totals[1] + totals[2]  # this year and before it make up the whole
    assert totals[1] != totals[0] and totals[2] > 0  # the date filter changes the numbers
    assert totals[4] == 0


def test_months_and_specialties_follow_the_rows(demo, client_as, query):
    backdate(query)
    page = stats(client_as("center"))
    months, _ = table(page, "by-month")
    assert months["2025-03"][1] == 1 and months["2025-06"][1] == 1 and months["2025-04"][1] == 0  # gaps shown
    this_month = date.today().strftime("%Y-%m")
    visible = ("pending_center", "returned_by_center", "approved", "refused")
    assert months[this_month][1] == query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.status.in_(visible), Application.submitted_at >= datetime(2026, 1, 1))))
    specialties, total = table(page, "by-specialty")
    assert total == query(lambda s: s.scalar(
        select(func.count()).select_from(application_specialty)
        .join(Application, Application.id == application_specialty.c.application_id)
        .where(Application.status.in_(visible))))
    assert specialties and all(label for label, _, _ in specialties.values())


def test_a_unit_sees_only_its_own_filings(demo, client_as, query):
    ent1, ent2 = client_as("ent1"), client_as("ent2")
    own = query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.enterprise_id == unit(s, "秦川"), Application.status.not_in(("draft", "pending_release")))))
    before_1, before_2 = table(stats(ent1), "by-type")[1], table(stats(ent2), "by-type")[1]
    assert before_1 == own

    # app7 (长安) files and submits a renewal: ent2's figures grow, ent1's do not move
    app7 = client_as("app7")
    assert add(app7, "renewal").status_code == 302
    pk = query(lambda s: filing(s, "app7").id)
    assert submit(app7, "applicantrenewalview", pk).status_code == 302
    page_1, page_2 = stats(ent1), stats(ent2)
    assert table(page_1, "by-type")[1] == before_1
    assert table(page_2, "by-type")[1] == before_2 + 1
    assert table(page_2, "by-type")[0]["renewal"][1] == 1 and "renewal" not in table(page_1, "by-type")[0]
    # no unit-by-unit figures for a unit, and nothing of the other unit
    assert 'data-figure="by-enterprise"' not in page_1 and 'data-figure="overdue-units"' not in page_1
    assert "长安" not in page_1 and "西安长安市政工程有限公司" not in page_1


def test_center_sees_every_unit(demo, client_as, query, monkeypatch):
    from app import statistics

    center = client_as("center")
    page = stats(center)
    units, total = table(page, "by-enterprise")
    assert total == table(page, "by-type")[1]
    assert {label for label, _, _ in units.values()} == {"陕西秦川建设工程有限公司", "西安长安市政工程有限公司"}
    monkeypatch.setattr(statistics, "TOP_ENTERPRISES", 1)  # past the largest units, the rest in one row
    units, again = table(stats(center), "by-enterprise")
    assert again == total and [label for label, _, _ in units.values()] == ["西安长安市政工程有限公司", "其他 1 家单位"]


def test_the_page_draws_with_the_chart_library_it_serves(demo, app, client_as):
    page = stats(client_as("center"))
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    assert "/static/vendor/chartjs/chart.umd.min.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert not re.search(r'<link[^>]*href="(https?:)?//', page)  # no stylesheet from elsewhere either
    script = app.test_client().get("/static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js v4.6.1" in script.get_data()[:200]
    script.close()
    licence = app.test_client().get("/static/vendor/chartjs/LICENSE.md")
    assert licence.status_code == 200 and b"MIT License" in licence.get_data()
    licence.close()
    # every chart has its numbers in a table under it
    charted = re.findall(r'<canvas.*?</canvas>\s*</div>\s*<table [^>]*data-figure="([\w-]+)"', page, re.S)
    assert len(charted) == page.count("<canvas") >= 8


def test_only_the_center_and_units_have_the_page(demo, client_as):
    for username in ("center", "ent1"):
        assert 'href="/statistics/"' in client_as(username).get("/").get_data(as_text=True)
    for username in ("app1", "admin"):
        client = client_as(username)
        assert 'href="/statistics/"' not in client.get("/").get_data(as_text=True)
        assert client.get("/statistics/").status_code == 403
        assert client.get("/statistics/overdue").status_code == 403


def spread_review_times(session):
    """Give the demo's review records distinct times, hours to days apart, in their original order."""
    base = datetime(2026, 1, 5, 9, 0)
    for n, review in enumerate(session.scalars(select(Review).order_by(Review.id)).all()):
        session.execute(update(Review).where(Review.id == review.id)
                        .values(created_at=base + timedelta(hours=n * n * 7 + 3 * n)))
    session.commit()


def expected_steps(session):
    """Per status: the lengths (days) of finished stays and how many ended by the due date, in Python."""
    visible = ("pending_center", "returned_by_center", "approved", "refused")
    ids = set(session.scalars(select(Application.id).where(Application.status.in_(visible))))
    lengths, within = {}, {}
    for application_id in ids:
        reviews = session.scalars(select(Review).where(Review.application_id == application_id)
                                  .order_by(Review.created_at, Review.id)).all()
        for entering, leaving in zip(reviews, reviews[1:]):
            status = entering.to_status
            lengths.setdefault(status, []).append((leaving.created_at - entering.created_at).total_seconds() / 86400)
            due = deadlines.due_date(status, entering.created_at)
            if due is not None and leaving.created_at.date() <= due:
                within[status] = within.get(status, 0) + 1
    return lengths, within


def test_step_medians_and_time_limits_match_the_review_records(demo, app, client_as, query):
    query(spread_review_times)
    with app.app_context():
        lengths, within = query(expected_steps)
    page = stats(client_as("center"))
    start = page.index('data-figure="steps"')
    section = page[start:page.index("</table>", start)]
    shown = {key: (int(n), float(median), cell) for key, n, median, cell in re.findall(
        r'<tr data-key="([^"]+)">.*?class="text-right count">(\d+)</td>\s*<td class="text-right median">([\d.]+)</td>'
        r'.*?<td class="text-right within">([^<]*)</td>', section, re.S)}
    reviewed = {s for s in lengths if any(m.source == s and m.action not in ("submit", "withdraw", "recall")
                                          for m in states.moves())}
    assert set(shown) == reviewed and {"pending_enterprise", "pending_center"} <= reviewed
    for status in reviewed:
        n, median, cell = shown[status]
        assert n == len(lengths[status])
        assert median == round(pystats.median(lengths[status]), 1)
        if status in deadlines.step_limits():
            assert cell.startswith(f"{within.get(status, 0)} / {n}")
    # the rates, from the rows
    visible = ("pending_center", "returned_by_center", "approved", "refused")
    approved, decided, returned, submitted = query(lambda s: (
        s.scalar(select(func.count(Application.id)).where(Application.status == "approved")),
        s.scalar(select(func.count(Application.id)).where(Application.status.in_(("approved", "refused")))),
        s.scalar(select(func.count(func.distinct(Review.application_id))).join(Application).where(
            Application.status.in_(visible), Review.to_status.in_(("returned_by_enterprise", "returned_by_center")))),
        s.scalar(select(func.count(Application.id)).where(Application.status.in_(visible))),
    ))
    assert f'id="approval-rate">{approved / decided * 100:.1f}%<' in page
    assert f'id="return-rate">{returned / submitted * 100:.1f}%<' in page


def test_a_status_added_to_the_workflow_shows_with_its_label(demo, client_as, query, monkeypatch):
    def park(session):  # a row in a status the table does not know yet (written past the model guard)
        pk = filing(session, "app2", "pending_enterprise").id
        session.execute(update(Application).where(Application.id == pk).values(status="pending_acceptance"))
        session.commit()

    query(park)
    ent1 = client_as("ent1")
    rows, total = table(stats(ent1), "by-status")
    assert rows["pending_acceptance"][:2] == ("pending_acceptance", 1)  # counted, under its code
    monkeypatch.setitem(states.labels(), "pending_acceptance", "待受理")
    rows, again = table(stats(ent1), "by-status")
    assert rows["pending_acceptance"][:2] == ("待受理", 1) and again == total


def age(query, username, status, days):
    def change(session):
        pk = filing(session, username, status).id
        session.execute(update(Application).where(Application.id == pk)
                        .values(step_started_at=datetime.now() - timedelta(days=days)))
        session.commit()
        return pk

    return query(change)


def test_center_sees_overdue_filings_per_unit_and_opens_the_list(demo, client_as, query):
    app5 = client_as("app5")  # 长安: resubmitted after the center's return, now with its unit
    pk5 = query(lambda s: filing(s, "app5", "returned_by_center").id)
    assert submit(app5, "applicantinitialview", pk5).status_code == 302
    age(query, "app5", "pending_enterprise", 40)
    pk3 = age(query, "app3", "pending_center", 60)  # 长安's filing at the center
    pk2 = age(query, "app2", "pending_enterprise", 30)  # 秦川's filing at its unit
    qinchuan, changan = query(lambda s: (unit(s, "秦川"), unit(s, "长安")))
    numbers = query(lambda s: {pk: s.get(Application, pk).number for pk in (pk2, pk3, pk5)})

    center = client_as("center")
    page = stats(center)
    overdue, total = table(page, "overdue")
    assert overdue["pending_enterprise"][1] == 2 and overdue["pending_center"][1] == 1 and total == 3
    start = page.index('data-figure="overdue-units"')
    section = page[start:page.index("</table>", start)]
    units = re.findall(r'<tr data-key="(\d+)"><th scope="row">([^<]+)</th>(.*?)</tr>', section, re.S)
    assert [(int(k), name) for k, name, _ in units] == [(changan, "西安长安市政工程有限公司"),
                                                        (qinchuan, "陕西秦川建设工程有限公司")]  # most first
    cells = dict((int(k), re.findall(r'data-status="(\w+)">(?:<a href="([^"]+)">)?(\d+)', rest))
                 for k, _, rest in units)
    assert [(s, int(n)) for s, _, n in cells[changan]] == [("pending_enterprise", 1), ("pending_center", 1)]
    assert [(s, int(n)) for s, _, n in cells[qinchuan]] == [("pending_enterprise", 1), ("pending_center", 0)]

    # each count opens the filtered list
    link = dict((s, url) for s, url, _ in cells[changan])["pending_center"].replace("&amp;", "&")
    listing = center.get(link).get_data(as_text=True)
    assert numbers[pk3] in listing and numbers[pk5] not in listing and numbers[pk2] not in listing
    assert f"/centerapplicationview/show/{pk3}" in listing  # the center's own step: it opens the filing
    link = dict((s, url) for s, url, _ in cells[qinchuan])["pending_enterprise"].replace("&amp;", "&")
    listing = center.get(link).get_data(as_text=True)
    assert numbers[pk2] in listing and numbers[pk3] not in listing
    assert f"show/{pk2}" not in listing  # still the unit's step: counted and numbered, not opened
    assert query(lambda s: s.get(Application, pk2).name) not in listing

    # a unit: its own overdue filings only, never another unit's list
    ent1 = client_as("ent1")
    assert table(stats(ent1), "overdue")[0]["pending_enterprise"][1] == 1
    own = ent1.get("/statistics/overdue").get_data(as_text=True)
    assert numbers[pk2] in own and numbers[pk3] not in own and numbers[pk5] not in own
    assert f"/enterpriseapplicationview/show/{pk2}" in own
    assert ent1.get(f"/statistics/overdue?enterprise={changan}").status_code == 404
    assert ent1.get("/statistics/overdue?status=nonsense").status_code == 404


@pytest.mark.parametrize("holidays", ["", "2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07"])
def test_the_overdue_condition_agrees_with_the_time_limit_label(app, monkeypatch, holidays):
    from app import statistics

    monkeypatch.setitem(app.config, "HOLIDAYS", holidays)
    monkeypatch.setitem(app.config, "WORKDAYS", "2026-10-10" if holidays else "")
    with app.app_context():
        for today in (date(2026, 10, 3) + timedelta(days=n) for n in range(0, 40, 3)):
            for status in deadlines.step_limits():
                cutoff = statistics.overdue_cutoff(status, today)
                for back in range(0, 45):
                    started = datetime.combine(today - timedelta(days=back), datetime.min.time()) + timedelta(hours=15)
                    assert (started < cutoff) == deadlines.describe(status, started, today)["overdue"], \
                        (status, today, started)


def test_a_date_that_is_no_date_is_ignored_and_said_so(demo, client_as):
    client = client_as("center")
    whole = table(stats(client), "by-type")[1]
    answer = client.get("/statistics/", query_string={"from": "2026-13-45", "to": "soon"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "不是有效日期" in page
    assert table(page, "by-type")[1] == whole
    year = date.today().year  # the demo's filings were all submitted today
    swapped = client.get("/statistics/", query_string={"from": f"{year}-12-31", "to": f"{year}-01-01"}) \
        .get_data(as_text=True)
    assert "起始日期晚于截止日期，已对调" in swapped and table(swapped, "by-type")[1] == whole
