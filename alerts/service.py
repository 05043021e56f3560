"""Alert services: raise-or-repeat by key, recover, acknowledge, resolve, reopen, reassign, comment, escalate,
re-route. Keyword-only ``f(session, *, actor, ..., now)``; the caller commits.

Each change is one conditional UPDATE (``WHERE id = … AND status IN (…)`` per :mod:`alerts.lifecycle`, and
``version = …`` when the caller saw one) whose rowcount decides: the loser gets :class:`AlertConflict`. Each writes
one timeline :class:`AlertEvent`, one audit event and its notifications (:func:`alerts.outbox.enqueue`) in the
same transaction. Who may do what is the views' business (:func:`can_resolve` says who may resolve).

``Alert.details`` holds ``source`` (what the sender sent: labels, annotations…), ``routing`` (the roster's last
answer, so a re-route happens only when the roster changes, not after a reassignment by hand) and ``occurrence``
(the sender's id of the firing, so a repeated delivery of the same firing changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from alerts import escalation, outbox
from alerts.lifecycle import ACTIVE, TRANSITIONS
from alerts.models import DOMAINS, SEVERITIES, SOURCES, Alert, AlertEvent, EscalationPolicy, Notification
from alerts.routing import Routing, follows_roster, route
from desk import audit
from desk.accounts import N_
from desk.models import Person
from desk.timeutil import as_utc

SYSTEM = "system"
NOTE_MAX = 2000
KEY_MAX, TITLE_MAX = 200, 300
ACTIVE_SQL = "status IN ('open', 'acknowledged')"


class AlertError(Exception):
    """Invalid input: ``errors`` maps a field name to a message (a msgid the view translates)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlertConflict(Exception):
    """Someone else changed the alert first (or it is not in a state that allows this): 409 / a flash."""


class AlertNotFound(LookupError):
    """No alert with that id."""


@dataclass(frozen=True)
class Raised:
    """What a raise did: the alert, whether it was created, and whether anything changed (False: a re-delivery)."""

    alert: Alert
    created: bool
    changed: bool = True


class Lookups:
    """What the raises of one delivery read alike, read once: the roster's shift at a moment, the escalation
    policies, the managers, people by username. One per batch, in one transaction (it caches, never writes)."""

    def __init__(self) -> None:
        self._memo: dict[Any, Any] = {}

    def get(self, key: Any, load: Any) -> Any:
        """The value of ``key``, computed by ``load()`` the first time."""
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def prefetch_active(self, session: Session, keys: Sequence[str]) -> None:
        """Read the active alerts of a batch's keys in one query (raises then look here first)."""
        found = {a.key: a for a in session.exec(select(Alert).where(col(Alert.key).in_(set(keys)),
                                                                   col(Alert.status).in_(ACTIVE)))}
        self._memo["active"] = {key: found.get(key) for key in keys}

    def active(self, key: str) -> tuple[bool, Alert | None]:
        """(known, alert): whether the batch's prefetch covers ``key``, and its active alert then."""
        table = self._memo.get("active")
        return (False, None) if table is None or key not in table else (True, table[key])

    def opened(self, alert: Alert) -> None:
        """A raise of this batch opened ``alert``: later raises of its key are repeats."""
        if "active" in self._memo:
            self._memo["active"][alert.key] = alert


# --- reading ----------------------------------------------------------------------------------------------------

def get_alert(session: Session, alert_id: int) -> Alert:
    """The alert, or :class:`AlertNotFound`."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(alert_id)
    return alert


def active_by_key(session: Session, key: str) -> Alert | None:
    """The open or acknowledged alert with this key, if any."""
    stmt = select(Alert).where(Alert.key == key, col(Alert.status).in_(ACTIVE))
    return session.exec(stmt.execution_options(populate_existing=True)).first()


def timeline(session: Session, alert_id: int) -> list[AlertEvent]:
    """The alert's timeline, oldest first."""
    stmt = select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(col(AlertEvent.id))
    return list(session.exec(stmt))


def person(session: Session, username: str) -> Person | None:
    """The active person with this username, or None."""
    found = session.exec(select(Person).where(Person.username == username)).first()
    return found if found and found.active else None


def managers(session: Session) -> list[Person]:
    """The active managers."""
    stmt = select(Person).where(Person.role == "manager", Person.active == True).order_by(col(Person.id))  # noqa: E712
    return list(session.exec(stmt))


