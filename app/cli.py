"""Every flask command of the app, in one place (the seed commands are seeds/commands.py, wired by
the factory beside these): thin, each calls the one function that does the work."""
import os

import click
from flask.cli import AppGroup, with_appcontext

registrations = AppGroup("registrations", help="注册证书的有效期")


@registrations.command("expire")
def registrations_expire():
    """Mark lapsed registrations as expired (失效): validity, age limit, unit deregistered; lift the
    locks and end the suspensions whose end date has passed (recorded moves by the system); run daily."""
    from app import lifecycle, supervision

    click.echo(f"已失效：{lifecycle.expire()} 件")
    locks, suspensions = supervision.lift_ended_holds()
    click.echo(f"锁定期满解锁：{locks} 件")
    click.echo(f"暂停期满恢复执业：{suspensions} 件")


campaigns_group = AppGroup("campaigns", help="专项整治")


@campaigns_group.command("lock-overdue")
@click.option("--date", "today", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="按该日期计算（默认今天）")
def campaigns_lock_overdue(today):
    """Lock every flagged person who has not answered by their deadline (run daily)."""
    from app import campaigns

    click.echo(f"专项整治逾期未答复锁定：{campaigns.lock_overdue(today.date() if today else None)} 人")


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


notify_group = AppGroup("notify", help="通知：重发未成功的短信；注册到期续期提醒")


@notify_group.command("retry")
@click.option("--limit", default=None, type=int, help="最多处理条数")
def notify_retry(limit):
    """Send again the SMS of every message still queued (run it every few minutes)."""
    from app import notify

    queued, sent = notify.retry(limit)
    click.echo(f"待发短信 {queued} 条，本次发出 {sent} 条")


@notify_group.command("reminders")
@click.option("--date", "today", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="按该日期计算（默认今天）")
def notify_reminders(today):
    """Renewal reminders due today, each stage once per registration validity (run daily)."""
    from app import reminders

    count = reminders.run(today.date() if today else None)
    click.echo(f"续期提醒：本次提醒 {count} 件注册（本人短信和站内消息，所在单位站内消息）")


sms_group = AppGroup("sms", help="短信：查看本地发送器记录的短信")


@sms_group.command("outbox")
@click.option("--user", "username", default=None, help="只看这个用户名的短信")
@click.option("--limit", default=10, show_default=True, help="条数")
def sms_outbox(username, limit):
    """The latest messages the senders recorded (the local sender keeps the text with the code)."""
    from app import sms

    rows = sms.outbox(username, limit)
    if not rows:
        click.echo("没有短信记录" + (f"（用户 {username}）" if username else ""))
    for message, name in rows:
        click.echo(f"{message.created_at:%Y-%m-%d %H:%M:%S}  {message.phone}  {name or '-'}  "
                   f"[{message.backend}/{message.status}]  {message.text}")


govnet_group = AppGroup("govnet", help="政务服务网：企业数据对接与同步")

SYNC_SUMMARY = (
    ("checked", "核对企业"),
    ("renamed", "更名"),
    ("deregistered", "注销或吊销"),
    ("address_changed", "注册地址变更"),
    ("other_changed", "其他信息变更"),
    ("unchanged", "无变化"),
    ("not_found", "企业库中未找到"),
)


@govnet_group.command("sync")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=None,
              help="每批同步的企业数（默认取设置 GOVNET_SYNC_BATCH）")
@click.option("--restart", is_flag=True, help="放弃上次未完成的同步，从头开始")
def govnet_sync(batch_size, restart):
    """Sync every docked enterprise with the directory; an interrupted run is resumed."""
    from app.govnet import directory, sync

    run, resumed = sync.start(restart=restart)
    if resumed:
        click.echo(f"继续上次未完成的同步（第 {run.id} 次，已核对 {run.checked} 家）")
    total = sync.remaining(run)
    try:
        with click.progressbar(length=total, label="同步企业信息") as bar:
            sync.run_batches(run, batch_size=batch_size, advance=bar.update)
    except directory.DirectoryError as problem:
        raise click.ClickException(f"同步中断：{problem}。已完成的批次已保存，再次运行本命令将从中断处继续。")
    click.echo(f"同步完成（第 {run.id} 次）：")
    for field, label in SYNC_SUMMARY:
        click.echo(f"  {label}：{getattr(run, field)} 家")
    for old, new in sync.renames(run):
        click.echo(f"  更名：{old} → {new}")


