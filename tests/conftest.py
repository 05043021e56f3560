"""Shared fixtures: ``app``/``client``/``runner`` as in Flask's tutorial, on SQLite and on PostgreSQL.

Every test that asks for ``app`` (or ``db_url``) runs twice: on a private SQLite copy and, when
TEST_DATABASE_URL is set, on a PostgreSQL schema emptied before the test. Browser tests run on one of the two
(see ``pytest_generate_tests``).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from desk import accounts, migrate
from desk.app import create_app
from desk.db import make_engine, session_scope
from desk.settings import load_settings
from tests import dbutil

PASSWORD = "correct-horse-9"
# Tests hash passwords with a cheap PBKDF2 instead of the app's scrypt (87 ms of CPU per hash or login check,
# over a thousand of them in a run); tests/desk/test_auth.py checks that the app itself stores scrypt hashes.
TEST_HASH_METHOD = "pbkdf2:sha256:1000"
TEST_SECRET = "test-secret-key-that-is-at-least-32-characters"  # the built-in one is refused outside development
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the catalogs when a .po is newer than its .mo, so plain `pytest` sees the translations too.

    Under pytest-xdist only the controller does it (before the workers start), and the new .mo replaces the
    old one in one step, so no process ever reads half a file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    if hasattr(session.config, "workerinput"):
        return
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            partial = mo.with_suffix(f".mo.{os.getpid()}")
            with po.open("rb") as source, partial.open("wb") as target:
                write_mo(target, read_po(source), use_fuzzy=True)
            partial.replace(mo)


def cheap_hash(password: str, method: str = TEST_HASH_METHOD, salt_length: int = 16) -> str:
    """What the tests store as a password hash (checked by werkzeug like any other)."""
    return generate_password_hash(password, method=method, salt_length=salt_length)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """The app's accounts hash with ``cheap_hash`` in this test process (see TEST_HASH_METHOD)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "generate_password_hash", cheap_hash)
        accounts._dummy_hash.cache_clear()
        yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def sqlite_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where this test process keeps its SQLite files: in memory (/dev/shm) where the machine has it.

    SQLite syncs its WAL to disk at every commit; on a disk that cost a fifth of the SQLite tests' time, and
    no test is about surviving a power cut (a killed process loses nothing either way)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("sqlite")
        return
    folder = Path(tempfile.mkdtemp(prefix="dutydesk-tests-", dir=shm))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(sqlite_folder: Path) -> Path:
    return dbutil.migrated_sqlite_template(sqlite_folder)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated schema of this test run's own, so two runs on one server never meet; dropped at the end."""
    base = dbutil.postgres_base_url()
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half skipped")
    schema = dbutil.run_schema("dd_tests")
    url = dbutil.fresh_postgres_schema(base, schema)
    migrate.upgrade(url)
    yield url
    dbutil.drop_postgres_schema(base, schema)


# For a test that needs the app (its request context, translations, URL map) but never opens its database: one
# run on a SQLite copy instead of one per database (the PostgreSQL run would prove nothing more).
NO_DATABASE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A browser journey runs on one database: PostgreSQL when TEST_DATABASE_URL is set, else SQLite.

    The journeys test pages and their scripts; what the two databases do differently (upserts, locks, date
    arithmetic, NUL and overflow handling) is proven on both by the tests without a browser, each of which still
    runs twice. Running every journey twice cost a third of the suite's time."""
    if "db_url" not in metafunc.fixturenames or not metafunc.definition.get_closest_marker("browser"):
        return
    if any("db_url" in marker.args[0] for marker in metafunc.definition.iter_markers("parametrize")):
        return  # the test chose its databases itself
    kind = "postgresql" if dbutil.postgres_base_url() else "sqlite"
    param = pytest.param(kind, marks=pytest.mark.postgres) if kind == "postgresql" else kind
    # a mark, not metafunc.parametrize: pytest then leaves the fixture's own two params out
    metafunc.definition.add_marker(pytest.mark.parametrize("db_url", [param], indirect=True))


@pytest.fixture(scope="session")
def _empty_postgres(postgres_url: str) -> Iterator[Callable[[], None]]:
    """Empties the run's schema (every table but the seeded ones, ids restarted) before a test."""
    empty, close = dbutil.postgres_emptier(postgres_url)
    yield empty
    close()