def usernames(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    """id -> username for these person ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(Person.id, Person.username).where(col(Person.id).in_(wanted))).all())


def can_resolve(who: Any, alert: Alert) -> bool:
    """Leaders and managers resolve any alert; a watcher resolves the alerts of a domain they hold a skill for
    (desk-wide alerts are the leader's)."""
    if who.role in ("leader", "manager"):
        return True
    return who.role == "watcher" and alert.domain is not None and alert.domain in who.skill_set


# --- policy -----------------------------------------------------------------------------------------------------

def policies(session: Session) -> list[escalation.Policy]:
    """The stored escalation policy rows as :class:`escalation.Policy` (default row has severity None)."""
    return [escalation.Policy(r.remind_after_minutes, r.managers_after_minutes, r.repeat_every_minutes, r.severity)
            for r in session.exec(select(EscalationPolicy))]


def policy_for(session: Session, severity: str) -> escalation.Policy:
    """The escalation policy in force for ``severity``."""
    return escalation.policy_for(severity, policies(session))


# --- raise, repeat, recover -------------------------------------------------------------------------------------

def validate_raise(*, key: str, title: str, severity: str, domain: str | None, source: str) -> dict[str, str]:
    """Errors by field for a raise (empty when valid)."""
    errors = {}
    if not key.strip() or len(key) > KEY_MAX:
        errors["key"] = N_("A key of 1 to 200 characters is required.")
    if not title.strip():
        errors["title"] = N_("A title is required.")
    if severity not in SEVERITIES:
        errors["severity"] = N_("Severity is one of critical, major, minor, info.")
    if domain is not None and domain not in DOMAINS:
        errors["domain"] = N_("Domain is info, comms or empty.")
    if source not in SOURCES:
        errors["source"] = N_("Unknown source.")
    return errors


def raise_alert(session: Session, *, actor: str, key: str, title: str, severity: str, domain: str | None,
                source: str, now: datetime, details: dict[str, Any] | None = None,
                integration_id: int | None = None, check_id: int | None = None, occurrence: str | None = None,
                tz: str | None = None, lookups: Lookups | None = None) -> Raised:
    """Open an alert for ``key``, or fold this into its active alert as a repeat (one active alert per key).

    ``occurrence`` identifies the firing at its sender (Alertmanager's ``startsAt``): the same one delivered again
    changes nothing. Two raises racing for one key produce one alert: the partial unique index decides.
    ``lookups`` shares the reads of a batch's raises (see :class:`Lookups`).
    """
    errors = validate_raise(key=key, title=title, severity=severity, domain=domain, source=source)
    if errors:
        raise AlertError(errors)
    memo = lookups or Lookups()
    for attempt in range(3):
        known, active = memo.active(key) if attempt == 0 else (False, None)
        if not known:  # no prefetch, or a retry after losing a race: ask the database
            active = active_by_key(session, key)
        if active is not None:
            done = _repeat(session, active, actor=actor, now=now, occurrence=occurrence, severity=severity,
                           lookups=memo)
            if done is not None:
                return done
            continue  # resolved between our read and our update: open a new one
        created = _open(session, actor=actor, now=now, tz=tz, lookups=memo, values={
            "key": key, "title": title.strip()[:TITLE_MAX], "severity": severity, "domain": domain,
            "source": source, "integration_id": integration_id, "check_id": check_id,
            "details": {"source": details or {}, "occurrence": occurrence}})
        if created is not None:
            memo.opened(created)
            return Raised(created, created=True)
    raise AlertConflict(key)


def _open(session: Session, *, actor: str, now: datetime, tz: str | None, lookups: Lookups,
          values: dict[str, Any]) -> Alert | None:
    """Insert a new routed alert unless another active one with its key won the race (None then)."""
    routing = route_for(session, values["domain"], now, tz, lookups)
    policy = escalation.policy_for(values["severity"], lookups.get("policies", lambda: policies(session)))
    values["details"]["routing"] = routing.as_dict()
    alert = Alert(**values, first_seen=now, last_seen=now, next_escalation_at=escalation.first_due(policy, now),
                  **routing_columns(session, routing, lookups))
    row = alert.model_dump(exclude={"id"})
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(Alert).values(**row)
            .on_conflict_do_nothing(index_elements=["key"], index_where=text(ACTIVE_SQL)).returning(col(Alert.id)))
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        return None
    alert.id = new_id
    make_transient_to_detached(alert)  # it is the row just inserted: no need to read it back
    session.add(alert)
    _record(session, alert, actor=actor, action="raise", now=now, params={"source": alert.source, **routing.as_dict()})
    session.add_all([Notification(**row) for row in raised_notifications(session, alert, now=now, lookups=lookups)])
    return alert


def raised_notifications(session: Session, alert: Alert, *, now: datetime, lookups: Lookups) -> list[dict[str, Any]]:
    """The column values of a new alert's ``raised`` notifications (channels and e-mail choices read once a batch)."""
    people = _raised_people(session, alert, lookups)
    wanted = lookups.get(("wants_email", tuple(p.id for p in people)),
                         lambda: outbox.wants_email(session, [p.id for p in people if p.id is not None and p.email]))
    return outbox.notification_rows(session, alert=alert, event="raised", now=now, people=people, wanted=wanted,
                                    channels=lookups.get("channels", lambda: outbox.enabled_channels(session)))


def route_for(session: Session, domain: str | None, now: datetime, tz: str | None,
             lookups: Lookups | None = None) -> Routing:
    """The roster's answer for ``domain`` at ``now``."""
    from roster import duty_lookup

    on_duty = (lookups or Lookups()).get(("on_duty", now, tz),
                                         lambda: duty_lookup.on_duty_at(session, at=now, tz=tz))
    return route(domain, on_duty)


def routing_columns(session: Session, routing: Routing, lookups: Lookups | None = None) -> dict[str, Any]:
    """The alert columns of a routing (usernames resolved to person ids; unknown people are left empty)."""
    memo = lookups or Lookups()
    assignee = memo.get(("person", routing.assignee), lambda: person(session, routing.assignee or "")
                        if routing.assignee else None)
    watcher = memo.get(("person", routing.watcher), lambda: person(session, routing.watcher or "")
                       if routing.watcher else None)
    return {"assignee_id": assignee.id if assignee else None, "watcher_id": watcher.id if watcher else None,
            "routed_to": routing.routed_to if assignee or routing.routed_to == "managers" else "managers",
            "shift_day": routing.shift_day, "shift_code": routing.shift_code}


def _raised_people(session: Session, alert: Alert, lookups: Lookups | None = None) -> list[Person]:
    """Who hears of a new alert: its leader and watcher, or the managers (and the watcher) on a coverage gap."""
    named = [session.get(Person, i) for i in (alert.assignee_id, alert.watcher_id) if i]
    people = [p for p in named if p is not None]
    if alert.routed_to != "managers":
        return people
    return people + (lookups or Lookups()).get("managers", lambda: managers(session))


def _repeat(session: Session, alert: Alert, *, actor: str, now: datetime, occurrence: str | None,
            severity: str | None = None, lookups: Lookups | None = None) -> Raised | None:
    """One more occurrence of an active alert; None when it was resolved meanwhile. A repeat of a higher
    severity raises the alert's (see :func:`_severity_values`)."""
    higher = severity in SEVERITIES and SEVERITIES.index(severity) < SEVERITIES.index(alert.severity)
    if not higher and occurrence is not None and alert.details.get("occurrence") == occurrence:
        return Raised(alert, created=False, changed=False)
    before = alert.severity
    details = {**alert.details, "occurrence": occurrence} if occurrence is not None else alert.details
    values = _severity_values(session, alert, severity, lookups) if higher and severity else {}
    stmt = (update(Alert).where(col(Alert.id) == alert.id, col(Alert.status).in_(ACTIVE))
            .values(occurrences=Alert.occurrences + 1, last_seen=now,
                    details=details, version=Alert.version + 1, **values).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return None
    session.refresh(alert)
    if not higher:
        _record(session, alert, actor=actor, action="repeat", now=now, params={"occurrences": alert.occurrences})
        return Raised(alert, created=False)
    _record(session, alert, actor=actor, action="repeat", now=now, kind="severity_raised",
            params={"occurrences": alert.occurrences, "from": before, "to": alert.severity})
    memo = lookups or Lookups()
    outbox.enqueue(session, alert=alert, event="severity_raised", now=now, people=_raised_people(session, alert, memo),
                   channels=memo.get("channels", lambda: outbox.enabled_channels(session)))
    return Raised(alert, created=False)


def _severity_values(session: Session, alert: Alert, severity: str, lookups: Lookups | None) -> dict[str, Any]:
    """The columns of a severity rise: the severity, and for an open alert not yet reminded the first escalation
    step of the new severity's policy (counted from ``first_seen``) when that comes sooner."""
    values: dict[str, Any] = {"severity": severity}
    if alert.status != "open" or alert.escalation_step != 0:
        return values
    rules = (lookups or Lookups()).get("policies", lambda: policies(session))
    due = escalation.first_due(escalation.policy_for(severity, rules), as_utc(alert.first_seen))
    if alert.next_escalation_at is None or due < as_utc(alert.next_escalation_at):
        values["next_escalation_at"] = due
    return values


def recover(session: Session, *, actor: str, key: str, now: datetime) -> Alert | None:
    """Resolve the active alert of ``key`` because its source recovered; None when there is none."""
    alert = active_by_key(session, key)
    if alert is None:
        return None
    try:
        alert = _apply(session, alert.id, "recover", None, resolved_at=now, resolved_by_id=None,
                       next_escalation_at=None)
    except AlertConflict:
        return None
    _record(session, alert, actor=actor, action="recover", now=now, params={"source": alert.source})
    outbox.enqueue(session, alert=alert, event="resolved", now=now)
    return alert


# --- people's actions -------------------------------------------------------------------------------------------

def acknowledge(session: Session, *, actor: str, alert_id: int, now: datetime, comment: str = "",
                version: int | None = None) -> Alert:
    """Acknowledge an open alert (stops its escalation); the optional comment goes on the timeline."""
    note = _note(comment, required=False, field="comment")
    who = _actor(session, actor)
    alert = _apply(session, alert_id, "acknowledge", version, acknowledged_at=now, acknowledged_by_id=who.id,
                   next_escalation_at=None)
    _record(session, alert, actor=actor, action="acknowledge", now=now, note=note)
    return alert


def resolve(session: Session, *, actor: str, alert_id: int, impact: str, summary: str, now: datetime,
            version: int | None = None) -> Alert:
    """Resolve by hand with the business-impact note (业务影响情况) and handling summary (处理情况), both required."""
    errors = {}
    for field, value in (("impact", impact), ("summary", summary)):
        try:
            _note(value, required=True, field=field)
        except AlertError as exc:
            errors.update(exc.errors)
    if errors:
        raise AlertError(errors)
    who = _actor(session, actor)
    alert = _apply(session, alert_id, "resolve", version, resolved_at=now, resolved_by_id=who.id,
                   impact=impact.strip(), summary=summary.strip(), next_escalation_at=None)
    _record(session, alert, actor=actor, action="resolve", now=now)
    outbox.enqueue(session, alert=alert, event="resolved", now=now)
    return alert


def reopen(session: Session, *, actor: str, alert_id: int, now: datetime, version: int | None = None,
           tz: str | None = None) -> Alert:
    """Take a resolved alert back to open, routed anew and escalating from now; a conflict when its key has
    another active alert meanwhile."""
    current = get_alert(session, alert_id)
    if active_by_key(session, current.key) is not None:
        raise AlertConflict(alert_id)
    routing = route_for(session, current.domain, now, tz)
    policy = policy_for(session, current.severity)
    try:
        alert = _apply(session, alert_id, "reopen", version, resolved_at=None, resolved_by_id=None,
                       acknowledged_at=None, acknowledged_by_id=None, escalation_step=0, last_seen=now,
                       next_escalation_at=escalation.first_due(policy, now),
                       details={**current.details, "routing": routing.as_dict()},
                       **routing_columns(session, routing))
    except IntegrityError as exc:  # another alert of the key opened between the check and the update
        raise AlertConflict(alert_id) from exc
    _record(session, alert, actor=actor, action="reopen", now=now, params=routing.as_dict())
    outbox.enqueue(session, alert=alert, event="raised", now=now, people=_raised_people(session, alert))
    return alert


def reassign(session: Session, *, actor: str, alert_id: int, username: str, now: datetime,
             version: int | None = None) -> Alert:
    """Give an active alert to another person (a leader, manager or watcher) by username."""
    target = person(session, username.strip())
    if target is None:
        raise AlertError({"username": N_("No active person with that username.")})
    before = get_alert(session, alert_id).assignee_id
    alert = _apply(session, alert_id, "reassign", version, assignee_id=target.id)
    old = usernames(session, [before]).get(before) if before else None
    _record(session, alert, actor=actor, action="reassign", now=now, params={"from": old, "to": target.username})
    outbox.enqueue(session, alert=alert, event="reassigned", now=now, people=[target])
    return alert


def hand_over(session: Session, *, actor: str, alert_id: int, username: str, now: datetime,
              handover_id: int | None = None, watcher_id: int | None = None, version: int | None = None,
              late: bool = False) -> Alert:
    """Move an active alert to the incoming leader at shift change (交接班), and to the incoming watcher of its
    domain when ``watcher_id`` is given: timeline ``handed_over`` with ``{"from", "to", "handover", "late"}``, audit
    ``alert.hand_over``, and a ``handed_over`` notification to them."""
    target = person(session, username.strip())
    if target is None:
        raise AlertError({"username": N_("No active person with that username.")})
    before = get_alert(session, alert_id).assignee_id
    values: dict[str, Any] = {"assignee_id": target.id, "routed_to": "leader"}
    if watcher_id is not None:
        values["watcher_id"] = watcher_id
    alert = _apply(session, alert_id, "hand_over", version, **values)
    old = usernames(session, [before]).get(before) if before else None
    _record(session, alert, actor=actor, action="hand_over", now=now,
            params={"from": old, "to": target.username, "handover": handover_id, "late": late})
    outbox.enqueue(session, alert=alert, event="handed_over", now=now, people=[target])
    return alert


def comment(session: Session, *, actor: str, alert_id: int, note: str, now: datetime) -> Alert:
    """Add a note to the alert's timeline (any status)."""
    text_ = _note(note, required=True, field="note")
    alert = _apply(session, alert_id, "comment", None)
    _record(session, alert, actor=actor, action="comment", now=now, note=text_)
    return alert


def _note(value: str, *, required: bool, field: str) -> str:
    """A stripped note, or :class:`AlertError` when it is missing (if required) or too long."""
    value = (value or "").strip()
    if required and not value:
        raise AlertError({field: N_("This is required.")})
    if len(value) > NOTE_MAX:
        raise AlertError({field: N_("At most 2000 characters.")})
    return value


def _actor(session: Session, username: str) -> Person:
    """The acting person (their id goes on the alert)."""
    who = person(session, username)
    if who is None:
        raise AlertError({"actor": N_("No active person with that username.")})
    return who


# --- the scheduler's sweeps -------------------------------------------------------------------------------------

def escalate_due(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Apply the due escalation step of every unacknowledged alert whose ``next_escalation_at`` has come;
    returns how many were escalated. Each step is conditional on the stored step, so two sweeps never repeat one."""
    stmt = (select(Alert).where(Alert.status == "open", col(Alert.next_escalation_at) <= now)
            .order_by(col(Alert.next_escalation_at)).limit(limit))
    rules = policies(session)
    return sum(_escalate(session, alert, escalation.policy_for(alert.severity, rules), now)
               for alert in list(session.exec(stmt)))


def _escalate(session: Session, alert: Alert, policy: escalation.Policy, now: datetime) -> bool:
    """Apply one alert's due step; False when none is due or another sweep took it."""
    step = escalation.due_step(policy, step=alert.escalation_step, next_at=alert.next_escalation_at, now=now)
    if step is None:
        return False
    stmt = (update(Alert).where(col(Alert.id) == alert.id, Alert.status == "open",
                                Alert.escalation_step == alert.escalation_step)
            .values(escalation_step=step.number, next_escalation_at=step.next_at, version=Alert.version + 1)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return False
    session.refresh(alert)
    people = _escalation_people(session, alert, step.event)
    phones = [p.phone for p in people if p.phone]
    _record(session, alert, actor=SYSTEM, action="escalate", now=now, kind=step.kind,
            params={"step": step.number, "to": [p.username for p in people], "phones": phones})
    outbox.enqueue(session, alert=alert, event=step.event, now=now, people=people)
    return True


def _escalation_people(session: Session, alert: Alert, event: str) -> list[Person]:
    """Who a step notifies: the assignee for a reminder, the managers for the escalation, both on repeats."""
    assignee = session.get(Person, alert.assignee_id) if alert.assignee_id else None
    mine = [assignee] if assignee else []
    if event == "reminder":
        return mine or managers(session)
    if event == "escalated":
        return managers(session)
    return mine + [m for m in managers(session) if m.id != (assignee.id if assignee else None)]


def reroute_open(session: Session, *, now: datetime, tz: str | None = None) -> int:
    """Move every unacknowledged alert whose roster answer changed (a new version published, the shift
    changed) to the leader now on duty, with a ``routed`` timeline entry; returns how many moved."""
    from roster import duty_lookup

    on_duty = duty_lookup.on_duty_at(session, at=now, tz=tz)
    moved = 0
    for alert in list(session.exec(select(Alert).where(Alert.status == "open"))):
        routing = route(alert.domain, on_duty)
        if follows_roster(alert.status, alert.details.get("routing"), routing):
            moved += _reroute(session, alert, routing, now)
    return moved


def _reroute(session: Session, alert: Alert, routing: Routing, now: datetime) -> bool:
    """Apply a new routing to one open alert, conditional on the version it was read at."""
    before = usernames(session, [alert.assignee_id]).get(alert.assignee_id or 0)
    try:
        alert = _apply(session, alert.id, "route", alert.version, details={**alert.details,
                       "routing": routing.as_dict()}, **routing_columns(session, routing))
    except AlertConflict:
        return False
    _record(session, alert, actor=SYSTEM, action="route", now=now, params={"from": before, **routing.as_dict()})
    outbox.enqueue(session, alert=alert, event="reassigned", now=now, people=_raised_people(session, alert))
    return True


# --- the one way a change is written ----------------------------------------------------------------------------

def _apply(session: Session, alert_id: int, action: str, version: int | None, **values: Any) -> Alert:
    """The conditional UPDATE of ``action`` (statuses from :data:`TRANSITIONS`); :class:`AlertConflict` when
    another change came first, :class:`AlertNotFound` for an unknown id."""
    transition = TRANSITIONS[action]
    stmt = update(Alert).where(col(Alert.id) == alert_id, col(Alert.status).in_(transition.sources))
    if version is not None:
        stmt = stmt.where(Alert.version == version)
    if transition.target:
        values["status"] = transition.target
    result = session.execute(stmt.values(version=Alert.version + 1, **values)
                             .execution_options(synchronize_session=False))
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(alert_id)
    if result.rowcount != 1:
        raise AlertConflict(alert_id)
    session.refresh(alert)
    return alert


def _record(session: Session, alert: Alert, *, actor: str, action: str, now: datetime,
            params: dict[str, Any] | None = None, note: str = "", kind: str | None = None) -> AlertEvent:
    """One timeline entry and one audit event for ``action`` on ``alert``."""
    transition = TRANSITIONS[action]
    event = AlertEvent(alert_id=alert.id or 0, at=now, actor=actor, kind=kind or transition.timeline,
                       params=params or {}, note=note)
    session.add(event)
    audit.record(session, actor=actor, action=transition.audit, object_type="alert", object_id=alert.id or "",
                 after={"status": alert.status, "version": alert.version, **({"note": note} if note else {}),
                        **(params or {})})
    return event


# --- lists and JSON ---------------------------------------------------------------------------------------------

STATUS_FILTERS = ("open", "acknowledged", "resolved", "active")


@dataclass(frozen=True)
class AlertFilter:
    """What a list of alerts is narrowed to (all optional); ``since``/``until`` bound ``first_seen``."""

    status: str | None = None
    domain: str | None = None
    severity: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_alerts(session: Session, *, filters: AlertFilter, page: int = 1,
                per_page: int = 50) -> tuple[list[Alert], int]:
    """One page of alerts, newest first, and how many match in all."""

    conditions = []
    if filters.status == "active":
        conditions.append(col(Alert.status).in_(ACTIVE))
    elif filters.status:
        conditions.append(Alert.status == filters.status)
    if filters.domain:
        conditions.append(Alert.domain == filters.domain)
    if filters.severity:
        conditions.append(Alert.severity == filters.severity)
    if filters.since:
        conditions.append(col(Alert.first_seen) >= filters.since)
    if filters.until:
        conditions.append(col(Alert.first_seen) < filters.until)
    total = session.exec(select(func.count()).select_from(Alert).where(*conditions)).one()
    rows = session.exec(select(Alert).where(*conditions).order_by(col(Alert.first_seen).desc(), col(Alert.id).desc())
                        .offset((max(page, 1) - 1) * per_page).limit(per_page))
    return list(rows), int(total)


def people_by_id(session: Session, alerts: Sequence[Alert]) -> dict[int, Person]:
    """The people named on these alerts (assignee, watcher, acknowledger, resolver), by id."""
    ids = {i for a in alerts for i in (a.assignee_id, a.watcher_id, a.acknowledged_by_id, a.resolved_by_id) if i}
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))) if p.id is not None}