@govnet_group.command("dock")
@click.argument("credit_code")
def govnet_dock(credit_code):
    """Dock one enterprise by its unified social credit code (数据对接)."""
    from app.govnet import directory
    from app.validators import Invalid

    try:
        enterprise = directory.dock(credit_code, actor="命令行")
    except (Invalid, directory.DirectoryError) as problem:
        raise click.ClickException(str(problem))
    click.echo(f"已完成数据对接：{enterprise.name}（{enterprise.credit_code}），登记状态：{enterprise.govnet_status}")


@click.command("doctor")
@with_appcontext
def doctor():
    """Check the configuration for production: what is missing, in Chinese and English (exit status 1 on errors)."""
    from app import doctor as checks

    marks = {"ok": "✓", "warning": "!", "error": "✗"}
    findings = checks.run()
    for finding in findings:
        click.echo(f"{marks[finding.level]} [{finding.check}] {finding.zh}")
        click.echo(f"    {finding.en}")
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    click.echo(f"错误 {errors} 项，警告 {warnings} 项 / {errors} error(s), {warnings} warning(s)")
    if errors:
        raise SystemExit(1)


backup_group = AppGroup("backup", help="备份与恢复：数据库和文件存储，附行数与文件摘要清单")


def _target_area(storage_dir, bucket):
    from app import storage

    if bool(storage_dir) == bool(bucket):
        raise click.ClickException("请指定 --storage-dir 或 --bucket 之一")
    if storage_dir:
        return storage.LocalArea(storage_dir)
    from flask import current_app

    config = current_app.config
    return storage.S3Area(storage.s3_client(config), bucket, config["S3_PREFIX"] + "uploads/")


@backup_group.command("create")
@click.argument("target", type=click.Path(file_okay=False))
def backup_create(target):
    """Dump the database (pg_dump, or SQLite's backup) and copy every stored file, with manifest.json."""
    from app import backup

    try:
        manifest = backup.create(target)
    except backup.BackupError as problem:
        raise click.ClickException(str(problem))
    click.echo(f"已备份到 {target}：{len(manifest['tables'])} 张表，{sum(manifest['tables'].values())} 行，"
               f"{len(manifest['files'])} 个文件")


def _restore_options(command):
    command = click.option("--bucket", default=None, help="恢复到的存储桶（同一 S3 服务，S3_* 设置）")(command)
    command = click.option("--storage-dir", default=None, type=click.Path(file_okay=False),
                           help="恢复到的本机目录")(command)
    command = click.option("--database-url", required=True, help="恢复到的新数据库（须为空）")(command)
    return click.argument("source", type=click.Path(exists=True, file_okay=False))(command)


@backup_group.command("restore")
@_restore_options
def backup_restore(source, database_url, storage_dir, bucket):
    """Restore a backup into a new, empty database and a storage folder or bucket, then verify it."""
    from app import backup

    area = _target_area(storage_dir, bucket)
    try:
        manifest = backup.restore(source, database_url, area)
    except backup.BackupError as problem:
        raise click.ClickException(str(problem))
    _report(backup.verify(manifest, database_url, area), manifest)


@backup_group.command("verify")
@_restore_options
def backup_verify(source, database_url, storage_dir, bucket):
    """Compare a restored database and storage with the backup's manifest (row counts, file digests)."""
    from app import backup

    manifest = backup.read_manifest(source)
    _report(backup.verify(manifest, database_url, _target_area(storage_dir, bucket)), manifest)


@backup_group.command("drill")
@click.option("--workdir", default=None, type=click.Path(file_okay=False), help="备份文件放在这里（默认临时目录）")
@click.option("--keep", is_flag=True, help="保留恢复出的数据库和存储，便于查看")
def backup_drill(workdir, keep):
    """Back up, restore into a fresh database and folder or bucket, and compare (the restore drill)."""
    import tempfile

    from app import backup

    workdir = workdir or tempfile.mkdtemp(prefix="regapp-drill-")
    try:
        manifest, problems = backup.drill(workdir, keep=keep)
    except backup.BackupError as problem:
        raise click.ClickException(str(problem))
    click.echo(f"备份目录 / backup: {os.path.join(workdir, 'backup')}")
    _report(problems, manifest)


