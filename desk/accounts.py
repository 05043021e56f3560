"""People and their accounts: validation, creation, edits, passwords, login and API tokens."""

from __future__ import annotations

import functools
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from desk import audit, sessions, throttle
from desk.models import ROLES, SKILLS, TEAMS, ApiToken, Person
from desk.sessions import hash_secret
from desk.settings import LANGUAGES
from desk.timeutil import as_utc, utcnow


def N_(message: str) -> str:
    """Mark a message for translation; the view translates it when it shows it."""
    return message

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_LABEL = 100
TOO_LONG = {32: N_("At most 32 characters."), 100: N_("At most 100 characters."),
            128: N_("At most 128 characters."), 254: N_("At most 254 characters.")}
EDITABLE = ("display_name", "role", "skills", "team_code", "phone", "email", "language")


class AccountError(ValueError):
    """Input that cannot be saved; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class LoginLocked(RuntimeError):
    """Too many login attempts on an account, an address or the pair; ``until`` says when it may try again."""

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
    errors.update(_text_errors("display_name", fields.display_name, 100, required=True))
    errors.update(_text_errors("phone", fields.phone, 32))
    if fields.role not in ROLES:
        errors["role"] = N_("Choose a role: manager, leader or watcher.")
    unknown = [s for s in fields.skills if s not in SKILLS]
    if unknown:
        errors["skills"] = N_("Skills are info and comms only.")
    elif fields.role == "watcher" and not fields.skills:
        errors["skills"] = N_("A watcher needs at least one skill (info or comms).")
    errors.update(_team_errors(fields))
    if len(fields.email) > 254:
        errors["email"] = TOO_LONG[254]
    elif fields.email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", fields.email):
        errors["email"] = N_("This is not an e-mail address.")
    if fields.language and fields.language not in LANGUAGES:
        errors["language"] = N_("Choose zh_CN or en.")
    return errors


def clean_text(value: str) -> str:
    """A typed text in its canonical form: NFKC-normalised (full-width letters, compatibility forms) and stripped."""
    return unicodedata.normalize("NFKC", value).strip()


def has_control_characters(value: str) -> bool:
    """Whether a text holds control or format characters (CR/LF, tabs, zero-width, bidi overrides…)."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value)


def _text_errors(name: str, value: str, limit: int, *, required: bool = False) -> dict[str, str]:
    text = clean_text(value)
    if required and not text:
        return {name: N_("A name is required.")}
    if has_control_characters(text):
        return {name: N_("Line breaks, tabs and invisible control characters are not allowed here.")}
    if len(text) > limit:
        return {name: TOO_LONG[limit]}
    return {}


def _team_errors(fields: PersonFields) -> dict[str, str]:
    if fields.team_code and fields.team_code not in TEAMS:
        return {"team_code": N_("Team must be A, B, C, D or E.")}
    if fields.role == "manager" and fields.team_code:
        return {"team_code": N_("Managers do not belong to a team.")}
    return {}


def password_errors(password: str) -> dict[str, str]:
    """Check a new password; returns ``{"password": message}`` when it is too weak."""
    if len(password) < MIN_PASSWORD:
        return {"password": N_("At least 8 characters.")}
    if len(password) > MAX_PASSWORD:
        return {"password": TOO_LONG[MAX_PASSWORD]}
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
        "display_name": clean_text(fields.display_name),
        "role": fields.role,
        "skills": ",".join(fields.skills),
        "team_code": fields.team_code or None,
        "phone": clean_text(fields.phone),
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
    if before["role"] != person.role:  # what the open sessions were allowed to do has changed
        sessions.end_sessions(session, person_id=person.id or 0)
    audit.record(session, actor=actor, action="person.update", object_type="person",
                 object_id=person.id or "", before=before, after=snapshot(person))
    return person


def set_active(session: Session, *, actor: str, person: Person, active: bool) -> Person:
    """Activate or deactivate a person; a deactivated person cannot log in nor be rostered."""
    before = snapshot(person)
    person.active = active
    session.add(person)
    if not active:
        sessions.end_sessions(session, person_id=person.id or 0)
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
    sessions.end_sessions(session, person_id=person.id or 0)
    audit.record(session, actor=actor, action="person.reset_password", object_type="person",
                 object_id=person.id or "")