def alert_json(alert: Alert, people: dict[int, Person]) -> dict[str, Any]:
    """The API's shape of an alert (ALERTS.md); ``people`` from :func:`people_by_id`."""
    def who(pid: int | None) -> dict[str, str] | None:
        p = people.get(pid or 0)
        return {"username": p.username, "name": p.display_name} if p else None

    def name(pid: int | None) -> str | None:
        p = people.get(pid or 0)
        return p.username if p else None

    return {
        "id": alert.id, "key": alert.key, "title": alert.title, "severity": alert.severity, "domain": alert.domain,
        "status": alert.status, "source": alert.source, "assignee": who(alert.assignee_id),
        "watcher": who(alert.watcher_id), "occurrences": alert.occurrences, "first_seen": _iso(alert.first_seen),
        "last_seen": _iso(alert.last_seen), "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledged_by": name(alert.acknowledged_by_id), "resolved_at": _iso(alert.resolved_at),
        "resolved_by": name(alert.resolved_by_id), "impact": alert.impact, "summary": alert.summary,
        "escalation_step": alert.escalation_step, "next_escalation_at": _iso(alert.next_escalation_at),
        "routed_to": alert.routed_to, "version": alert.version,
        "shift": {"day": alert.shift_day, "code": alert.shift_code} if alert.shift_day else None,
    }


