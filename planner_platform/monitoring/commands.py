"""`flask stats rebuild`: every summary row recomputed from the base tables."""
import click
from flask.cli import with_appcontext

from planner_platform.extensions import db
from planner_platform.monitoring.refresh import rebuild


@click.group("stats")
def stats_cli():
    """The monitoring summary tables."""


@stats_cli.command("rebuild")
@with_appcontext
def rebuild_command():
    """Recompute every summary table from scratch (the numbers must not change)."""
    rebuild()
    db.session.commit()
    click.echo("Monitoring summary tables rebuilt.")
