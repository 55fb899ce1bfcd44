"""flask commands: seed data and the registration lifecycle."""
import click
from flask import current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="载入参考数据或演示数据")


@seed.command("reference")
def seed_reference():
    """Roles and specialties (safe in production)."""
    from seeds import reference

    reference.load(current_app.appbuilder.sm)
    click.echo("参考数据已就绪：角色、注册专业")


@seed.command("demo")
def seed_demo():
    """The demo data set (idempotent; refused when APP_ENV=production)."""
    from seeds import demo

    try:
        loaded = demo.load(current_app.appbuilder.sm)
    except demo.DemoRefused as refusal:
        raise click.ClickException(str(refusal))
    click.echo("演示数据已载入" if loaded else "演示数据已存在，未作改动")


@seed.command("scale")
@click.option("--persons", default=100_000, show_default=True, help="新增人员数")
@click.option("--applications", default=1_000_000, show_default=True, help="新增申请数（含审核记录、注册证书）")
@click.option("--seed", "random_seed", default=2026, show_default=True, help="随机数种子")
def seed_scale(persons, applications, random_seed):
    """Bulk data for benchmarks, added to what is there (refused when APP_ENV=production)."""
    import time

    from app.extensions import db
    from seeds import scale

    started = time.monotonic()
    try:
        with click.progressbar(length=applications, label="写入申请") as bar:
            counts = scale.load(current_app.appbuilder.sm, persons, applications, seed=random_seed,
                                progress=bar.update)
    except scale.ScaleRefused as refusal:
        raise click.ClickException(str(refusal))
    loaded = time.monotonic() - started
    click.echo("更新统计信息（VACUUM ANALYZE）…")
    scale.vacuum_analyze(db.engine)
    click.echo("已新增：" + "，".join(f"{table} {n}" for table, n in counts.items()))
    click.echo(f"写入 {loaded:.0f} 秒，合计 {time.monotonic() - started:.0f} 秒")


registrations = AppGroup("registrations", help="注册证书的有效期")


@registrations.command("expire")
def registrations_expire():
    """Mark lapsed registrations as expired (失效): validity, age limit, unit deregistered; run daily."""
    from app import lifecycle

    click.echo(f"已失效：{lifecycle.expire()} 件")


qualifications = AppGroup("qualifications", help="资格证书库")


@qualifications.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=500, show_default=True)
def qualifications_import(path, batch_size):
    """Load the exam authority's list (CSV or Excel: 姓名, 身份证号, 资格证书编号, 专业, 签发日期)."""
    from app import qualifications as register

    rows = list(register.read_rows(path))
    header, body = rows[:1], rows[1:]
    if not header or [c.strip() for c in header[0][:5]] != list(register.COLUMNS):
        raise click.ClickException("首行须为表头：" + "，".join(register.COLUMNS))
    with click.progressbar(length=len(body), label="导入资格证书") as bar:
        outcomes = register.import_rows(body, batch_size=batch_size, progress=bar.update)
    counts, text = register.report(outcomes)
    click.echo(text)


workflow_group = AppGroup("workflow", help="办理流程")


@workflow_group.command("diagram")
def workflow_diagram():
    """Print the workflow table as a Mermaid flowchart (the README's drawing comes from here)."""
    from app import workflow_chart

    click.echo(workflow_chart.mermaid(), nl=False)


audit_group = AppGroup("audit", help="安全日志：校验哈希链、清理超过保存期的记录")


@audit_group.command("verify")
def audit_verify():
    """Walk the hash chain; the first row changed or removed, if any (exit status 1)."""
    from app import audit

    verdict = audit.verify()
    if not verdict.ok:
        raise click.ClickException(f"安全日志校验失败：{verdict.message}（已校验 {verdict.rows} 条）")
    click.echo(verdict.message)


@audit_group.command("prune")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="清理此日期之前的记录（默认：保存期 AUDIT_KEEP_DAYS 之前）")
def audit_prune(before):
    """Remove rows older than the retention period (never younger than AUDIT_KEEP_DAYS, at least 180 days)."""
    from app import audit

    try:
        removed = audit.prune(before)
    except audit.PruneRefused as refusal:
        raise click.ClickException(str(refusal))
    click.echo(f"已清理 {removed} 条记录；链首锚点已记录，`flask audit verify` 仍可校验")


users_group = AppGroup("users", help="账号：强制下线、工作人员登录手机号")


def _account(username):
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import func, select

    from app.extensions import db

    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"没有用户名为 {username} 的账号")
    return user


@users_group.command("signout")
@click.argument("username")
def users_signout(username):
    """End every session and API token of the account, on every worker (强制下线)."""
    from app import sessions

    user = _account(username)
    sessions.end_all(user, "console")
    click.echo(f"已结束 {user.username} 的全部登录和接口令牌")


@users_group.command("phone")
@click.argument("username")
@click.argument("phone")
def users_phone(username, phone):
    """Record the phone a staff account's login SMS code goes to (center, administrators)."""
    from app import identity
    from app.extensions import db

    user = _account(username)
    try:
        identity.set_staff_phone(user, phone)
    except identity.Refused as refusal:
        raise click.ClickException(str(refusal))
    db.session.commit()
    click.echo(f"{user.username} 的登录手机号已登记为 {phone}")


def register(app):
    app.cli.add_command(users_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(workflow_group)
    app.cli.add_command(seed)
    from app.sms import cli as sms  # flask sms outbox [--user NAME]

    app.cli.add_command(sms)
    from app.notify import cli as notify  # flask notify retry

    app.cli.add_command(notify)
    app.cli.add_command(registrations)
    app.cli.add_command(qualifications)
    from app.govnet.commands import govnet  # flask govnet sync / dock

    app.cli.add_command(govnet)