def event_json(event: AlertEvent) -> dict[str, Any]:
    """A timeline entry as JSON (``text`` is added by the caller, in the reader's language)."""
    return {"id": event.id, "at": _iso(event.at), "actor": event.actor, "kind": event.kind,
            "params": event.params, "note": event.note}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")


# --- the escalation policy (managers) ---------------------------------------------------------------------------

def save_policy(session: Session, *, actor: str, severity: str | None, remind_after: int, managers_after: int,
                repeat_every: int, now: datetime) -> EscalationPolicy:
    """Set the default policy (``severity`` None) or one severity's override; audited with before and after."""
    errors = {k: N_("Between 1 and 1440 minutes.") for k in
              escalation.validate(remind_after, managers_after, repeat_every)}
    if severity is not None and severity not in SEVERITIES:
        errors["severity"] = N_("Severity is one of critical, major, minor, info.")
    if errors:
        raise AlertError(errors)
    which = EscalationPolicy.severity == severity if severity else col(EscalationPolicy.severity).is_(None)
    row = session.exec(select(EscalationPolicy).where(which)).first()
    before = _policy_dict(row) if row else None
    row = row or EscalationPolicy(severity=severity)
    row.remind_after_minutes, row.managers_after_minutes, row.repeat_every_minutes = (
        remind_after, managers_after, repeat_every)
    row.updated_at, row.updated_by = now, actor
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="alert.policy", object_type="escalation_policy",
                 object_id=row.id or "", before=before, after=_policy_dict(row))
    return row


