from desk import accounts
from desk.demo import DEMO_PASSWORD, DEMO_PEOPLE
from tests.conftest import login


def test_users_create_and_list(runner, db):
    r = runner.invoke(args=["users", "create", "--username", "Boss", "--name", "郭华", "--role", "manager",
                            "--password", "manager-pass-1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["users", "create", "--username", "zhang", "--name", "张伟", "--role", "leader",
                            "--skills", "info,comms", "--team", "A", "--password-stdin"],
                      input="leader-pass-1\n")
    assert r.exit_code == 0, r.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "boss" in listing and "zhang" in listing and "info,comms" in listing
    assert accounts.get_by_username(db, "zhang").team_code == "A"


def test_users_create_refuses_bad_input(runner):
    r = runner.invoke(args=["users", "create", "--username", "x", "--name", "X", "--role", "watcher",
                            "--password", "short"])
    assert r.exit_code == 2
    assert "username" in r.output and "password" in r.output and "skill" in r.output


def test_tokens_create_prints_a_working_token(runner, client, make_person):
    make_person("li")
    r = runner.invoke(args=["tokens", "create", "--username", "li", "--label", "grafana"])
    secret = r.output.strip()
    assert r.exit_code == 0 and secret.startswith("ddt_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert runner.invoke(args=["tokens", "create", "--username", "ghost", "--label", "x"]).exit_code == 2


def test_demo_load_is_idempotent(runner, client, db):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "zhangwei" in first.output and DEMO_PASSWORD in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "already present" in second.output
    people = accounts.list_people(db)
    assert len(people) == len(DEMO_PEOPLE) >= 16
    by_role = {r: sum(p.role == r for p in people) for r in ("leader", "watcher", "manager")}
    assert by_role == {"leader": 4, "watcher": 10, "manager": 2}
    assert sum(1 for p in people if p.role == "watcher" and not p.team_code and p.skill_set == {"info", "comms"}
               ) == 2
    assert login(client, "zhangwei", DEMO_PASSWORD).status_code == 302


def test_demo_load_if_empty_leaves_a_real_desk_alone(runner, make_person, db):
    make_person("real")
    r = runner.invoke(args=["demo", "load-if-empty"])
    assert "not loaded" in r.output
    assert [p.username for p in accounts.list_people(db)] == ["real"]
