"""Notification figures for ``/metrics``, read from the database at each scrape (as the patrol figures are).

- ``dutydesk_notifications_sent_total{kind}``, ``…_failed_total{kind}`` (given up) and
  ``dutydesk_notification_retries_total{kind}`` (failed tries followed by another): cumulative counters the
  dispatcher adds to in the same transaction as each outcome (``PatrolCounter`` rows named ``notification…``);
- ``dutydesk_notifications{kind,status}``: how many outbox rows are pending, sending or failed right now (a failed
  row leaves the figure when a manager retries it).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from alerts.models import CHANNEL_KINDS, Notification
from monitoring.metrics import parse_labels
from monitoring.models import PatrolCounter

COUNTERS = {
    "notifications_sent_total": "Notifications delivered, by channel kind.",
    "notifications_failed_total": "Notifications given up after their last attempt, by channel kind.",
    "notification_retries_total": "Failed delivery attempts that were tried again, by channel kind.",
}


class NotificationCollector:
    """A prometheus-client collector of the outbox figures (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """The counter families, then the outbox gauge."""
        table = Notification.__table__
        with self.engine.connect() as conn:
            counters = conn.execute(select(PatrolCounter.name, PatrolCounter.labels, PatrolCounter.value)
                                    .where(PatrolCounter.name.in_(COUNTERS))).all()
            states = conn.execute(select(table.c.kind, table.c.status, func.count())
                                  .where(table.c.status != "sent").group_by(table.c.kind, table.c.status)).all()
        for name, doc in COUNTERS.items():
            family = CounterMetricFamily(f"dutydesk_{name.removesuffix('_total')}", doc, labels=["kind"])
            values = {parse_labels(r.labels).get("kind", ""): r.value for r in counters if r.name == name}
            for kind in sorted({*CHANNEL_KINDS, *values}):  # every kind from 0, so rate() sees the first one
                family.add_metric([kind], values.get(kind, 0.0))
            yield family
        gauge = GaugeMetricFamily("dutydesk_notifications", "Outbox rows by channel kind and status "
                                  "(pending, sending, failed).", labels=["kind", "status"])
        for kind, status, count in sorted(states):
            gauge.add_metric([kind, status], float(count))
        yield gauge
