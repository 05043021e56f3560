from sqlmodel import select

from desk.models import AuditEvent
from tests.conftest import PASSWORD, csrf_token, login, page_csrf


def test_login_page_has_password_manager_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_login_logout_round_trip(client, make_person):
    make_person("li", role="leader", name="李强")
    response = login(client, "li")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "李强" in home  # the header shows who is logged in
    token = csrf_token(home)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_person):
    make_person("li")
    cookie = next(c for c in login(client, "li").headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_gives_a_generic_message(client, make_person):
    make_person("li")
    wrong = login(client, "li", "nope-nope")
    unknown = login(client, "nobody", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).count("Wrong username") == 1


def test_login_without_csrf_is_refused(client, make_person):
    make_person("li")
    response = client.post("/login", data={"username": "li", "password": PASSWORD})
    assert response.status_code == 400


def test_repeated_failures_lock_the_address(client, make_person, app):
    make_person("li")
    for _ in range(app.extensions["dutydesk.settings"].login_max_failures):
        assert login(client, "li", "bad-guess").status_code == 401
    locked = login(client, "li")  # even the right password waits
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)


def test_deactivated_person_cannot_log_in(client, make_person, db):
    from desk import accounts

    make_person("li")
    person = accounts.get_by_username(db, "li")
    accounts.set_active(db, actor="test", person=person, active=False)
    db.commit()
    assert login(client, "li").status_code == 401


def test_next_parameter_stays_on_site(client, make_person):
    make_person("li")
    token = page_csrf(client, "/login")
    r = client.post("/login?next=https://evil.example/", data={"username": "li", "password": PASSWORD,
                                                               "csrf_token": token})
    assert r.location == "/"
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    token = page_csrf(client, "/login")
    r = client.post("/login?next=/account/password", data={"username": "li", "password": PASSWORD,
                                                           "csrf_token": token})
    assert r.location == "/account/password"


def test_change_own_password(client, login_as, db):
    login_as("watcher", "wang")
    page = client.get("/account/password").get_data(as_text=True)
    bad = client.post("/account/password", data={"csrf_token": csrf_token(page), "current": "wrong-one",
                                                  "new": "new-pass-123", "confirm": "new-pass-123"})
    assert bad.status_code == 422 and "current password is wrong" in bad.get_data(as_text=True)
    ok = client.post("/account/password", data={"csrf_token": csrf_token(page), "current": PASSWORD,
                                                "new": "new-pass-123", "confirm": "new-pass-123"})
    assert ok.status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    assert login(client, "wang", "new-pass-123").status_code == 302
    actions = [e.action for e in db.exec(select(AuditEvent))]
    assert "person.change_password" in actions


def test_language_switch_for_anonymous_and_logged_in(client, login_as, db):
    token = page_csrf(client, "/login")
    client.post("/language", data={"csrf_token": token, "language": "en", "next": "/login"})
    assert "Log in to the duty desk" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"csrf_token": token, "language": "zh_CN", "next": "/login"})
    assert "登录值班台" in client.get("/login").get_data(as_text=True)
    login_as("leader", "zhang")
    home = client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(home), "language": "en", "next": "/"})
    from desk import accounts

    db.expire_all()
    assert accounts.get_by_username(db, "zhang").language == "en"


def test_the_app_stores_scrypt_hashes(app, db, monkeypatch):
    """The tests hash cheaply (tests/conftest.py TEST_HASH_METHOD); the app itself stores werkzeug's scrypt."""
    from werkzeug.security import generate_password_hash

    from desk import accounts

    monkeypatch.setattr(accounts, "generate_password_hash", generate_password_hash)
    fields = accounts.PersonFields(username="hashy", display_name="Hashy", role="watcher", skills=("info",),
                                   team_code="A")
    person = accounts.create_person(db, actor="test", fields=fields, password="correct-horse-9")
    assert person.password_hash.startswith("scrypt:")
