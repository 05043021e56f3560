"""People and their accounts: validation, creation, edits, passwords, login throttling and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from desk import audit
from desk.models import ROLES, SKILLS, TEAMS, ApiToken, LoginFailure, Person
from desk.settings import LANGUAGES
from desk.timeutil import as_utc, utcnow


def N_(message: str) -> str:
    """Mark a message for translation; the view translates it when it shows it."""
    return message

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 8
EDITABLE = ("display_name", "role", "skills", "team_code", "phone", "email", "language")


class AccountError(ValueError):
    """Input that cannot be saved; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class LoginLocked(RuntimeError):
    """Too many failed logins from one address; ``until`` says when it may try again."""

    def __init__(self, until: datetime):
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class PersonFields:
    """What a manager types for a person (the password only when creating or resetting)."""

    username: str
    display_name: str
    role: str
    skills: tuple[str, ...] = ()
    team_code: str | None = None
    phone: str = ""
    email: str = ""
    language: str = ""


def normalise_skills(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``"comms, info"`` or a list → the canonical tuple of skill codes (info first, then comms)."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = {s.strip() for s in items if s.strip()}
    return tuple(sorted(wanted, key=lambda s: (SKILLS.index(s) if s in SKILLS else len(SKILLS), s)))


def validate_fields(fields: PersonFields) -> dict[str, str]:
    """Check a person's fields without touching the database; returns field → message."""
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(fields.username):
        errors["username"] = N_("2–64 characters: lower-case letters, digits, '.', '_' or '-'.")
    if not fields.display_name.strip():
        errors["display_name"] = N_("A name is required.")
    if fields.role not in ROLES:
        errors["role"] = N_("Choose a role: manager, leader or watcher.")
    unknown = [s for s in fields.skills if s not in SKILLS]
    if unknown:
        errors["skills"] = N_("Skills are info and comms only.")
    elif fields.role == "watcher" and not fields.skills:
        errors["skills"] = N_("A watcher needs at least one skill (info or comms).")
    errors.update(_team_errors(fields))
    if fields.email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", fields.email):
        errors["email"] = N_("This is not an e-mail address.")
    if fields.language and fields.language not in LANGUAGES:
        errors["language"] = N_("Choose zh_CN or en.")
    return errors


def _team_errors(fields: PersonFields) -> dict[str, str]:
    if fields.team_code and fields.team_code not in TEAMS:
        return {"team_code": N_("Team must be A, B, C or D.")}
    if fields.role == "manager" and fields.team_code:
        return {"team_code": N_("Managers do not belong to a team.")}
    return {}


def password_errors(password: str) -> dict[str, str]:
    """Check a new password; returns ``{"password": message}`` when it is too weak."""
    if len(password) < MIN_PASSWORD:
        return {"password": N_("At least 8 characters.")}
    return {}


def snapshot(person: Person) -> dict[str, Any]:
    """The audited view of a person (never the password hash)."""
    return {k: getattr(person, k) for k in ("username", "active", *EDITABLE)}


def get_by_username(session: Session, username: str) -> Person | None:
    """The person with this username, or None."""
    return session.exec(select(Person).where(Person.username == username)).first()


def list_people(session: Session, *, include_inactive: bool = True, team_code: str | None = None) -> list[Person]:
    """Everyone (or one team's members), ordered by team, role and name."""
    query = select(Person).order_by(Person.team_code, Person.role, Person.username)
    if not include_inactive:
        query = query.where(Person.active == True)  # noqa: E712 (SQL expression)
    if team_code:
        query = query.where(Person.team_code == team_code)
    return list(session.exec(query))


def count_by_role(session: Session) -> dict[str, int]:
    """How many active people each role has (roles nobody has are left out)."""
    query = select(Person.role, func.count()).where(Person.active == True).group_by(Person.role)  # noqa: E712
    return dict(session.exec(query).all())


def create_person(session: Session, *, actor: str, fields: PersonFields, password: str) -> Person:
    """Create a person with a hashed password; raise :class:`AccountError` on bad input."""
    errors = validate_fields(fields) | password_errors(password)
    if "username" not in errors and get_by_username(session, fields.username):
        errors["username"] = N_("This username is taken.")
    if errors:
        raise AccountError(errors)
    person = Person(**_row_values(fields), password_hash=generate_password_hash(password))
    session.add(person)
    session.flush()
    audit.record(session, actor=actor, action="person.create", object_type="person",
                 object_id=person.id or "", after=snapshot(person))
    return person


def _row_values(fields: PersonFields) -> dict[str, Any]:
    return {
        "username": fields.username,
        "display_name": fields.display_name.strip(),
        "role": fields.role,
        "skills": ",".join(fields.skills),
        "team_code": fields.team_code or None,
        "phone": fields.phone.strip(),
        "email": fields.email.strip(),
        "language": fields.language,
    }


def update_person(session: Session, *, actor: str, person: Person, fields: PersonFields) -> Person:
    """Save a manager's edit of a person (the username stays); raise :class:`AccountError` on bad input."""
    errors = validate_fields(replace(fields, username=person.username))
    if errors:
        raise AccountError(errors)
    before = snapshot(person)
    values = _row_values(fields)
    for key in EDITABLE:
        setattr(person, key, values[key])
    session.add(person)
    audit.record(session, actor=actor, action="person.update", object_type="person",
                 object_id=person.id or "", before=before, after=snapshot(person))
    return person


def set_active(session: Session, *, actor: str, person: Person, active: bool) -> Person:
    """Activate or deactivate a person; a deactivated person cannot log in nor be rostered."""
    before = snapshot(person)
    person.active = active
    session.add(person)
    action = "person.activate" if active else "person.deactivate"
    audit.record(session, actor=actor, action=action, object_type="person",
                 object_id=person.id or "", before=before, after=snapshot(person))
    return person


def reset_password(session: Session, *, actor: str, person: Person, password: str) -> None:
    """Set a new password chosen by a manager (or the CLI)."""
    errors = password_errors(password)
    if errors:
        raise AccountError(errors)
    person.password_hash = generate_password_hash(password)
    session.add(person)
    audit.record(session, actor=actor, action="person.reset_password", object_type="person",
                 object_id=person.id or "")


def change_password(session: Session, *, person: Person, current: str, new: str) -> None:
    """A person changes their own password, proving the current one first."""
    if not check_password_hash(person.password_hash, current):
        raise AccountError({"current": N_("The current password is wrong.")})
    errors = password_errors(new)
    if errors:
        raise AccountError({"new": errors["password"]})
    person.password_hash = generate_password_hash(new)
    session.add(person)
    audit.record(session, actor=person.username, action="person.change_password",
                 object_type="person", object_id=person.id or "")


def set_language(session: Session, *, person: Person, language: str) -> None:
    """Remember a person's preferred interface language."""
    if language not in LANGUAGES:
        raise AccountError({"language": N_("Choose zh_CN or en.")})
    person.language = language
    session.add(person)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime | None = None,
    max_failures: int = 5,
    lock_minutes: int = 15,
) -> Person | None:
    """The active person whose password matches, else None; raise :class:`LoginLocked` after too many failures.

    Failures are counted per address over the lock window, so guessing from one place is slowed down
    without letting a stranger lock a colleague out from elsewhere.
    """
    now = now or utcnow()
    since = now - timedelta(minutes=lock_minutes)
    failures = session.exec(
        select(func.count(), func.max(LoginFailure.at))
        .where(LoginFailure.address == address, LoginFailure.at >= since.replace(tzinfo=None))
    ).one()
    if failures[0] >= max_failures:
        raise LoginLocked(until=as_utc(failures[1]) + timedelta(minutes=lock_minutes))
    person = get_by_username(session, username.strip().lower())
    if person and person.active and check_password_hash(person.password_hash, password):
        return person
    session.add(LoginFailure(address=address, username=username[:64], at=now))
    return None


def clear_failures(session: Session, *, address: str) -> None:
    """Forget an address's failures after it logged in successfully."""
    for row in session.exec(select(LoginFailure).where(LoginFailure.address == address)):
        session.delete(row)


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, *, actor: str, person: Person, label: str) -> str:
    """Create a personal API token and return its secret, which is shown once and never stored."""
    if not label.strip():
        raise AccountError({"label": N_("A label is required.")})
    secret = "ddt_" + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id or 0, label=label.strip(), token_hash=_hash_token(secret))
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="token.create", object_type="api_token",
                 object_id=token.id or "", after={"username": person.username, "label": token.label})
    return secret


def person_for_token(session: Session, *, secret: str, now: datetime | None = None) -> Person | None:
    """The active owner of an unrevoked token, or None; records when the token was last used."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(secret))).first()
    if token is None or token.revoked:
        return None
    person = session.get(Person, token.person_id)
    if person is None or not person.active:
        return None
    token.last_used_at = now or utcnow()
    session.add(token)
    return person