def delete_policy(session: Session, *, actor: str, severity: str) -> bool:
    """Drop one severity's override (the default row stays); False when there was none."""
    row = session.exec(select(EscalationPolicy).where(EscalationPolicy.severity == severity)).first()
    if row is None:
        return False
    audit.record(session, actor=actor, action="alert.policy_delete", object_type="escalation_policy",
                 object_id=row.id or "", before=_policy_dict(row))
    session.delete(row)
    return True


def _policy_dict(row: EscalationPolicy) -> dict[str, Any]:
    return {"severity": row.severity, "remind_after": row.remind_after_minutes,
            "managers_after": row.managers_after_minutes, "repeat_every": row.repeat_every_minutes}


def policy_rows(session: Session) -> list[EscalationPolicy]:
    """The stored policy rows: the default first, then overrides by severity order."""
    rows = list(session.exec(select(EscalationPolicy)))
    order = {None: -1, **{s: i for i, s in enumerate(SEVERITIES)}}
    return sorted(rows, key=lambda r: order.get(r.severity, 99))


def candidates(session: Session) -> list[Person]:
    """Who an alert may be reassigned to: active leaders, managers and watchers, by role then name."""
    rank = {"leader": 0, "manager": 1, "watcher": 2}
    people = session.exec(select(Person).where(Person.active == True))  # noqa: E712
    return sorted(people, key=lambda p: (rank.get(p.role, 3), p.display_name))
