import pytest

from desk import accounts


def test_me_with_session(client, login_as):
    login_as("leader", "zhang", team="A")
    data = client.get("/api/v1/me").get_json()
    assert data["username"] == "zhang" and data["role"] == "leader" and data["skills"] == ["info", "comms"]
    assert "password_hash" not in data


def test_me_with_bearer_token(client, make_person, db):
    make_person("li")
    secret = accounts.create_token(db, actor="test", person=accounts.get_by_username(db, "li"), label="ci")
    db.commit()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.get_json()["username"] == "li"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer ddt_wrong"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"


def test_token_is_stored_hashed(db, make_person):
    from sqlmodel import select

    from desk.models import ApiToken

    make_person("li")
    secret = accounts.create_token(db, actor="test", person=accounts.get_by_username(db, "li"), label="x")
    stored = db.exec(select(ApiToken)).one()
    assert secret not in stored.token_hash and len(stored.token_hash) == 64


@pytest.mark.parametrize("path,status", [("/api/v1/me", 401), ("/api/v1/nothing-here", 404)])
def test_api_errors_are_json(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    assert r.is_json and set(r.get_json()["error"]) == {"code", "message"}


def test_api_post_with_session_needs_csrf_header(client, login_as):
    login_as("leader")
    r = client.post("/api/v1/me")
    assert r.status_code in (400, 405)
    assert r.is_json


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_healthz_503_when_database_is_gone(tmp_path):
    from desk.app import create_app

    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": "t" * 32})
    r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "error"
