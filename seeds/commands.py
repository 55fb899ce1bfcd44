"""flask seed ...: reference data, the demo data set, bulk data for benchmarks. Wired by the app
factory (app/__init__.py), the one place where the app reaches into seeds/."""
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from seeds import demo, reference, scale

seed = AppGroup("seed", help="载入参考数据或演示数据")


@seed.command("reference")
def seed_reference():
    """Roles and specialties (safe in production)."""
    reference.load(current_app.appbuilder.sm)
    click.echo("参考数据已就绪：角色、注册专业")


@seed.command("demo")
def seed_demo():
    """The demo data set (idempotent; refused when APP_ENV=production)."""
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


def register(app):
    app.cli.add_command(seed)
