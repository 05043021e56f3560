from sqlmodel import select

from desk import accounts
from desk.models import AuditEvent
from tests.conftest import login, page_csrf


def test_manager_creates_a_person(client, login_as, db):
    login_as("manager", "boss")
    token = page_csrf(client, "/people/new")
    r = client.post("/people/new", data={"csrf_token": token, "username": "Chen", "display_name": "陈静",
                                         "role": "watcher", "skills": ["info", "comms"], "team_code": "B",
                                         "phone": "13800000000", "email": "chen@desk.example",
                                         "language": "zh_CN", "password": "first-pass-1"})
    assert r.status_code == 302
    person = accounts.get_by_username(db, "chen")
    assert (person.display_name, person.skill_set, person.team_code) == ("陈静", {"info", "comms"}, "B")
    assert login(client.application.test_client(), "chen", "first-pass-1").status_code == 302
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "person.create")).all()[-1]
    assert event.actor == "boss" and event.after["username"] == "chen"


def test_bad_person_form_shows_errors_and_keeps_input(client, login_as):
    login_as("manager", "boss")
    token = page_csrf(client, "/people/new")
    r = client.post("/people/new", data={"csrf_token": token, "username": "boss", "display_name": "王五",
                                         "role": "watcher", "team_code": "A", "email": "not-an-address",
                                         "password": "short"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "This username is taken." in html
    assert "A watcher needs at least one skill" in html
    assert "At least 8 characters." in html
    assert 'value="王五"' in html  # what was typed is kept


def test_manager_edits_deactivates_and_resets(client, login_as, make_person, db):
    login_as("manager", "boss")
    make_person("zhou", role="watcher", skills="comms", team="C")
    pid = accounts.get_by_username(db, "zhou").id
    token = page_csrf(client, f"/people/{pid}")
    r = client.post(f"/people/{pid}", data={"csrf_token": token, "display_name": "周杰", "role": "leader",
                                            "skills": ["comms"], "team_code": "C"})
    assert r.status_code == 302
    assert client.post(f"/people/{pid}/password", data={"csrf_token": token, "password": "reset-pass-9"}
                       ).status_code == 302
    assert client.post(f"/people/{pid}/active", data={"csrf_token": token}).status_code == 302
    db.expire_all()
    zhou = accounts.get_by_username(db, "zhou")
    assert (zhou.role, zhou.display_name, zhou.active) == ("leader", "周杰", False)
    actions = {e.action for e in db.exec(select(AuditEvent))}
    assert {"person.update", "person.reset_password", "person.deactivate"} <= actions


def test_manager_team_is_refused(client, login_as):
    login_as("manager", "boss")
    token = page_csrf(client, "/people/new")
    r = client.post("/people/new", data={"csrf_token": token, "username": "m2", "display_name": "M",
                                         "role": "manager", "team_code": "A", "password": "long-enough"})
    assert r.status_code == 422 and "Managers do not belong to a team." in r.get_data(as_text=True)


def test_unknown_person_is_404(client, login_as):
    login_as("manager", "boss")
    assert client.get("/people/999").status_code == 404
