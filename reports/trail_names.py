"""What the audit trail's sentences are told with: who did it (a person's name, not a username) and what it was done
to (a roster version by its number and period, a check by its name, a leave by whose it is and its dates…).

Names are read in one batch per page of events (one query for the people, one per kind of object on the page):
the trail pages through tens of thousands of events and its exports stream them a thousand at a time. An object
that is gone is told from the event's own snapshot when it holds a name, else as "#id (deleted)".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import select
from sqlmodel import Session

from alerts.models import Alert, Channel, EscalationPolicy, Handover, Integration, Notification
from alerts.words import SEVERITY_LABELS
from desk.models import ApiToken, Person
from monitoring.models import Check, MaintenanceWindowRow
from roster import words
from roster.models import FeedToken, HolidayDay, LeaveRequest, Preference, RosterVersion, SwapRequest

Record = Mapping[str, Any]
People = dict[int, tuple[str, str]]  # person id -> (username, display name)

# The kinds of object, as a reader calls them (the filter's choices, and the noun of a deleted object).
KIND_NOUNS: dict[str, Any] = {
    "roster_version": _l("roster version"), "roster_settings": _l("roster settings"), "leave": _l("leave request"),
    "swap": _l("shift swap"), "preference": _l("wish"), "check": _l("patrol check"),
    "maintenance": _l("maintenance window"), "person": _l("account"), "api_token": _l("API token"),
    "feed_token": _l("calendar feed link"), "alert": _l("alert"), "handover": _l("handover"),
    "report_settings": _l("report settings"), "channel": _l("notification channel"),
    "integration": _l("integration"), "notification": _l("notification"),
    "escalation_policy": _l("escalation policy"), "holiday": _l("holiday calendar"),
}


def period(start: Any, end: Any) -> str:
    """'2027-01-01 – 01-31' (the end's year only when it differs)."""
    start, end = _day(start), _day(end)
    if start is None or end is None:
        return str(start or end or "")
    if end == start:
        return start.isoformat()
    tail = end.strftime("%m-%d") if end.year == start.year else end.isoformat()
    return pgettext("period", "%(start)s – %(end)s", start=start.isoformat(), end=tail)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _name(people: People, person_id: Any) -> str | None:
    return people[person_id][1] if person_id in people else None


# --- one phrase per kind, from a row (or the event's snapshot); None when the record lacks what it needs -----------

def _roster_version(r: Record, people: People) -> str | None:
    if "start" not in r:
        return None
    if r.get("number"):
        return _("roster version %(n)s (%(period)s)", n=r["number"], period=period(r["start"], r.get("end")))
    return _("the roster draft (%(period)s)", period=period(r["start"], r.get("end")))


def _leave(r: Record, people: People) -> str | None:
    name = _name(people, r.get("person_id"))
    if name is None or "start" not in r:
        return None
    return _("%(name)s's leave (%(period)s)", name=name, period=period(r["start"], r.get("end")))


def _swap(r: Record, people: People) -> str | None:
    name, other = _name(people, r.get("requester_id")), _name(people, r.get("target_id"))
    if name is None or other is None or not r.get("requester_day"):
        return None
    days = _day(r["requester_day"])
    given = days.strftime("%m-%d") if days else ""
    back = _day(r.get("target_day"))
    span = f"{given} ↔ {back:%m-%d}" if back else given
    return _("%(name)s's shift swap with %(other)s (%(days)s)", name=name, other=other, days=span)


def _preference(r: Record, people: People) -> str | None:
    name = _name(people, r.get("person_id"))
    if name is None:
        return None
    if r.get("day"):
        return _("%(name)s's wish for %(day)s", name=name, day=str(r["day"])[:10])
    return _("%(name)s's wish", name=name)


def _named(template: Any) -> Callable[[Record, People], str | None]:
    """A phrase for an object known by its name (a check, a channel), its title (an alert) or its reason."""
    def phrase(r: Record, people: People) -> str | None:
        text = r.get("name") or r.get("title") or r.get("reason")
        return str(template) % {"name": str(text)[:60]} if text else None
    return phrase


def _person(r: Record, people: People) -> str | None:
    return r.get("display_name") or r.get("username") or None


def _api_token(r: Record, people: People) -> str | None:
    name = _name(people, r.get("person_id"))
    return _("API token “%(label)s” of %(name)s", label=r["label"], name=name) if name and r.get("label") else None


def _feed_token(r: Record, people: People) -> str | None:
    name = _name(people, r.get("person_id"))
    return _("%(name)s's calendar feed link", name=name) if name else None


def _handover(r: Record, people: People) -> str | None:
    if not r.get("shift_day"):
        return None
    shift = words.shift_word(words.babel(), str(r.get("shift_code") or ""))
    return _("the handover after the %(shift)s shift of %(day)s", shift=shift, day=r["shift_day"])


def _policy(r: Record, people: People) -> str | None:
    if "severity" not in r:
        return None
    if r["severity"] is None:
        return _("the default escalation policy")
    severity = SEVERITY_LABELS.get(r["severity"], r["severity"])
    return _("the escalation policy for %(severity)s alerts", severity=severity)


def _notification(r: Record, people: People) -> str | None:
    return _("the notification about alert “%(title)s”", title=r["title"]) if r.get("title") else None


def _holiday(r: Record, people: People) -> str | None:
    if "kind" not in r or not r.get("day"):
        return None
    day = str(r["day"])[:10]
    if r["kind"] == "workday":
        return _("the working day %(day)s %(name)s", day=day, name=r.get("name") or "").strip()
    return _("the holiday %(day)s %(name)s", day=day, name=r.get("name") or "").strip()


PHRASES: dict[str, Callable[[Record, People], str | None]] = {
    "roster_version": _roster_version, "leave": _leave, "swap": _swap, "preference": _preference,
    "check": _named(_l("patrol check “%(name)s”")), "maintenance": _named(_l("maintenance window “%(name)s”")),
    "person": _person, "api_token": _api_token, "feed_token": _feed_token, "alert": _named(_l("alert “%(name)s”")),
    "handover": _handover, "channel": _named(_l("notification channel “%(name)s”")),
    "integration": _named(_l("integration “%(name)s”")), "notification": _notification,
    "escalation_policy": _policy, "holiday": _holiday,
}


# --- one query per kind: the rows named on a page, by their id as the trail stores it ------------------------------

def _by_id(*columns: Any) -> Callable[[Session, list[str]], dict[str, Record]]:
    key = columns[0]

    def load(session: Session, ids: list[str]) -> dict[str, Record]:
        numbers = [int(i) for i in ids if i.isdigit()]
        rows = session.execute(select(*columns).where(key.in_(numbers))).mappings() if numbers else []
        return {str(row["id"]): row for row in rows}
    return load


def _holidays(session: Session, ids: list[str]) -> dict[str, Record]:
    days = [d for d in (_day(i) for i in ids) if d is not None]
    rows = session.execute(select(HolidayDay.day, HolidayDay.kind, HolidayDay.name)
                           .where(HolidayDay.day.in_(days))).mappings() if days else []
    return {row["day"].isoformat(): row for row in rows}


def _notifications(session: Session, ids: list[str]) -> dict[str, Record]:
    numbers = [int(i) for i in ids if i.isdigit()]
    query = (select(Notification.id, Alert.title).join(Alert, Alert.id == Notification.alert_id, isouter=True)
             .where(Notification.id.in_(numbers)))
    return {str(row["id"]): row for row in session.execute(query).mappings()} if numbers else {}


LOADERS: dict[str, Callable[[Session, list[str]], dict[str, Record]]] = {
    "roster_version": _by_id(RosterVersion.id, RosterVersion.number, RosterVersion.start, RosterVersion.end),
    "leave": _by_id(LeaveRequest.id, LeaveRequest.person_id, LeaveRequest.start, LeaveRequest.end),
    "swap": _by_id(SwapRequest.id, SwapRequest.requester_id, SwapRequest.target_id, SwapRequest.requester_day,
                   SwapRequest.target_day),
    "preference": _by_id(Preference.id, Preference.person_id, Preference.day),
    "check": _by_id(Check.id, Check.name), "maintenance": _by_id(MaintenanceWindowRow.id, MaintenanceWindowRow.reason),
    "person": _by_id(Person.id, Person.username, Person.display_name),
    "api_token": _by_id(ApiToken.id, ApiToken.person_id, ApiToken.label),
    "feed_token": _by_id(FeedToken.id, FeedToken.person_id), "alert": _by_id(Alert.id, Alert.title),
    "handover": _by_id(Handover.id, Handover.shift_day, Handover.shift_code),
    "channel": _by_id(Channel.id, Channel.name), "integration": _by_id(Integration.id, Integration.name),
    "notification": _notifications, "escalation_policy": _by_id(EscalationPolicy.id, EscalationPolicy.severity),
    "holiday": _holidays,
}


class Names:
    """The names of the people and objects of a batch of audit events (``resolve`` reads them)."""

    def __init__(self, people: People, rows: dict[tuple[str, str], Record]) -> None:
        self.people = people
        self.by_username = dict(people.values())
        self.rows = rows

    def who(self, username: str) -> str:
        """The display name of the person with this username; the desk's own actors by what they are."""
        if username == "system":
            return pgettext("actor", "the system")
        if username == "cli":
            return pgettext("actor", "the command line")
        return self.by_username.get(username, username)

    def what(self, event: Any) -> str:
        """The event's object told with its name; from the event's snapshot when the row is gone; else '#id'."""
        kind, oid = event.object_type, str(event.object_id or "")
        if not oid:
            return ""
        phrase = PHRASES.get(kind)
        if phrase is None:
            return f"{KIND_NOUNS.get(kind, kind)} #{oid}"
        row = self.rows.get((kind, oid))
        told = phrase(row, self.people) if row is not None else None
        told = told or phrase(event.before or event.after or {}, self.people) or _snapshot_of_import(event)
        return str(told or _("%(kind)s #%(id)s (deleted)", kind=KIND_NOUNS.get(kind, kind), id=oid))


def _snapshot_of_import(event: Any) -> str | None:
    """A holiday import is filed under the file it came from."""
    return f"“{event.object_id}”" if event.action == "holiday.import" else None


def resolve(session: Session, events: Iterable[Any]) -> Names:
    """The names a batch of events needs: the people once, then each kind's rows in one query."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in LOADERS and event.object_id:
            wanted.setdefault(event.object_type, set()).add(str(event.object_id))
    people: People = {row.id: (row.username, row.display_name)
                      for row in session.execute(select(Person.id, Person.username, Person.display_name))}
    rows = {(kind, oid): row for kind, ids in wanted.items()
            for oid, row in LOADERS[kind](session, sorted(ids)).items()}
    return Names(people, rows)