def change_password(session: Session, *, person: Person, current: str, new: str,
                    keep_session: int | None = None) -> None:
    """A person changes their own password, proving the current one first; their other sessions end."""
    if not check_password_hash(person.password_hash, current):
        raise AccountError({"current": N_("The current password is wrong.")})
    errors = password_errors(new)
    if errors:
        raise AccountError({"new": errors["password"]})
    person.password_hash = generate_password_hash(new)
    session.add(person)
    sessions.end_sessions(session, person_id=person.id or 0, keep=keep_session)
    audit.record(session, actor=person.username, action="person.change_password",
                 object_type="person", object_id=person.id or "")


def set_language(session: Session, *, person: Person, language: str) -> None:
    """Remember a person's preferred interface language."""
    if language not in LANGUAGES:
        raise AccountError({"language": N_("Choose zh_CN or en.")})
    person.language = language
    session.add(person)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, checked for unknown usernames so they answer as slowly as real ones."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    limits: throttle.Limits,
    now: datetime | None = None,
) -> Person | None:
    """The active person whose password matches, else None; raise :class:`LoginLocked` when over a limit.

    The attempt is counted (and committed) before the password is checked, per account, per address and per
    pair (see :mod:`desk.throttle`); unknown or inactive usernames are checked against a dummy hash, so the time
    taken does not tell whether a username exists.
    """
    now = now or utcnow()
    with session.get_bind().begin() as conn:  # type: ignore[union-attr]
        verdict = throttle.count_attempt(conn, username=username, address=address, limits=limits, now=now)
    if not verdict.allowed:
        raise LoginLocked(until=verdict.until or now)
    person = get_by_username(session, username.strip().lower())
    if person is None or not person.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(person.password_hash, password):
        return None
    with session.get_bind().begin() as conn:  # type: ignore[union-attr]
        throttle.forgive(conn, username=username, address=address)
    return person


def create_token(session: Session, *, actor: str, person: Person, label: str, expires_days: int | None = None,
                 now: datetime | None = None) -> str:
    """Create a personal API token and return its secret, which is shown once and never stored."""
    label = clean_text(label)
    if not label or has_control_characters(label) or len(label) > MAX_LABEL:
        raise AccountError({"label": N_("A label of 1 to 100 characters, on one line.")})
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise AccountError({"expires_days": N_("Between 1 and 3650 days.")})
    now = now or utcnow()
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    secret = "ddt_" + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id or 0, label=label, token_hash=hash_secret(secret), created_at=now,
                     expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="token.create", object_type="api_token", object_id=token.id or "",
                 after={"username": person.username, "label": token.label,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return secret


def list_tokens(session: Session, *, person_id: int | None = None) -> list[tuple[ApiToken, str]]:
    """API tokens (one person's, or everyone's) with their owner's username, newest first."""
    query = (select(ApiToken, Person.username).join(Person, col(Person.id) == ApiToken.person_id)
             .order_by(col(ApiToken.id).desc()))
    if person_id is not None:
        query = query.where(ApiToken.person_id == person_id)
    return [(token, username) for token, username in session.exec(query)]


def revoke_token(session: Session, *, actor: str, token_id: int, person_id: int | None = None) -> bool:
    """Revoke a token (only ``person_id``'s when given); False when there is no such live token."""
    query = update(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.revoked) == False)  # noqa: E712
    if person_id is not None:
        query = query.where(col(ApiToken.person_id) == person_id)
    if not session.exec(query.values(revoked=True)).rowcount:
        return False
    audit.record(session, actor=actor, action="token.revoke", object_type="api_token", object_id=token_id)
    return True


def token_is_live(token: ApiToken, now: datetime) -> bool:
    """Neither revoked nor expired."""
    return not token.revoked and (token.expires_at is None or as_utc(token.expires_at) > now)


def person_for_token(session: Session, *, secret: str, now: datetime | None = None) -> Person | None:
    """The active owner of a live (unrevoked, unexpired) token, or None; records when the token was last used."""
    now = now or utcnow()
    if not secret or len(secret) > 128:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))).first()
    if token is None or not token_is_live(token, now):
        return None
    person = session.get(Person, token.person_id)
    if person is None or not person.active:
        return None
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= sessions.TOUCH_EVERY:
        token.last_used_at = now
        session.add(token)
    return person
