"""Sessions that really end: the cookies held before logout, a password change, a manager's reset, a role change
or a deactivation open nothing afterwards (pages: the login page; API: 401)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from desk import accounts, sessions
from desk.app import create_app
from desk.models import LoginSession, Person
from tests.conftest import PASSWORD, TEST_SECRET, csrf_token, login, page_csrf

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _cookies(client: FlaskClient) -> dict[str, str]:
    """The cookies a thief could have copied from this browser."""
    return {c.key: c.value for c in client._cookies.values()}  # type: ignore[attr-defined]


def _replay(app, cookies: dict[str, str]) -> tuple[int, int]:
    """A fresh browser holding the copied cookies: (status of a page, status of the API)."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    page = thief.get("/", headers={"Accept": "text/html"})
    api = thief.get("/api/v1/me")
    if page.status_code == 302:
        assert "/login" in page.location
    return page.status_code, api.status_code


def _remembered_login(client: FlaskClient, username: str, password: str = PASSWORD):
    token = page_csrf(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "remember": "y",
                                       "csrf_token": token})


def _only_remember_cookie(cookies: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in cookies.items() if k == "remember_token"}


def test_cookies_copied_before_logout_open_nothing(app, client, make_person):
    make_person("li")
    assert _remembered_login(client, "li").status_code == 302
    copied = _cookies(client)
    assert "session" in copied and "remember_token" in copied
    assert _replay(app, copied) == (200, 200)
    assert _replay(app, _only_remember_cookie(copied)) == (200, 200)  # the browser was closed: remember-me
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    assert _replay(app, copied) == (302, 401)
    assert _replay(app, _only_remember_cookie(copied)) == (302, 401)


def test_password_change_ends_the_other_sessions_only(app, client, make_person):
    make_person("li")
    other = app.test_client()
    login(other, "li")
    elsewhere = _cookies(other)
    login(client, "li")
    page = client.get("/account/password").get_data(as_text=True)
    r = client.post("/account/password", data={"csrf_token": csrf_token(page), "current": PASSWORD,
                                                "new": "new-pass-123", "confirm": "new-pass-123"})
    assert r.status_code == 302
    assert _replay(app, elsewhere) == (302, 401)
    assert client.get("/").status_code == 200  # the session that changed it goes on


@pytest.mark.parametrize("event", ["reset", "role", "deactivate"])
def test_manager_actions_end_every_session(app, client, make_person, login_as, event):
    make_person("li", role="watcher")
    victim = app.test_client()
    _remembered_login(victim, "li")
    copied = _cookies(victim)
    login_as("manager", "boss")
    person_id = _person_id(app, "li")
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    token = csrf_token(page)
    if event == "reset":
        r = client.post(f"/people/{person_id}/password", data={"csrf_token": token, "password": "another-pass-1"})
    elif event == "role":
        r = client.post(f"/people/{person_id}", data={"csrf_token": token, "display_name": "Li", "role": "leader",
                                                      "skills": ["info"], "team_code": "A"})
    else:
        r = client.post(f"/people/{person_id}/active", data={"csrf_token": token})
    assert r.status_code == 302
    assert _replay(app, copied) == (302, 401)
    assert _replay(app, _only_remember_cookie(copied)) == (302, 401)


def test_an_edit_that_keeps_the_role_keeps_the_sessions(app, client, make_person, login_as):
    make_person("li", role="watcher")
    victim = app.test_client()
    login(victim, "li")
    login_as("manager", "boss")
    person_id = _person_id(app, "li")
    token = csrf_token(client.get(f"/people/{person_id}").get_data(as_text=True))
    client.post(f"/people/{person_id}", data={"csrf_token": token, "display_name": "Li Renamed",
                                              "role": "watcher", "skills": ["info"], "team_code": "A"})
    assert victim.get("/").status_code == 200


def _person_id(app, username: str) -> int:
    from desk.db import session_scope

    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return session.exec(select(Person.id).where(Person.username == username)).one()