_SQLITE_COPIES = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database for one test: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = request.getfixturevalue("sqlite_folder") / f"test-{next(_SQLITE_COPIES)}.sqlite"
        request.addfinalizer(lambda: dbutil.remove_sqlite(path))
        return dbutil.copy_sqlite(request.getfixturevalue("sqlite_template"), path)
    request.getfixturevalue("_empty_postgres")()
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def _built_apps() -> dict[str, tuple[Flask, dict[str, Any], dict[str, Any]]]:
    """Apps built in this test process, by database kind, with their pristine config and extensions."""
    return {}


@pytest.fixture
def app(db_url: str, _built_apps: dict[str, tuple[Flask, dict[str, Any], dict[str, Any]]]) -> Iterator[Flask]:
    """The app on this test's database. Building one compiles every URL rule, which cost a third of a small
    test's time, so each test process builds one per database kind and gives each test its own engine and
    settings and the app's pristine config and extensions back."""
    kind = db_url.split(":", 1)[0]
    if kind not in _built_apps:
        built = create_app({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": TEST_SECRET,
                            "TESTING": True})
        _built_apps[kind] = (built, dict(built.config), dict(built.extensions))
    application, config, extensions = _built_apps[kind]
    application.config.clear()
    application.config.update(config)
    application.extensions.clear()
    application.extensions.update(extensions)
    settings = load_settings({**os.environ, "DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                              "DUTYDESK_SECRET_KEY": TEST_SECRET},
                             instance_path=application.instance_path)
    application.config["SECRET_KEY"] = settings.secret_key
    application.extensions["dutydesk.settings"] = settings
    application.extensions["dutydesk.engine"] = make_engine(settings.database_url)
    yield application
    application.extensions["dutydesk.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that prefers English, so assertions read the source strings."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the test database that commits at the end of the block using it."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        yield session


@pytest.fixture
def make_person(app: Flask) -> Callable[..., Any]:
    """Create a person (committed) and return their username."""

    def make(username: str, role: str = "watcher", skills: str = "info", team: str | None = "A",
             password: str = PASSWORD, **extra: Any) -> str:
        fields = accounts.PersonFields(username=username, display_name=extra.pop("name", username.title()),
                                       role=role, skills=accounts.normalise_skills(skills),
                                       team_code=None if role == "manager" else team, **extra)
        with session_scope(app.extensions["dutydesk.engine"]) as session:
            accounts.create_person(session, actor="test", fields=fields, password=password)
        return username

    return make


def csrf_token(html: str) -> str:
    """The CSRF token of a rendered page (from its meta tag or a hidden field)."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def page_csrf(client: FlaskClient, url: str) -> str:
    """The CSRF token of the page at ``url``, fetched with this client."""
    return csrf_token(client.get(url).get_data(as_text=True))


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log in through the real form, CSRF token included."""
    token = page_csrf(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(client: FlaskClient, make_person: Callable[..., Any]) -> Callable[[str], FlaskClient]:
    """Create a person of a role and log the client in as them."""

    def as_role(role: str, username: str | None = None, **kwargs: Any) -> FlaskClient:
        name = username or f"{role}1"
        skills = kwargs.pop("skills", "" if role == "manager" else "info,comms")
        make_person(name, role=role, skills=skills, **kwargs)
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return as_role


# --- browser tests -------------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The real app served on a free local port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop's next look at its flag: every 0.05 s, not the default 0.5 s
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser); skipped where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: browser tests skipped")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def _tab(browser: Any, live_server: str, locale: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser tab (English unless a test says otherwise) pointed at the live server."""
    yield from _tab(browser, live_server, "en-US")


@pytest.fixture
def zh_page(browser: Any, live_server: str) -> Iterator[Any]:
    """The same, for a reader whose browser asks for Chinese."""
    yield from _tab(browser, live_server, "zh-CN")


def screenshot(tab: Any, name: str) -> Path:
    """Save a screenshot under the git-ignored screenshots/ folder, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def browser_login(tab: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person would."""
    tab.goto("/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit].primary")
    tab.wait_for_load_state()
