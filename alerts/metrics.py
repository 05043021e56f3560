"""Alert figures for ``/metrics``, read from the database at each scrape (several web workers, one truth):
``dutydesk_alerts{status, severity}``, the number of alerts in each state and severity (every combination is
present, zero included, so a dashboard's series never vanish)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from alerts.models import SEVERITIES, STATUSES, Alert


class AlertCollector:
    """A prometheus-client collector counting alerts by status and severity through ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """The ``dutydesk_alerts`` gauge family."""
        with self.engine.connect() as conn:
            counts = {(s, v): n for s, v, n in conn.execute(
                select(Alert.status, Alert.severity, func.count()).group_by(Alert.status, Alert.severity))}
        family = GaugeMetricFamily("dutydesk_alerts", "Alerts by status and severity.", labels=["status", "severity"])
        for status in STATUSES:
            for severity in SEVERITIES:
                family.add_metric([status, severity], float(counts.get((status, severity), 0)))
        yield family
