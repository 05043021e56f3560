"""Security review findings of the shell: headers and CSP, no inline script, CSRF only skipped for real Bearer
tokens, safe ``next=``, huge ids, oversized bodies, the database-down page, names with control characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desk.app import create_app
from desk.security import CONTENT_SECURITY_POLICY, MAX_ID
from tests.conftest import PASSWORD, TEST_SECRET, csrf_token, page_csrf

ROOT = Path(__file__).resolve().parents[2]
HUGE = "99999999999999999999"


def test_no_template_carries_inline_script_or_event_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html, re.I):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", html, re.I)]
        offenders += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", html, re.I)]
        offenders += [f"{path.name}: style attribute" for _ in re.findall(r"<[^>]*\sstyle\s*=", html, re.I)]
    assert offenders == []


def test_the_policy_allows_only_own_scripts_and_no_framing():
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_static_files_and_errors_carry_the_headers_too(client):
    for url in ("/static/desk.js", "/no-such-page", "/login"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain http in tests: no HSTS


def test_a_bogus_bearer_header_does_not_switch_off_csrf_for_a_cookie_session(client, login_as, runner):
    login_as("manager", "boss")
    bogus = client.post("/api/v1/checks/1/run", headers={"Authorization": "Bearer not-a-token"})
    assert bogus.status_code == 400 and bogus.get_json()["error"]["code"] == "csrf"
    secret = runner.invoke(args=["tokens", "create", "--username", "boss", "--label", "ci"]).output.strip()
    anonymous = client.application.test_client()
    real = anonymous.post("/api/v1/checks/1/run", headers={"Authorization": f"Bearer {secret}"})
    assert real.status_code == 404  # past CSRF (a token opened the request), and no check 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil",
                                    "/\t/evil.example", "javascript:alert(1)"])
def test_next_after_a_post_stays_on_site(client, make_person, target):
    token = page_csrf(client, "/login")
    r = client.post("/language", data={"csrf_token": token, "language": "en", "next": target})
    assert r.status_code == 302 and r.location == "/"
    make_person("li")
    r = client.post(f"/login?next={target}", data={"username": "li", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and r.location == "/"


def test_checks_enable_toggle_refuses_a_foreign_next(app, client, login_as):
    from tests.monitoring.patrol_helpers import add_check, tcp_spec

    check_id = add_check(app.extensions["dutydesk.engine"], tcp_spec("svc", 1))
    login_as("manager", "boss")
    token = page_csrf(client, "/")
    r = client.post(f"/checks/{check_id}/enabled", data={"csrf_token": token, "next": "//evil.example/"})
    assert r.status_code == 302 and r.location == f"/checks/{check_id}"
    r = client.post(f"/checks/{check_id}/enabled", data={"csrf_token": token, "next": "/checks/"})
    assert r.location == "/checks/"


def test_ids_above_the_largest_bigint_are_404_on_every_route(app, client, login_as):
    login_as("manager", "boss")
    app.config["WTF_CSRF_ENABLED"] = False
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", HUGE, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(url, method=method).status_code == 404, (method, url)
    for url in ("/checks/" + str(MAX_ID), "/roster/versions/" + str(MAX_ID), "/people/" + str(MAX_ID),
                "/api/v1/checks/" + str(MAX_ID)):
        assert client.get(url).status_code == 404, url  # the largest id still reaches the view, which says 404


def test_an_oversized_body_gets_a_clear_413(client, login_as):
    big = "x" * (3 * 1024 * 1024)
    page = client.post("/login", data={"username": "li", "password": big}, headers={"Accept": "text/html"})
    assert page.status_code == 413 and "at most 2 MB" in page.get_data(as_text=True)
    api = client.post("/api/v1/checks/1/run", data=big, content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"


def _down_app(url: str):
    return create_app({"DATABASE_URL": url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": TEST_SECRET,
                       "WTF_CSRF_ENABLED": False})


@pytest.mark.parametrize("where", ["postgres-port", "sqlite-removed-dir"])
def test_database_down_answers_503_with_retry_after(tmp_path, where):
    url = ("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2" if where == "postgres-port"
           else f"sqlite:///{tmp_path / 'gone' / 'desk.sqlite'}")
    app = _down_app(url)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/roster/feed/some-token.ics", headers={"Accept": "text/html"})  # public, reads the database
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert "database cannot be reached" in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    login_attempt = app.test_client().post("/login", data={"username": "li", "password": "whatever-1"})
    assert login_attempt.status_code == 503
    api = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer ddt_x"})
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "database_unavailable"
    assert api.headers["Retry-After"].isdigit()
    app.extensions["dutydesk.engine"].dispose()


@pytest.mark.parametrize("name,problem", [("Li\r\nSet-Cookie: x", "control characters"),
                                          ("Li\u202eevil", "control characters"), ("Li\u200b", "control characters"),
                                          ("x" * 101, "longer than 100")])
def test_display_names_refuse_control_characters_and_overlong(client, login_as, name, problem):
    login_as("manager", "boss")
    page = client.get("/people/new").get_data(as_text=True)
    r = client.post("/people/new", data={"csrf_token": csrf_token(page), "username": "li", "display_name": name,
                                         "role": "watcher", "skills": ["info"], "team_code": "A",
                                         "password": PASSWORD})
    assert r.status_code == 422 and problem in r.get_data(as_text=True)


def test_display_names_are_nfkc_normalised(client, login_as, db):
    from desk import accounts

    login_as("manager", "boss")
    page = client.get("/people/new").get_data(as_text=True)
    r = client.post("/people/new", data={"csrf_token": csrf_token(page), "username": "li",
                                         "display_name": "\uff2c\uff49 \u2460", "role": "watcher",
                                         "skills": ["info"], "team_code": "A", "password": PASSWORD})
    assert r.status_code == 302
    assert accounts.get_by_username(db, "li").display_name == "Li 1"


def test_login_refuses_an_enormous_password_without_hashing_it(client, make_person):
    make_person("li")
    token = page_csrf(client, "/login")
    r = client.post("/login", data={"username": "li", "password": "p" * 5000, "csrf_token": token})
    assert r.status_code == 400


def test_people_form_free_text_fields_are_bounded(client, login_as, db):
    from desk import accounts

    login_as("manager", "boss")
    page = client.get("/people/new").get_data(as_text=True)
    r = client.post("/people/new", data={"csrf_token": csrf_token(page), "username": "li", "display_name": "Li",
                                         "role": "watcher", "skills": ["info"], "team_code": "A",
                                         "phone": "1" * 40, "email": "a@" + "b" * 300 + ".cn", "password": PASSWORD})
    assert r.status_code == 422 and accounts.get_by_username(db, "li") is None