def _report(problems, manifest):
    for line in problems:
        click.echo(f"✗ {line}")
    tables, rows, files = len(manifest["tables"]), sum(manifest["tables"].values()), len(manifest["files"])
    if problems:
        raise click.ClickException(f"恢复结果与备份不一致：{len(problems)} 处 / {len(problems)} difference(s)")
    click.echo(f"恢复核对一致：{tables} 张表共 {rows} 行，{files} 个文件摘要相同 / "
               f"restore verified: {tables} tables, {rows} rows, {files} file digests match")
elicence_group = AppGroup("elicence", help="省电子证照库：推送注册证书的发证、变更和废止")


@elicence_group.command("push")
@click.option("--limit", default=None, type=int, help="最多推送条数")
def elicence_push(limit):
    """Send the due certificate events to the e-licence library (run every few minutes)."""
    from app import elicence_push as elicence

    sent, failed = elicence.push_pending(limit=limit)
    waiting, failing = elicence.backlog()
    click.echo(f"本次推送成功 {sent} 条，失败 {failed} 条；尚待推送 {waiting} 条（其中曾失败 {failing} 条）")
    if failed:
        raise SystemExit(1)


exchange_group = AppGroup("exchange", help="四库一平台：向全国建筑市场监管公共服务平台交换数据")


@exchange_group.command("export")
@click.option("--batch-size", type=click.IntRange(1, 100000), default=None,
              help="每批行数（默认取设置 EXCHANGE_BATCH）")
@click.option("--restart", is_flag=True, help="放弃上次未完成的导出，重新开始")
@click.option("--full", is_flag=True, help="导出全部数据，而不只是上次导出以来的变化")
def exchange_export(batch_size, restart, full):
    """Daily: persons, enterprises, registrations and specialties changed since the last run, to files
    (and the national platform when EXCHANGE_URL is set); an interrupted run is resumed."""
    from app import exchange

    run, resumed = exchange.start(restart=restart, full=full)
    folder = run.folder
    since = f"{run.since:%Y-%m-%d %H:%M:%S}" if run.since else "首次导出（全部数据）"
    if resumed:
        click.echo(f"继续上次未完成的导出（第 {run.id} 次）")
    click.echo(f"导出范围：{since} 之后 至 {run.until:%Y-%m-%d %H:%M:%S}；目录：{run.folder}")
    try:
        with click.progressbar(length=exchange.remaining(run), label="导出数据") as bar:
            manifest = exchange.run_entities(run, batch_size=batch_size, advance=bar.update)
    except exchange.ExchangeFailed as problem:
        raise click.ClickException(f"导出中断：{problem}。已完成的批次已保存，再次运行本命令将从中断处继续。")
    for item in manifest["files"]:
        click.echo(f"  {item['label']}：{item['rows']} 行  {item['file']}")
    click.echo(f"导出完成（第 {manifest['run']} 次），清单：{folder}/manifest.json")
jobs_group = AppGroup("jobs", help="后台任务：工作进程、定时调度、查看与排队")


@jobs_group.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="并行执行任务的线程数")
@click.option("--scheduler", is_flag=True, help="同时运行定时调度（整个平台只运行一个调度）")
def jobs_worker(workers, scheduler):
    """Run jobs from the queue (JOBS_BACKEND) until stopped; SIGINT/SIGTERM finish the running ones first."""
    from flask import current_app

    queue = current_app.extensions["jobs"]
    if queue.backend not in ("redis", "sqlite"):
        raise click.ClickException(f"JOBS_BACKEND={queue.backend} 不需要工作进程")
    click.echo(f"后台任务工作进程：{queue.backend}，{workers} 个线程" + ("，含定时调度" if scheduler else ""))
    queue.consumer(workers, scheduler=scheduler).run()


@jobs_group.command("scheduler")
def jobs_scheduler():
    """Queue the periodic jobs on their schedule (run exactly one for the whole platform); executes nothing."""
    from flask import current_app

    queue = current_app.extensions["jobs"]
    click.echo("定时调度：" + "，".join(f"{kind} {fields}" for kind, fields in _schedule().items()))
    queue.consumer(0, scheduler=True).run()


def _schedule():
    from app import jobs

    return jobs.SCHEDULE


