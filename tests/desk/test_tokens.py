"""API tokens: the CLI lists, revokes and makes expiring ones; a person sees, makes and revokes their own."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from desk import accounts
from desk.models import ApiToken
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]
PAST = datetime(2020, 1, 1, tzinfo=UTC)


def _me(client, secret: str) -> int:
    return client.application.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                                                ).status_code


def test_cli_lists_and_revokes_tokens(runner, client, make_person):
    make_person("li")
    make_person("wang")
    secret = runner.invoke(args=["tokens", "create", "--username", "li", "--label", "grafana"]).output.strip()
    runner.invoke(args=["tokens", "create", "--username", "wang", "--label", "backup", "--expires-days", "30"])
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "grafana" in listing and "backup" in listing and secret not in listing
    only_li = runner.invoke(args=["tokens", "list", "--username", "li"]).output
    assert "grafana" in only_li and "backup" not in only_li
    token_id = re.search(r"^\s*(\d+)\s+li\s", only_li, re.M).group(1)
    assert _me(client, secret) == 200
    revoked = runner.invoke(args=["tokens", "revoke", token_id])
    assert revoked.exit_code == 0 and _me(client, secret) == 401
    assert "revoked" in runner.invoke(args=["tokens", "list", "--username", "li"]).output
    again = runner.invoke(args=["tokens", "revoke", token_id])
    assert again.exit_code == 2 and "no live token" in again.output
    assert runner.invoke(args=["tokens", "revoke", "99999999999999999999"]).exit_code == 2
    assert runner.invoke(args=["tokens", "list", "--username", "ghost"]).exit_code == 2


def test_cli_refuses_silly_expiry(runner, make_person):
    make_person("li")
    r = runner.invoke(args=["tokens", "create", "--username", "li", "--label", "x", "--expires-days", "0"])
    assert r.exit_code == 2


def test_expired_tokens_open_nothing(client, make_person, db, runner):
    make_person("li")
    person = accounts.get_by_username(db, "li")
    secret = accounts.create_token(db, actor="test", person=person, label="old", expires_days=1, now=PAST)
    db.commit()
    assert _me(client, secret) == 401
    assert "expired" in runner.invoke(args=["tokens", "list"]).output


def test_a_person_makes_sees_and_revokes_their_own_tokens(client, login_as, db, make_person):
    make_person("wang")
    other = accounts.create_token(db, actor="test", person=accounts.get_by_username(db, "wang"), label="wangs")
    db.commit()
    login_as("watcher", "li")
    page = client.get("/account/password").get_data(as_text=True)
    assert "wangs" not in page and "No tokens yet" in page
    made = client.post("/account/tokens", data={"csrf_token": csrf_token(page), "label": "my script",
                                                 "expires_days": "7"})
    html = made.get_data(as_text=True)
    secret = re.search(r'value="(ddt_[^"]+)" id="new-token-value"', html).group(1)
    assert made.status_code == 200 and secret.startswith("ddt_") and _me(client, secret) == 200
    again = client.get("/account/password").get_data(as_text=True)
    assert "my script" in again and secret not in again  # shown once
    mine = db.exec(select(ApiToken).where(ApiToken.label == "my script")).one()
    theirs = db.exec(select(ApiToken).where(ApiToken.label == "wangs")).one()
    client.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf_token(again)})
    assert _me(client, other) == 200  # not theirs to revoke
    r = client.post(f"/account/tokens/{mine.id}/revoke", data={"csrf_token": csrf_token(again)})
    assert r.status_code == 302 and _me(client, secret) == 401


def test_token_form_errors_stay_on_the_field(client, login_as):
    login_as("watcher", "li")
    page = client.get("/account/password").get_data(as_text=True)
    r = client.post("/account/tokens", data={"csrf_token": csrf_token(page), "label": "x" * 101,
                                             "expires_days": "-3"})
    assert r.status_code == 422 and 'value="' + "x" * 101 in r.get_data(as_text=True)


def test_cli_without_a_secret_prints_one_line_and_exits_2(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "list"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "DUTYDESK_SECRET_KEY" in r.stderr
