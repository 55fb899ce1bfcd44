"""flask govnet ...: dock one enterprise, or sync every docked enterprise with the directory."""
import click
from flask.cli import AppGroup

govnet = AppGroup("govnet", help="政务服务网：企业数据对接与同步")

SUMMARY = (
    ("checked", "核对企业"),
    ("renamed", "更名"),
    ("deregistered", "注销或吊销"),
    ("address_changed", "注册地址变更"),
    ("other_changed", "其他信息变更"),
    ("unchanged", "无变化"),
    ("not_found", "企业库中未找到"),
)


@govnet.command("sync")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=None,
              help="每批同步的企业数（默认取设置 GOVNET_SYNC_BATCH）")
@click.option("--restart", is_flag=True, help="放弃上次未完成的同步，从头开始")
def sync_command(batch_size, restart):
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
    for field, label in SUMMARY:
        click.echo(f"  {label}：{getattr(run, field)} 家")
    for old, new in sync.renames(run):
        click.echo(f"  更名：{old} → {new}")


@govnet.command("dock")
@click.argument("credit_code")
def dock_command(credit_code):
    """Dock one enterprise by its unified social credit code (数据对接)."""
    from app.govnet import directory
    from app.validators import Invalid

    try:
        enterprise = directory.dock(credit_code, actor="命令行")
    except (Invalid, directory.DirectoryError) as problem:
        raise click.ClickException(str(problem))
    click.echo(f"已完成数据对接：{enterprise.name}（{enterprise.credit_code}），登记状态：{enterprise.govnet_status}")