def test_people_see_their_sessions_and_end_the_others(app, client, make_person):
    make_person("li")
    other = app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "OtherBrowser/1.0"
    login(other, "li")
    client.environ_base["HTTP_USER_AGENT"] = "ThisBrowser/2.0"
    login(client, "li")
    page = client.get("/account/password").get_data(as_text=True)
    assert "OtherBrowser/1.0" in page and "ThisBrowser/2.0" in page and "This session" in page
    end_url = re.search(r'action="(/account/sessions/\d+/end)"', page).group(1)
    assert client.post(end_url, data={"csrf_token": csrf_token(page)}).status_code == 302
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    login(other, "li")
    page = client.get("/account/password").get_data(as_text=True)
    assert client.post("/account/sessions/end-others", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert other.get("/").status_code == 302 and client.get("/").status_code == 200


def test_a_person_cannot_end_someone_elses_session(app, client, make_person, db):
    make_person("li")
    make_person("wang")
    victim = app.test_client()
    login(victim, "wang")
    login(client, "li")
    wang_session = db.exec(select(LoginSession).join(Person).where(Person.username == "wang")).one()
    page = client.get("/account/password").get_data(as_text=True)
    client.post(f"/account/sessions/{wang_session.id}/end", data={"csrf_token": csrf_token(page)})
    assert victim.get("/").status_code == 200


def test_remember_cookie_is_new_per_login_lax_and_14_days(app, client, make_person, db):
    make_person("li")
    first = _remember_cookie(_remembered_login(client, "li"))
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    second = _remember_cookie(_remembered_login(client, "li"))
    assert first.split(";")[0] != second.split(";")[0]
    assert "SameSite=Lax" in second and "HttpOnly" in second and "Secure" not in second  # testing: plain http
    created = db.exec(select(LoginSession.created_at)).one()  # the server's clock at login, not the test's
    assert abs(_expires(second) - created - timedelta(days=14)) < timedelta(minutes=1)


def _remember_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))


def _expires(cookie: str) -> datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))


def test_cookies_are_secure_in_production(db_url, make_person):
    app = create_app({"DATABASE_URL": db_url, "DUTYDESK_ENV": "production", "DUTYDESK_SECRET_KEY": TEST_SECRET})
    try:
        make_person("li")
        client = app.test_client()
        response = _remembered_login(client, "li")
        cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(("session=", "remember_token="))]
        assert len(cookies) == 2 and all("Secure" in c for c in cookies)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["dutydesk.engine"].dispose()


def test_session_expiry_and_last_seen_written_at_most_once_a_minute(db):
    person = Person(username="li", display_name="Li", role="watcher")
    db.add(person)
    db.flush()
    opened = sessions.open_session(db, person=person, now=NOW)
    row = sessions.check_session(db, token=opened.token, now=NOW + timedelta(seconds=59))
    assert row is not None and row.last_seen_at == NOW  # not written: less than a minute
    row = sessions.check_session(db, token=opened.token, now=NOW + timedelta(minutes=2))
    assert row.last_seen_at == NOW + timedelta(minutes=2)
    assert sessions.check_session(db, token=opened.token, now=NOW + timedelta(hours=15)) is None  # idle too long
    remembered = sessions.open_session(db, person=person, now=NOW, remember=True)
    later = NOW + timedelta(days=13)
    assert sessions.check_session(db, token=remembered.token, now=later) is not None
    assert sessions.check_session(db, token=remembered.token, now=NOW + timedelta(days=14, minutes=1)) is None
    assert sessions.check_session(db, token="", now=NOW) is None
    assert sessions.check_session(db, token="x" * 500, now=NOW) is None


def test_only_the_token_hash_is_stored(app, client, make_person, db):
    make_person("li")
    login(client, "li")
    with client.session_transaction() as cookie_session:
        token = cookie_session["_user_id"]
    stored = db.exec(select(LoginSession.token_hash)).one()
    assert stored == sessions.hash_secret(token) and token not in stored
    assert not token.isdigit()  # the cookie carries the session's random token, never the person's id


def test_deactivated_person_with_a_session_row_is_refused(app, client, make_person, db):
    make_person("li")
    login(client, "li")
    person = accounts.get_by_username(db, "li")
    person.active = False  # behind the service's back: the loader still refuses an inactive person
    db.add(person)
    db.commit()
    assert client.get("/").status_code == 302
