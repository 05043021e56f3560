"""The report targets managers set (the acknowledgement target), stored in ``reportsettings`` and audited.

One row (id 1); without it the defaults of ``reports.core.AckTarget`` hold. A save names the version it was
read at and is one conditional UPDATE (or the INSERT of the first row): a manager who saved over an older page
loses with ``StaleTarget`` and nothing changes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from desk import audit
from reports import core
from reports.models import ReportSettings

ROW_ID = 1


class TargetError(ValueError):
    """The proposed target is refused: ``problems`` is {field: code}."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class StaleTarget(RuntimeError):
    """Someone saved the target since the form was read."""


def row(session: Session) -> ReportSettings | None:
    """The stored row, if any manager has saved one."""
    return session.execute(select(ReportSettings).where(ReportSettings.id == ROW_ID)).scalar_one_or_none()


def ack_target(session: Session) -> core.AckTarget:
    """The acknowledgement target in force (the defaults until a manager sets it)."""
    found = session.execute(select(ReportSettings.ack_minutes, ReportSettings.ack_target).where(
        ReportSettings.id == ROW_ID)).first()
    return core.AckTarget(int(found[0]), float(found[1])) if found else core.AckTarget()


def version(session: Session) -> int:
    """The version a form should carry back (0: nothing stored yet)."""
    found = row(session)
    return found.version if found else 0


def save_ack_target(session: Session, *, actor: str, minutes: int | None, percent: float | None, read_version: int,
                    now: datetime) -> core.AckTarget:
    """Store a new acknowledgement target with one audit event (the caller commits). Raises ``TargetError`` for
    a refused value and ``StaleTarget`` when the stored version is no longer ``read_version``."""
    problems = core.ack_target_problems(minutes, percent)
    if problems:
        raise TargetError(problems)
    assert minutes is not None and percent is not None
    before = ack_target(session)
    after = core.AckTarget(int(minutes), round(float(percent) / 100, 4))
    values = {"ack_minutes": after.minutes, "ack_target": after.share, "updated_by": actor, "updated_at": now}
    if read_version == 0:
        _insert_first(session, values)
    else:
        done = session.execute(update(ReportSettings).where(
            ReportSettings.id == ROW_ID, ReportSettings.version == read_version).values(
            version=ReportSettings.version + 1, **values))
        if done.rowcount != 1:
            raise StaleTarget()
    audit.record(session, actor=actor, action="reports.ack_target", object_type="report_settings",
                 object_id=ROW_ID, before=_snapshot(before), after=_snapshot(after))
    return after


def _insert_first(session: Session, values: dict[str, object]) -> None:
    """The first save: the INSERT of row 1 whose primary key lets only one of two racing managers in."""
    try:
        with session.begin_nested():
            session.execute(insert(ReportSettings).values(id=ROW_ID, version=1, **values))
    except IntegrityError:
        raise StaleTarget() from None


def _snapshot(target: core.AckTarget) -> dict[str, float | int]:
    return {"ack_minutes": target.minutes, "ack_target_percent": target.percent}
