"""Parsing what senders post, as pure functions over the decoded JSON: Prometheus Alertmanager's webhook
(payload version "4") and the desk's generic JSON. The whole payload is checked before anything is stored:
one bad alert in a batch rejects the batch with every problem named.

Alertmanager ``severity`` label → desk severity (:data:`SEVERITY_MAP`): critical, error, page → critical;
major → major; warning, minor → minor; info, none → info; absent or anything else → major. The ``domain`` label
(info or comms; also information/communications) picks the watcher; absent or unknown, the integration's default
domain. Each Alertmanager alert is keyed by its ``fingerprint`` (``am:<fingerprint>``) and its ``startsAt`` is the
occurrence, so Alertmanager re-sending the same firing changes nothing. Unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from alerts.models import DOMAINS, SEVERITIES

SEVERITY_MAP = {"critical": "critical", "error": "critical", "page": "critical", "major": "major",
                "warning": "minor", "minor": "minor", "info": "info", "none": "info"}
DOMAIN_MAP = {"info": "info", "information": "info", "comms": "comms", "communications": "comms"}
STATUSES = ("firing", "resolved")
MAX_BATCH = 1000
KEY_MAX, TITLE_MAX = 200, 300


class PayloadError(ValueError):
    """The payload is not what the endpoint takes; ``problems`` name each fault (path: what is wrong)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]) + ("; …" if len(problems) > 20 else ""))
        self.problems = problems


@dataclass(frozen=True)
class Incoming:
    """One alert as a sender reported it, ready for ``service.raise_alert`` / ``service.recover``."""

    key: str
    title: str
    severity: str
    domain: str | None
    status: str
    details: dict[str, Any] = field(default_factory=dict)
    occurrence: str | None = None


def parse_alertmanager(data: Any, *, default_domain: str | None) -> list[Incoming]:
    """The alerts of an Alertmanager webhook payload (version "4"); :class:`PayloadError` naming every fault."""
    if not isinstance(data, Mapping):
        raise PayloadError(["payload: must be a JSON object"])
    problems = [] if str(data.get("version", "")) == "4" else ['version: must be "4"']
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise PayloadError([*problems, "alerts: must be a list"])
    problems += _batch_size(alerts)
    out = []
    for i, item in enumerate(alerts):
        found = _am_problems(item, f"alerts[{i}]")
        problems += found
        if not found:
            out.append(_am_alert(item, default_domain))
    if problems:
        raise PayloadError(problems)
    return out


def _batch_size(items: list[Any]) -> list[str]:
    return [f"alerts: at most {MAX_BATCH} in one delivery"] if len(items) > MAX_BATCH else []


def _am_problems(item: Any, where: str) -> list[str]:
    """What is wrong with one Alertmanager alert (empty when it is usable)."""
    if not isinstance(item, Mapping):
        return [f"{where}: must be an object"]
    problems = []
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint.strip() or len(fingerprint) > KEY_MAX - 3:
        problems.append(f"{where}.fingerprint: must be a non-empty string")
    if item.get("status") not in STATUSES:
        problems.append(f"{where}.status: must be firing or resolved")
    for name in ("labels", "annotations"):
        if not _string_map(item.get(name, {})):
            problems.append(f"{where}.{name}: must be an object of strings")
    if not isinstance(item.get("startsAt", ""), str):
        problems.append(f"{where}.startsAt: must be a string")
    return problems


def _string_map(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _am_alert(item: Mapping[str, Any], default_domain: str | None) -> Incoming:
    """One checked Alertmanager alert as an :class:`Incoming`."""
    labels, annotations = dict(item.get("labels", {})), dict(item.get("annotations", {}))
    title = (annotations.get("summary") or annotations.get("description") or labels.get("alertname")
             or item["fingerprint"])
    if labels.get("instance") and labels["instance"] not in title:
        title = f"{title} ({labels['instance']})"
    details = {"labels": labels, "annotations": annotations, "startsAt": item.get("startsAt"),
               "endsAt": item.get("endsAt"), "generatorURL": item.get("generatorURL")}
    return Incoming(key=f"am:{item['fingerprint'].strip()}", title=title[:TITLE_MAX],
                    severity=SEVERITY_MAP.get(labels.get("severity", "").lower(), "major"),
                    domain=DOMAIN_MAP.get(labels.get("domain", "").lower(), default_domain),
                    status=item["status"], details=details, occurrence=item.get("startsAt") or None)


def parse_generic(data: Any, *, default_domain: str | None) -> list[Incoming]:
    """The alerts of a generic JSON delivery: one object ``{"key", "title", "severity", "domain", "details",
    "status"}`` or a list of them; :class:`PayloadError` naming every fault."""
    items = data if isinstance(data, list) else [data]
    problems = _batch_size(items)
    out = []
    for i, item in enumerate(items):
        where = f"[{i}]" if isinstance(data, list) else "payload"
        found = _generic_problems(item, where)
        problems += found
        if not found:
            out.append(_generic_alert(item, default_domain))
    if problems:
        raise PayloadError(problems)
    return out


def _generic_problems(item: Any, where: str) -> list[str]:
    """What is wrong with one generic alert (empty when it is usable)."""
    if not isinstance(item, Mapping):
        return [f"{where}: must be a JSON object"]
    problems = []
    key, status = item.get("key"), item.get("status", "firing")
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX:
        problems.append(f"{where}.key: must be a string of 1 to {KEY_MAX} characters")
    if status not in STATUSES:
        problems.append(f"{where}.status: must be firing or resolved")
    title = item.get("title")
    if status == "firing" and (not isinstance(title, str) or not title.strip()):
        problems.append(f"{where}.title: must be a non-empty string")
    elif title is not None and not isinstance(title, str):
        problems.append(f"{where}.title: must be a string")
    if item.get("severity", "major") not in SEVERITIES:
        problems.append(f"{where}.severity: must be one of {', '.join(SEVERITIES)}")
    if item.get("domain") is not None and item.get("domain") not in DOMAINS:
        problems.append(f"{where}.domain: must be info, comms or null")
    if not isinstance(item.get("details", {}), Mapping):
        problems.append(f"{where}.details: must be an object")
    return problems


def _generic_alert(item: Mapping[str, Any], default_domain: str | None) -> Incoming:
    """One checked generic alert as an :class:`Incoming`."""
    return Incoming(key=item["key"].strip(), title=(item.get("title") or item["key"]).strip()[:TITLE_MAX],
                    severity=item.get("severity", "major"), domain=item.get("domain") or default_domain,
                    status=item.get("status", "firing"), details=dict(item.get("details", {})))
