"""The security log (app/audit.py): append-only, hash-chained, kept 180 days, read by the audit
administrator alone."""
import csv
import io
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import audit
from models import Application, Review
from models.audit import SecurityLog
from tests.conftest import csrf_token
from tests.helpers import start_export


def events(query, **where):
    def read(s):
        statement = select(SecurityLog).order_by(SecurityLog.seq)
        for column, value in where.items():
            statement = statement.where(getattr(SecurityLog, column) == value)
        return [(e.event, e.outcome, e.username, e.target, e.detail) for e in s.scalars(statement)]
    return query(read)


def write(app, n, **fields):
    with app.app_context():
        for i in range(n):
            audit.record(fields.get("event", "download"), username=fields.get("username", "someone"),
                         target=f"application:{i}", detail={"i": i})


def tamper(app, sql):
    """What someone with the database owner's rights could do (on PostgreSQL: past the guard)."""
    from app.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(sa.text("ALTER TABLE security_log DISABLE TRIGGER security_log_append_only"))
            conn.execute(sa.text("ALTER TABLE security_log_head DISABLE TRIGGER security_log_head_forward"))
        conn.execute(sa.text(sql))
        if postgres:
            conn.execute(sa.text("ALTER TABLE security_log ENABLE TRIGGER security_log_append_only"))
            conn.execute(sa.text("ALTER TABLE security_log_head ENABLE TRIGGER security_log_head_forward"))


def verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


@pytest.mark.parametrize("change,reported", [
    ("UPDATE security_log SET username = 'nobody' WHERE seq = 3", "第 3 条记录已被改动"),
    ("UPDATE security_log SET detail = NULL WHERE seq = 1", "第 1 条记录已被改动"),
    ("DELETE FROM security_log WHERE seq = 4", "第 4 条至第 4 条记录已被删除"),
    ("DELETE FROM security_log WHERE seq >= 5", "第 5 条至第 6 条记录已被删除"),
    ("DELETE FROM security_log WHERE seq <= 2", "第 1 条至第 2 条记录已被删除"),
])
def test_verify_reports_the_first_row_changed_or_removed(app, change, reported):
    write(app, 6)
    code, output = verify(app)
    assert code == 0 and "6 条记录" in output, output
    tamper(app, change)
    code, output = verify(app)
    assert code != 0 and reported in output, output


def test_a_row_rehashed_to_hide_a_change_breaks_the_next_link(app):
    write(app, 4)
    with app.app_context():
        from app.extensions import db

        row = dict(db.session.execute(select(SecurityLog.__table__).where(SecurityLog.seq == 2)).one()._mapping)
        row["username"] = "nobody"
        forged = audit.digest(row)
    tamper(app, f"UPDATE security_log SET username = 'nobody', hash = '{forged}' WHERE seq = 2")
    code, output = verify(app)
    assert code != 0 and "第 2 条记录已被改动" in output


def test_postgresql_refuses_to_change_or_remove_a_row(app):
    from app.extensions import db

    write(app, 2)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the database's own guard is PostgreSQL's")
        for statement in ("UPDATE security_log SET username = 'x'", "DELETE FROM security_log",
                          "DELETE FROM security_log_head", "UPDATE security_log_head SET seq = 0"):
            with pytest.raises(sa.exc.DBAPIError, match="refused"), db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert verify(app)[0] == 0


def old_rows(app, ages):
    from app.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        for days in ages:
            audit.append(conn, {"at": datetime.now() - timedelta(days=days), "event": "download", "outcome": "success",
                                "user_id": None, "username": "old", "target": None, "ip": None, "detail": None})


