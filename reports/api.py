"""The reports as JSON under /api/v1/reports (managers; personal API tokens work)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from desk import web
from desk.timeutil import utcnow
from reports import core, service
from reports.views import ERRORS, today

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")


def _period() -> core.Period | Any:
    period, errors = core.parse_period(request.args, today())
    if errors:
        field, code = next(iter(errors.items()))
        return web.api_error(400, "bad_period", f"{field}: {ERRORS[code]}")
    return period


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def coverage_json(report: core.CoverageReport) -> dict[str, Any]:
    """The coverage report as the API shows it."""
    return {"from": report.period.start.isoformat(), "to": report.period.end.isoformat(),
            "shifts": len(report.shifts), "fully_staffed": report.fully_staffed, "rate": _pct(report.rate),
            "target": report.target,
            "gaps": [{"date": d.isoformat(), "shift": s, "position": p, "reason": r} for d, s, p, r in report.gaps()],
            "substitutions": report.substitutions, "swaps": report.swaps, "leave_days": report.leave_days}


def load_json(report: service.LoadReport) -> dict[str, Any]:
    """The load report as the API shows it."""
    def person(r: core.PersonLoad) -> dict[str, Any]:
        return {"username": r.username, "name": r.name, "group": r.group,
                **{f: getattr(r, f) for f in core.LOAD_FIELDS}}

    def group(g: core.GroupLoad) -> dict[str, Any]:
        return {"group": g.key, "members": list(g.members),
                **{s.metric: {"mean": s.mean, "min": s.low, "max": s.high, "spread": s.spread, "stdev": s.stdev,
                              "aim": s.aim} for s in g.spreads}}

    return {"from": report.period.start.isoformat(), "to": report.period.end.isoformat(),
            "people": [person(r) for r in report.people], "groups": [group(g) for g in report.groups],
            "year_to_date": {"people": [person(r) for r in report.ytd_people],
                             "groups": [group(g) for g in report.ytd_groups]}}


def patrols_json(report: core.PatrolReport, period: core.Period) -> dict[str, Any]:
    """The patrol report as the API shows it."""
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "expected": report.expected,
            "made": report.made, "rate": _pct(report.rate), "target": report.target,
            "success_rate": _pct(report.success_rate), "takeovers": report.takeovers,
            "checks": [{"id": c.check_id, "name": c.name, "expected": c.expected, "made": c.made, "runs": c.runs,
                        "made_rate": _pct(c.made_rate), "success_rate": _pct(c.success_rate),
                        "seconds_in_state": dict(c.time_in_state), "maintenance_seconds": c.maintenance_seconds,
                        "flapping_periods": c.flapping} for c in report.checks]}


@bp.route("/coverage")
@web.roles("manager")
def coverage() -> Any:
    period = _period()
    if not isinstance(period, core.Period):
        return period
    return coverage_json(service.coverage_report(web.db(), period=period))


@bp.route("/load")
@web.roles("manager")
def load() -> Any:
    period = _period()
    if not isinstance(period, core.Period):
        return period
    return load_json(service.load_report(web.db(), period=period))


@bp.route("/patrols")
@web.roles("manager")
def patrols() -> Any:
    period = _period()
    if not isinstance(period, core.Period):
        return period
    report = service.patrol_report(web.db(), period=period, tz=web.settings().timezone, now=utcnow())
    return patrols_json(report, period)





def _figures(f: core.AlertFigures) -> dict[str, Any]:
    return {"label": f.label, "count": f.count, "ack_median_seconds": f.ack_median, "ack_p90_seconds": f.ack_p90,
            "resolve_median_seconds": f.resolve_median, "resolve_p90_seconds": f.resolve_p90,
            "within_target": _pct(f.within_target), "escalated": f.escalated, "carried_over": f.carried_over,
            "no_roster": f.no_roster}


def alerts_json(report: core.AlertReport, period: core.Period) -> dict[str, Any]:
    """The alert handling report as the API shows it."""
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "target": report.target,
            "ack_limit_seconds": int(report.limit), "total": _figures(report.total),
            **{f"by_{name}": [_figures(f) for f in rows] for name, rows in report.by.items()},
            "noisiest": [{"key": k, "count": n} for k, n in report.noisiest]}


@bp.route("/alerts")
@web.roles("manager")
def alerts() -> Any:
    period = _period()
    if not isinstance(period, core.Period):
        return period
    return alerts_json(service.alert_report(web.db(), period=period, tz=web.settings().timezone), period)
