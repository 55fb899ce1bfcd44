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


def register(app):
    app.cli.add_command(seed)
