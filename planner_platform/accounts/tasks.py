"""Beat tasks of the accounts: spent login counters, the personal data exports, and the daily privacy job (due
deletions, staff accounts whose roles ended, the retention schedule)."""
from planner_platform.accounts import data_export, deletion, retention, throttle, verification
from planner_platform.core.db import utcnow
from planner_platform.extensions import db, shared_task


@shared_task(name="accounts.purge_counters")
def purge_counters_task() -> dict:
    """Daily: delete login throttles and verification codes that no longer count anything (idempotent)."""
    now = utcnow()
    counts = {"throttles": throttle.purge(now), "codes": verification.purge(now)}
    db.session.commit()
    return counts


@shared_task(name=data_export.BUILD_TASK)
def build_data_export_task(export_id: int) -> None:
    """Write the ZIP of one personal data export (a second delivery of the message does nothing)."""
    data_export.build(export_id)


@shared_task(name="accounts.sweep_data_exports")
def sweep_data_exports_task() -> dict:
    """Every five minutes: expired files deleted, stopped builds failed, lost ones sent again."""
    return data_export.sweep()


@shared_task(name="accounts.privacy_daily")
def privacy_daily_task() -> dict:
    """Daily: delete the accounts whose cooling-off period is over, disable staff accounts whose roles all ended,
    then apply the retention schedule (idempotent: a second run finds nothing more to do)."""
    now = utcnow()
    counts = {"deleted": deletion.carry_out_due(now), "disabled": deletion.disable_ended_staff(),
              **retention.run(now)}
    db.session.commit()
    return counts
