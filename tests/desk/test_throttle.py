"""Login throttling: per account, per address and per pair, atomic under parallel attempts, no username oracle."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from desk import accounts, throttle
from desk.app import create_app
from tests.conftest import PASSWORD, TEST_SECRET

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
LIMIT = 5  # DUTYDESK_LOGIN_MAX_FAILURES default


def _attempt(client, username: str, password: str, address: str = "10.0.0.1", **headers: str) -> int:
    """One login attempt from ``address`` (CSRF off in these tests: the limits are what is under test)."""
    response = client.post("/login", data={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address}, headers=headers)
    return response.status_code


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_one_address_guessing_one_account_is_stopped_but_the_owner_elsewhere_is_not(no_csrf, client, make_person):
    make_person("li")
    assert [_attempt(client, "li", "bad-guess") for _ in range(LIMIT)] == [401] * LIMIT
    assert _attempt(client, "li", PASSWORD) == 429  # even the right password waits, from that address
    assert _attempt(client, "li", PASSWORD, address="10.0.0.2") == 302  # the owner at their own desk


def test_spraying_one_account_from_many_addresses_is_stopped(no_csrf, client, make_person):
    make_person("li")
    for n in range(throttle.ACCOUNT_FACTOR):
        assert [_attempt(client, "li", "bad", address=f"10.1.0.{n}") for _ in range(LIMIT)] == [401] * LIMIT
    assert _attempt(client, "li", "bad", address="10.1.1.1") == 429  # a fresh address: the account is limited


def test_typos_behind_one_shared_address_do_not_lock_out_the_desk(no_csrf, client, make_person):
    for name in ("li", "wang", "zhao"):
        make_person(name)
        assert [_attempt(client, name, "typo-typo") for _ in range(LIMIT)] == [401] * LIMIT
    make_person("sun")
    assert _attempt(client, "sun", PASSWORD) == 302  # same address (an undeclared proxy), other account


def test_a_success_forgives_the_pair(no_csrf, client, make_person):
    make_person("li")
    for _ in range(2):
        assert [_attempt(client, "li", "typo-typo") for _ in range(LIMIT - 1)] == [401] * (LIMIT - 1)
        assert _attempt(client, "li", PASSWORD) == 302
        client.delete_cookie("session")  # a new browser, so the next attempt is a login again


def test_x_forwarded_for_is_ignored_unless_the_operator_declares_proxies(no_csrf, client, make_person):
    make_person("li")
    for n in range(LIMIT):
        assert _attempt(client, "li", "bad", **{"X-Forwarded-For": f"192.0.2.{n}"}) == 401
    assert _attempt(client, "li", "bad", **{"X-Forwarded-For": "192.0.2.99"}) == 429  # one address: the proxy's


def test_with_proxy_hops_each_forwarded_address_counts_for_itself(db_url, make_person):
    app = create_app({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": TEST_SECRET,
                      "DUTYDESK_PROXY_HOPS": "1", "WTF_CSRF_ENABLED": False})
    try:
        make_person("li")
        client = app.test_client()
        for _ in range(LIMIT):
            assert _attempt(client, "li", "bad", **{"X-Forwarded-For": "192.0.2.1"}) == 401
        assert _attempt(client, "li", PASSWORD, **{"X-Forwarded-For": "192.0.2.1"}) == 429
        assert _attempt(client, "li", PASSWORD, **{"X-Forwarded-For": "192.0.2.2"}) == 302
        client.delete_cookie("session")
        # a client cannot pose as another address by adding its own X-Forwarded-For in front: one hop is trusted
        spoofed = _attempt(client, "li", PASSWORD, **{"X-Forwarded-For": "192.0.2.2, 192.0.2.1"})
        assert spoofed == 429
    finally:
        app.extensions["dutydesk.engine"].dispose()


def test_forty_parallel_attempts_let_through_at_most_the_limit(no_csrf, make_person):
    make_person("li")
    barrier = threading.Barrier(40)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        client = no_csrf.test_client()
        barrier.wait(timeout=30)
        status = _attempt(client, "li", f"guess-{n}")
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(statuses) == 40
    assert statuses.count(401) <= LIMIT and statuses.count(401) + statuses.count(429) == 40


def test_unknown_usernames_are_checked_against_a_dummy_hash(app, db, make_person, monkeypatch):
    make_person("li")
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    limits = throttle.Limits.from_settings(5, 15)
    assert accounts.authenticate(db, username="nobody", password="x", address="a", limits=limits, now=NOW) is None
    assert accounts.authenticate(db, username="li", password="x", address="a", limits=limits, now=NOW) is None
    assert len(checked) == 2 and checked[0] == accounts._dummy_hash() and checked[1] != checked[0]


def test_counters_restart_after_the_window_and_address_limit_is_the_highest(app):
    engine = app.extensions["dutydesk.engine"]
    limits = throttle.Limits.from_settings(5, 15)
    assert limits.pair < limits.account < limits.address
    with engine.begin() as conn:
        verdicts = [throttle.count_attempt(conn, username=f"user{n}", address="203.0.113.9", limits=limits, now=NOW)
                    for n in range(limits.address + 1)]
    assert all(v.allowed for v in verdicts[:-1]) and not verdicts[-1].allowed
    assert verdicts[-1].until == NOW + timedelta(minutes=15)
    later = NOW + timedelta(minutes=16)
    with engine.begin() as conn:
        assert throttle.count_attempt(conn, username="user0", address="203.0.113.9", limits=limits, now=later).allowed
