"""Patrol figures for Prometheus, computed from the database when scraped.

The scheduler is another process than the web app (and the web app may run several gunicorn workers), so
nothing is counted in web-process memory: :class:`PatrolCollector` reads, at each scrape,

- ``CheckStatus`` joined with ``Check``: one gauge per check (``dutydesk_check_state``, ``…_hard_state``,
  ``…_flapping``, labelled ``check``/``kind``/``domain``; states as Nagios codes 0 OK, 1 WARNING, 2 CRITICAL,
  3 UNKNOWN);
- ``PatrolCounter``: cumulative counters the patrolling scheduler adds to in the same transactions as the
  runs (``dutydesk_check_runs_total{kind,state}``, histograms ``dutydesk_check_run_duration_seconds`` and
  ``dutydesk_check_start_lateness_seconds`` by ``kind``), so they survive a failover and never go back
  when old runs are purged;
- ``SchedulerLease``: ``dutydesk_scheduler_lease_valid`` (1 while some scheduler holds an unexpired lease).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import select
from sqlalchemy.engine import Engine

from desk.timeutil import utcnow
from monitoring.checkspec import State
from monitoring.models import Check, CheckStatus, PatrolCounter, SchedulerLease

_LABEL = re.compile(r'(\w+)="([^"]*)"')
HISTOGRAMS = {
    "run_duration_seconds": "How long check runs took (seconds), by check kind.",
    "start_lateness_seconds": "How late check runs started after their planned time (seconds), by check kind.",
}


def parse_labels(text: str) -> dict[str, str]:
    """``kind="tcp",le="0.1"`` -> ``{"kind": "tcp", "le": "0.1"}``."""
    return dict(_LABEL.findall(text))


class PatrolCollector:
    """A prometheus-client collector reading the patrol tables through ``engine`` on every ``collect()``."""

    def __init__(self, engine: Engine, now: datetime | None = None) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        """Every patrol metric family (see the module docstring)."""
        with self.engine.connect() as conn:
            statuses = conn.execute(select(
                Check.name, Check.kind, Check.domain, CheckStatus.state, CheckStatus.hard_state,
                CheckStatus.flapping).join(CheckStatus, CheckStatus.check_id == Check.id)
                .where(CheckStatus.last_run_at.is_not(None)).order_by(Check.name)).all()
            counters = conn.execute(select(PatrolCounter.name, PatrolCounter.labels, PatrolCounter.value)).all()
            lease = conn.execute(select(SchedulerLease.expires_at)).scalars().all()
        yield from _check_gauges(statuses)
        yield from _counter_families(counters)
        now = self.now or utcnow()
        valid = GaugeMetricFamily("dutydesk_scheduler_lease_valid", "1 while a scheduler holds the patrol lease.")
        valid.add_metric([], 1.0 if any(expires > now for expires in lease) else 0.0)
        yield valid


def _check_gauges(rows: list) -> Iterator[Metric]:
    """Per-check state gauges."""
    labels = ["check", "kind", "domain"]
    state = GaugeMetricFamily("dutydesk_check_state",
                              "Latest result of each check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", labels=labels)
    hard = GaugeMetricFamily("dutydesk_check_hard_state",
                             "Confirmed (HARD) state of each check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
                             labels=labels)
    flapping = GaugeMetricFamily("dutydesk_check_flapping", "1 while a check is flapping.", labels=labels)
    for row in rows:
        key = [row.name, row.kind, row.domain]
        state.add_metric(key, float(State[row.state]))
        hard.add_metric(key, float(State[row.hard_state]))
        flapping.add_metric(key, 1.0 if row.flapping else 0.0)
    return [state, hard, flapping]


def _counter_families(rows: list) -> Iterator[Metric]:
    """Runs by state and the two histograms, from the cumulative counter rows."""
    runs = CounterMetricFamily("dutydesk_check_runs", "Check runs made, by check kind and result state.",
                               labels=["kind", "state"])
    hist: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(lambda: {"buckets": {}, "sum": 0.0}))
    for name, label_text, value in rows:
        labels = parse_labels(label_text)
        if name == "runs_total":
            runs.add_metric([labels.get("kind", ""), labels.get("state", "")], value)
            continue
        base, _, part = name.rpartition("_")
        if base not in HISTOGRAMS:
            continue
        entry = hist[base][labels.get("kind", "")]
        if part == "bucket":
            entry["buckets"][labels["le"]] = value
        elif part == "sum":
            entry["sum"] = value
    yield runs
    for base, doc in HISTOGRAMS.items():
        family = HistogramMetricFamily(f"dutydesk_check_{base}", doc, labels=["kind"])
        for kind, entry in sorted(hist.get(base, {}).items()):
            buckets = sorted(entry["buckets"].items(), key=lambda item: float(item[0]))
            if buckets:
                family.add_metric([kind], buckets=buckets, sum_value=entry["sum"])
        yield family


def render(engine: Engine, collectors: tuple = ()) -> bytes:
    """The Prometheus text exposition of the patrol metrics and of any other ``collectors`` (alerts…)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PatrolCollector(engine))
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