def test_prune_keeps_the_retention_period_and_the_chain_verifiable(app, query):
    old_rows(app, [400, 300, 200, 10])
    write(app, 2)
    runner = app.test_cli_runner()
    young = (datetime.now() - timedelta(days=100)).strftime("%Y-%m-%d")
    result = runner.invoke(args=["audit", "prune", "--before", young])
    assert result.exit_code != 0 and "至少保存 180 天" in result.output
    assert query(lambda s: s.scalar(select(func.count()).select_from(SecurityLog))) == 6

    result = runner.invoke(args=["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert [seq for seq, in query(lambda s: s.execute(select(SecurityLog.seq).order_by(SecurityLog.seq)).all())] \
        == [4, 5, 6, 7]  # the three rows past 180 days went; the prune itself is the last row
    assert events(query, event="audit.prune")[0][4].startswith('{"anchor_hash":')
    assert verify(app)[0] == 0
    write(app, 1)
    assert verify(app)[0] == 0

    app.config["AUDIT_KEEP_DAYS"] = 90
    try:
        result = runner.invoke(args=["audit", "prune"])
        assert result.exit_code != 0 and "低于法定最短保存期 180 天" in result.output
    finally:
        app.config["AUDIT_KEEP_DAYS"] = 180


def test_an_event_of_its_own_outlives_the_request_and_a_move_does_not(app, query):
    """A failed sign-in is kept though its request's transaction is rolled back; a workflow move's
    row goes with the move it records."""
    from app.extensions import db
    from models import Specialty

    with app.app_context():
        db.session.add(Specialty(code="XX", name="试验"))
        db.session.flush()  # the request holds a write (on SQLite: the file's lock)
        audit.record("signin.failure", username="app9", outcome="failure")
        audit.record("workflow.move", username="app9", target="application:1")
        audit.record("download", username="app9")  # waits for the move's transaction: it holds the chain
        db.session.rollback()
    assert [(e, u) for e, _, u, _, _ in events(query)] == [("signin.failure", "app9"), ("download", "app9")]
    assert verify(app)[0] == 0


def test_writers_at_once_each_chain_to_the_one_before(app, query):
    def writer(n):
        with app.app_context():
            for i in range(15):
                audit.record("download", username=f"w{n}", target=f"application:{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert query(lambda s: s.scalar(select(func.count()).select_from(SecurityLog))) == 60
    assert verify(app)[0] == 0


def test_moves_exports_and_downloads_are_logged(demo, client_as, query):
    def first_pending(s):
        a = s.scalars(select(Application).where(Application.status == "pending_enterprise")
                      .order_by(Application.id)).first()
        return a.id, a.attachments[0].id, a.attachments[0].kind, a.version, a.number

    application_id, file_id, kind, version, number = query(first_pending)
    ent1 = client_as("ent1")
    assert ent1.get(f"/enterprisependingview/{application_id}/form.pdf").status_code == 200
    answer = ent1.get(f"/enterprisependingview/{application_id}/attachments/{file_id}")
    answer.close()  # the file's handle
    assert answer.status_code == 200
    assert ent1.get(f"/enterprisependingview/{application_id}/export.pdf").status_code == 200
    asked = start_export(ent1, "/enterprisepersonnelview/export.xlsx")  # queued as a job (run at once in tests)
    assert asked.status_code == 302 and "/exports/show/" in asked.headers["Location"]
    page = ent1.get(f"/enterprisependingview/show/{application_id}")
    ent1.post(f"/enterprisependingview/{application_id}/move/approve",
              data={"csrf_token": csrf_token(page), "opinion": "", "version": version})
    assert query(lambda s: s.scalar(select(func.count(Review.id)).where(Review.application_id == application_id))) == 2
    target = f"application:{application_id}"
    logged = [(e, o, u, d) for e, o, u, t, d in events(query, username="ent1")
              if t in (target, "EnterprisePersonnelView") or e == "sms.sent"]
    assert logged == [
        ("download", "success", "ent1", '{"file":"form.pdf"}'),
        ("download", "success", "ent1", f'{{"attachment":{file_id},"kind":"{kind}"}}'),
        ("export", "success", "ent1", '{"count":1,"format":"pdf"}'),
        ("export", "success", "ent1", '{"filters":[],"format":"xlsx"}'),
        ("workflow.move", "success", "ent1",
         f'{{"action":"approve","from":"pending_enterprise","number":"{number}","role":"enterprise",'
         f'"to":"pending_center"}}'),
    ]
    assert any(e == "sms.sent" for e, *_ in events(query))  # the sign-in's code (and the move's notice)


def test_only_the_audit_administrator_reads_and_exports_the_log(app, demo, client_as, query):
    auditor = client_as("auditor")
    page = auditor.get("/securitylog/list/?_flt_0_event=workflow.move")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "办理业务" in html and "授予角色" not in html

    answer = auditor.get("/securitylog/export.csv?_flt_0_event=role.grant")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["序号", "时间", "事件"] and len(rows) > 5 and {r[2] for r in rows[1:]} == {"授予角色"}
    export_page = start_export(auditor, "/securitylog/export.xlsx").headers["Location"]  # the export job's page
    job_id = export_page.rstrip("/").rsplit("/", 1)[1]
    book = load_workbook(io.BytesIO(auditor.get(f"/exports/{job_id}/file").get_data()), read_only=True)
    assert next(book.active.iter_rows(values_only=True))[:3] == ("序号", "时间", "事件")
    assert [e[:3] for e in events(query, username="auditor", event="export")] == [
        ("export", "success", "auditor"), ("export", "success", "auditor")]

    count = query(lambda s: s.scalar(select(func.count()).select_from(SecurityLog)))
    token = csrf_token(page)
    for url in ("/securitylog/delete/1", "/securitylog/edit/1", "/securitylog/add"):
        assert auditor.post(url, data={"csrf_token": token, "event": "x"}).status_code in (403, 404, 405), url
    for username in ("app1", "ent1", "center", "admin", "secadmin"):
        client = client_as(username)
        for url in ("/securitylog/list/", "/securitylog/show/1", "/securitylog/export.csv",
                    "/securitylog/export.xlsx", "/securitylog/delete/1"):
            assert client.get(url).status_code in (403, 404), (username, url)
    assert query(lambda s: s.scalar(select(func.count()).select_from(SecurityLog))) >= count
    assert verify(app)[0] == 0


def test_every_event_the_code_records_has_a_chinese_label(app):
    """The auditor reads events by their Chinese names: none shows as its code name."""
    import pathlib
    import re

    from views.audit import EVENT_LABELS

    root = pathlib.Path(__file__).resolve().parent.parent
    recorded = set()
    for folder in ("app", "views"):
        for path in (root / folder).rglob("*.py"):
            recorded |= set(re.findall(r"""\brecord\(\s*["']([a-z_]+\.[a-z_]+|[a-z_]+)["']""", path.read_text("utf-8")))
    assert recorded and recorded <= set(EVENT_LABELS), recorded - set(EVENT_LABELS)


def test_the_auditor_reads_each_rows_detail_in_chinese(app):
    from views.audit import detail_text, target_text

    with app.test_request_context():
        move = detail_text('{"action":"approve","from":"pending_center","number":"SQ1","role":"center",'
                           '"to":"approved"}')
        signin = detail_text('{"channel":"page","reason":"wrong_password","step":"password"}')
        export = detail_text('{"count":2,"format":"pdf"}')
        assert move == "操作：准予注册；原状态：待注册中心审核；申请编号：SQ1；角色：注册中心；新状态：已办结（准予注册）"
        assert signin == "渠道：网页；原因：密码错误；步骤：密码"
        assert export == "件数：2；格式：PDF"
        assert target_text("application:12,application:13") == "申请 #12、申请 #13"
        assert target_text("security_log") == "安全日志" and target_text(None) == "空"
        assert target_text("phone:138****0007") == "手机号 138****0007"