@jobs_group.command("list")
@click.option("--state", type=click.Choice(["queued", "running", "done", "failed"]), default=None)
@click.option("--limit", default=20, show_default=True)
def jobs_list(state, limit):
    """The latest jobs with their state, attempts and last error."""
    from sqlalchemy import select

    from app import jobs
    from app.extensions import db
    from models import Job

    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == state)
    click.echo("  ".join(f"{k} {v}" for k, v in sorted(jobs.counts().items())) or "没有任务")
    for job in db.session.scalars(query):
        error = (job.last_error or "").splitlines()[-1:] or [""]
        click.echo(f"{job.id:>8}  {job.created_at:%Y-%m-%d %H:%M:%S}  {job.kind:<22} {job.state:<8} "
                   f"{job.attempts}/{job.max_attempts}  {error[0][:80]}")


@jobs_group.command("enqueue")
@click.argument("kind")
def jobs_enqueue(kind):
    """Queue one run of a periodic job now (e.g. notify.reminders)."""
    from app import jobs

    if kind not in jobs.SCHEDULE:
        raise click.ClickException("可排队的任务：" + "，".join(jobs.SCHEDULE))
    job = jobs.enqueue(kind, unique=True)
    click.echo(f"已排队：任务 {job.id}（{jobs.label(kind)}）")


@jobs_group.command("reap")
def jobs_reap():
    """Put back in the queue the jobs whose worker died (the scheduler does it every minute)."""
    from app import jobs

    requeued, resent = jobs.reap()
    click.echo(f"重新排队 {requeued} 个中断的任务，重发 {resent} 个逾期的任务")


certificates_group = AppGroup("certificates", help="电子注册证书：核验签名")


@certificates_group.command("verify")
@click.argument("what")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False),
              help="发证机关的公钥证书（PEM，/public/issuer.pem）；默认用本平台的签章证书")
@click.option("--name", default=None, help="持证人姓名（核对持证人）")
@click.option("--id-number", default=None, help="持证人身份证号（核对持证人）")
def certificates_verify(what, key_path, name, id_number):
    """Check a certificate without the database: the QR code's signed payload (as scanned, the link or
    the payload alone, or a file holding it) with the issuer's public key; or a certificate PDF's signatures."""
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from app import signing
    from app.documents import offline

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    data = read(what) if os.path.isfile(what) else None
    if data is not None and data.startswith(b"%PDF"):
        roots = [x509.load_pem_x509_certificate(read(key_path))] if key_path else None
        verdicts = signing.check_pdf(data, roots)
        if not verdicts:
            raise click.ClickException("该PDF没有数字签名")
        for v in verdicts:
            click.echo(f"签名域：{v['field']}；签名人：{v['signer']}；签名时间：{v['signed_at']:%Y-%m-%d %H:%M:%S}")
            click.echo("文件自签名后未被改动" if v["intact"] and v["whole_file"] else "文件在签名后被改动或签名未覆盖全文")
            click.echo("签名有效" if v["valid"] else "签名无效")
            click.echo("签名证书可信（链至所给根证书）" if v["trusted"] else "签名证书不在信任列表中（演示根证书须另行信任）")
        if not all(v["intact"] and v["valid"] and v["whole_file"] for v in verdicts):
            raise SystemExit(1)
        return
    text = data.decode("utf-8", "replace") if data is not None else what
    if key_path:
        raw = read(key_path)
        try:
            public_key = x509.load_pem_x509_certificate(raw).public_key()
        except ValueError:
            public_key = serialization.load_pem_public_key(raw)
    else:
        public_key = signing.issuer().public_key
    verdict = offline.verify(text, public_key, name=name, id_number=id_number)
    for line in offline.report(verdict):
        click.echo(line)
    if not verdict.ok or verdict.get("holder") is False:
        raise SystemExit(1)


def register(app):
    app.cli.add_command(backup_group)  # flask backup create / restore / verify / drill
    app.cli.add_command(doctor)  # flask doctor: is this configuration fit for production
    app.cli.add_command(certificates_group)  # flask certificates verify
    app.cli.add_command(users_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(workflow_group)
    app.cli.add_command(sms_group)  # flask sms outbox [--user NAME]
    app.cli.add_command(notify_group)  # flask notify retry / reminders
    app.cli.add_command(registrations)
    app.cli.add_command(qualifications)
    app.cli.add_command(campaigns_group)  # flask campaigns lock-overdue (daily)
    app.cli.add_command(govnet_group)  # flask govnet sync / dock
    app.cli.add_command(elicence_group)  # flask elicence push
    app.cli.add_command(exchange_group)  # flask exchange export
    app.cli.add_command(jobs_group)  # flask jobs worker / scheduler / list / enqueue / reap
