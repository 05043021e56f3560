"""Edge input never gets a 500 (issue 11, item 6): random strings, numbers and dates at every form and parameter.

The targets come from the app itself: every GET route of ``app.url_map`` with the query parameters its module
reads (``request.args.get("x")``, ``_date_arg("x")``), every string path parameter, and every POST form found
on the pages those routes render (fetched as a role allowed to post it, CSRF token kept). Each target gets a few
hypothesis examples: the page's own values with some fields replaced by control characters, zero-width and bidi
characters, very long text, huge or non-finite numbers, and dates in year 1, 9999 or malformed. A target's first
500 (or exception) is recorded with its input; the test fails listing all of them at the end.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import re
import string
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from desk.db import session_scope
from monitoring import service as checks
from monitoring.checkspec import spec_from_dict
from monitoring.maintenance import MaintenanceWindow
from roster import drafts, leave_swaps, preferences, versions
from tests.conftest import login
from tests.roster import deskdata

EXAMPLES = 5  # per target: about 60 targets, so the whole walk stays well under a minute
ACTORS = {"manager": "guohua", "leader": "zhangwei", "watcher": "liqiang"}
NEVER_POSTED = {"auth.logout"}  # ends the walk's own session
LAST = {"auth.login"}  # failed logins may throttle this address: fuzz them after everything else

# --- the values thrown ----------------------------------------------------------------------------------------

CONTROL = "".join(map(chr, range(32))) + "\x7f\x85\u2028\u2029"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
EDGE_NUMBERS = ["0", "-1", "-0", "1e309", "-1e309", "nan", "NaN", "inf", "-inf", "Infinity", "1e-400", "0x10",
                str(2**31), str(2**63 - 1), str(2**63), str(2**64), str(-(2**63) - 1), "9" * 40, "1_000", "١٢"]
EDGE_DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13-01", "10000-01-01", "0001-01",
              "9999-12", "2026-00", "2026-1", "-2026-01-01", "2026-W01", "2026-01-01T25:00",
              "0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
              "2026-01-01T00:00:00+99:00", "00:00", "24:00", "23:59:60", "99:99"]

texts = st.text(st.characters(codec="utf-8") | st.sampled_from(CONTROL + INVISIBLE), max_size=30)
long_texts = st.builds(lambda chunk, n: (chunk or "x") * n, st.text(string.printable + INVISIBLE, max_size=3),
                       st.integers(1_000, 20_000))
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-(10**30), 10**30).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr))
dates = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)).map(datetime.isoformat),
    st.tuples(st.integers(0, 99999), st.integers(0, 99)).map(lambda ym: f"{ym[0]:04d}-{ym[1]:02d}"),
)
values = st.one_of(st.just(""), texts, numbers, dates, long_texts, st.sampled_from(["x\r\nInjected: 1", "<b>"]))
BY_KIND = {"date": st.one_of(dates, dates, values), "number": st.one_of(numbers, numbers, values), "text": values}

DATE_TYPES = {"date", "month", "datetime-local", "time", "week"}
DATE_NAMES = re.compile(r"(^|_)(at|from|to|day|date|month|start|end|starts|ends|since|until|anchor|time)(_|$)")
NUMBER_NAMES = re.compile(r"page|port|interval|timeout|weight|minutes|days|hours|max|min|cov_|offset|attempt|"
                          r"sample|period|threshold|flap|w_|weekday|status|warning|critical")
# Deterministic first requests of every target: an edge value in the fields of its kind (one field at a time for
# those in ALONE), the rest left as the page had them (so the request gets past the other fields' checks).
PRESETS = [("date", v) for v in ("9999-12-31", "0001-01-01", "9999-12", "0001-01", "9999-12-31T23:59:59",
                                 "0001-01-01T00:00:00")] + \
          [("number", v) for v in (str(2**64), "-1e309", "nan")] + \
          [("text", v) for v in ("a\r\nb\x00c", "\u202eevil\u200b", "x" * 5000)]
ALONE = {preset for preset in PRESETS if preset[0] == "date"} | {("number", str(2**64))}  # one field at a time


def kind_of(name: str, input_type: str = "") -> str:
    """What a field holds, from its input type or else its name: date, number or text."""
    if input_type in DATE_TYPES or DATE_NAMES.search(name):
        return "date"
    return "number" if input_type in ("number", "range") or NUMBER_NAMES.search(name) else "text"


# --- targets found in the app -------------------------------------------------------------------------------

@dataclass
class Target:
    """One request to fuzz: ``fields`` with their current (plausible) values; the random ones replace some."""

    method: str
    url: str
    endpoint: str
    role: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)  # never fuzzed: the CSRF token
    path_params: tuple[str, ...] = ()  # string path parameters, fuzzed in the URL

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint}, as {self.role or 'anonymous'})"


ARG_PATTERNS = (r"request\.args\.get\(\s*\"(\w+)\"", r"request\.args\[\s*\"(\w+)\"", r"_\w*arg\(\s*\"(\w+)\"")


def _query_params(view: Callable[..., Any]) -> list[str]:
    """The query parameters the view's module reads (a few extra ones on a route are harmless)."""
    source = inspect.getsource(sys.modules[inspect.unwrap(view).__module__])
    return sorted({name for pattern in ARG_PATTERNS for name in re.findall(pattern, source)})


def _role_for(view: Callable[..., Any]) -> str | None:
    allowed = getattr(view, "allowed_roles", None)
    return None if allowed is None else next(r for r in ("manager", "leader", "watcher") if r in allowed)


def _url(rule: Rule, ids: dict[str, int]) -> str:
    def sample(match: re.Match[str]) -> str:
        return str(ids.get(match.group(2), 1)) if match.group(1) == "int" else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", sample, rule.rule)


def get_targets(app: Flask, ids: dict[str, int]) -> Iterator[Target]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        view = app.view_functions[rule.endpoint]
        strings = tuple(name for name, conv in rule._converters.items() if type(conv).__name__ != "IntegerConverter")
        names = _query_params(view)
        yield Target("GET", _url(rule, ids), rule.endpoint, _role_for(view), path_params=strings,
                     fields={name: [] for name in names}, kinds={name: kind_of(name) for name in names})


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields with the values the page put in them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.types: dict[str, str] = {}
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is not None and a.get("formaction"):  # a second action posting the same fields
            self.forms.append((a["formaction"], self._fields))
        if self._fields is None or (not a.get("name") and tag != "option"):
            return
        if a.get("name"):
            self.types.setdefault(a["name"], a.get("type", tag))
        if tag == "input" and a.get("type") not in ("submit", "button", "image", "reset", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._fields.setdefault(a["name"], []).append(a.get("value", ""))
            else:
                self._fields.setdefault(a["name"], [])
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields[a["name"]] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            self._fields[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select and self._fields is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._fields[self._select] = chosen
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_targets(app: Flask, html: str, page_url: str) -> Iterator[Target]:
    parser = FormParser()
    parser.feed(html)
    adapter = app.url_map.bind("localhost")
    for action, fields in parser.forms:
        path = urlsplit(action or page_url).path
        try:
            endpoint, _ = adapter.match(path, method="POST")
        except HTTPException:  # a form posting elsewhere is not ours to fuzz
            continue
        fields = dict(fields)
        fixed = {"csrf_token": fields.pop("csrf_token")[0]} if "csrf_token" in fields else {}
        yield Target("POST", action or page_url, endpoint, _role_for(app.view_functions[endpoint]),
                     fields=fields, fixed=fixed, kinds={n: kind_of(n, parser.types.get(n, "")) for n in fields})


# --- the desk the walk runs on ------------------------------------------------------------------------------

START = deskdata.START


def seed(app: Flask) -> dict[str, int]:
    """The demo people, a published roster and a draft, a leave, a swap, a wish, a check and a window; their ids
    (by URL parameter name) so that every detail page and form exists."""
    engine = deskdata.with_people(app)
    published = deskdata.published(engine, actor="zhangwei")
    with session_scope(engine) as session:
        draft = drafts.create_draft(session, actor="zhangwei", start=START + timedelta(days=28),
                                    end=START + timedelta(days=34))
        drafts.solve_version(session, version=draft)
        leave = leave_swaps.ask_leave(session, actor="liqiang", username="liqiang", start=START + timedelta(days=60),
                                      end=START + timedelta(days=61), reason="fuzz")
        check = checks.create_check(session, actor="test", spec=spec_from_dict(
            {"name": "fuzz-tcp", "kind": "tcp", "host": "127.0.0.1", "port": 9, "interval": 60}))
        window = checks.create_window(session, actor="test", window=MaintenanceWindow.one_off(
            datetime(2026, 1, 1, tzinfo=app.extensions["dutydesk.settings"].tz),
            datetime(2100, 1, 1, tzinfo=app.extensions["dutydesk.settings"].tz), "guohua", "fuzz"))
        wish = preferences.add_preference(session, actor="liqiang", person_id=_person_id(session, "liqiang"),
                                     wanted=False, day=START + timedelta(days=40))
        session.flush()
        ids = {"version_id": draft.id, "leave_id": leave.id, "check_id": check.id, "window_id": window.id,
               "preference_id": wish.id, "person_id": _person_id(session, "zhuxia"),
               "swap_id": _swap_id(session, published)}
    return {name: value for name, value in ids.items() if value is not None}


def _person_id(session: Any, username: str) -> int:
    return leave_swaps.person_by_username(session, username).id


def _swap_id(session: Any, version_id: int) -> int | None:
    """A pending swap: liqiang offers their first seat to whichever colleague may take it."""
    seats = [a for a in versions.published_assignments(session, start=START, end=deskdata.END)
             if a.username == "liqiang"]
    for seat in seats:
        for target in ("chenjing", "huangli", "xuting", "majun", "zhuxia"):
            try:
                with session.begin_nested():
                    return leave_swaps.propose_swap(session, actor="liqiang", day=seat.day, shift=seat.shift,
                                                    target=target, today=START).id
            except leave_swaps.RequestError:
                continue
    return None


# --- the walk -----------------------------------------------------------------------------------------------

@dataclass
class Finding:
    target: Target
    sent: dict[str, Any]
    outcome: str

    def __str__(self) -> str:
        shown = {k: (v[:60] + f"…({len(v)} chars)" if isinstance(v, str) and len(v) > 60 else v)
                 for k, v in self.sent.items()}
        return f"{self.target}: {self.outcome} with {shown!r}"


def _send(client: FlaskClient, target: Target, chosen: dict[str, Any], path: dict[str, str]) -> str | None:
    """Send one request; the outcome when it is a 500 or an exception, else None."""
    url = target.url
    for value in path.values():
        url = url.replace("/x", "/" + value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"), 1)
    try:
        if target.method == "GET":
            response = client.get(url, query_string={k: v for k, v in chosen.items() if v is not None})
        else:
            response = client.post(url, data={**target.fixed, **{k: v for k, v in chosen.items() if v is not None}})
    except Exception as exc:  # TESTING propagates a view's exception: that is the 500
        return f"500 ({type(exc).__name__}: {str(exc)[:160]})"
    return f"{response.status_code}" if response.status_code >= 500 else None


def _strategy(target: Target) -> st.SearchStrategy[dict[str, Any]]:
    """Each field: its own value, left out, or a random value; string path parameters random."""
    def one(name: str, current: list[str]) -> st.SearchStrategy[Any]:
        random = BY_KIND[target.kinds.get(name, "text")]
        return st.one_of(st.just(current or None), random, random, st.lists(random, min_size=2, max_size=3))

    return st.fixed_dictionaries({name: one(name, current) for name, current in target.fields.items()})


def _presets(target: Target) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """The deterministic requests: each date field alone at each edge value (and each number field at 2**64), the
    other values in all fields of their kind at once."""
    defaults = {name: current or None for name, current in target.fields.items()}
    for kind, value in PRESETS:
        of_kind = [name for name in target.fields if target.kinds.get(name) == kind]
        groups = [[name] for name in of_kind] if (kind, value) in ALONE else [of_kind]
        for group in groups:
            yield {**defaults, **dict.fromkeys(group, value)}, {}
        if kind == "text" and target.path_params:
            yield defaults, dict.fromkeys(target.path_params, value)


def fuzz(client: FlaskClient, target: Target, findings: list[Finding]) -> None:
    """The presets, then hypothesis's random examples (the same ones every run), until the target's first 500.

    A GET already sent unchanged is not sent again: presets of a kind the target has no field of, and random
    examples that drew the page's own values, asked the same as an earlier request (a sixth of the walk)."""
    sent: set[str] = set()

    def send(chosen: dict[str, Any], path: dict[str, str]) -> str | None:
        if target.method == "GET":  # safe: asking again finds nothing new (a POST may: a second create)
            key = repr((sorted((k, v) for k, v in chosen.items() if v is not None), sorted(path.items())))
            if key in sent:
                return None
            sent.add(key)
        return _send(client, target, chosen, path)

    for chosen, path in _presets(target):
        outcome = send(chosen, path)
        if outcome:
            findings.append(Finding(target, {**chosen, **{f"<{k}>": v for k, v in path.items()}}, outcome))
            return
    paths = st.fixed_dictionaries({name: texts.filter(lambda s: s.strip("./")) for name in target.path_params})

    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate], derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(chosen=_strategy(target), path=paths)
    def one_request(chosen: dict[str, Any], path: dict[str, str]) -> None:
        outcome = send(chosen, path)
        if outcome:
            findings.append(Finding(target, {**chosen, **{f"<{k}>": v for k, v in path.items()}}, outcome))
            raise AssertionError(outcome)

    with contextlib.suppress(Exception):  # the finding is recorded: go on with the next target
        one_request()


def _clients(app: Flask) -> dict[str | None, FlaskClient]:
    clients: dict[str | None, FlaskClient] = {None: app.test_client()}
    for role, username in ACTORS.items():
        clients[role] = app.test_client()
        assert login(clients[role], username).status_code == 302
    for client in clients.values():
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clients


def _post_targets(app: Flask, clients: dict[str | None, FlaskClient], pages: list[Target]) -> list[Target]:
    """Every distinct POST form on the GET pages, each page fetched as every role that may see it."""
    found: dict[tuple[str, tuple[str, ...]], Target] = {}
    for page, role in itertools.product(pages, clients):
        if page.path_params:
            continue
        client = clients[role]
        for query in _queries(page):
            response = client.get(page.url, query_string=query)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for target in post_targets(app, response.get_data(as_text=True), page.url):
                allowed = getattr(app.view_functions[target.endpoint], "allowed_roles", None)
                if target.endpoint in NEVER_POSTED or (allowed is not None and role not in allowed):
                    continue
                target.role = role
                found.setdefault((target.endpoint, tuple(sorted(target.fields))), target)
    return sorted(found.values(), key=lambda t: (t.endpoint in LAST, t.endpoint))


def _queries(page: Target) -> list[dict[str, str]]:
    """The page as it opens, and on the month with a published roster when it reads a month (a page that does
    not read one renders the same with it: fetching it twice found nothing more and cost a fifth of the walk)."""
    return [{}, {"month": START.strftime("%Y-%m")}] if "month" in page.fields else [{}]


def revisit(clients: dict[str | None, FlaskClient], pages: list[Target], findings: list[Finding]) -> None:
    """Every page once more after the forms stored what they accepted (a name with CR/LF broke the feed), and
    the calendar feeds whose URLs the calendar page shows."""
    feeds: set[str] = set()
    for page in pages:
        client = clients[page.role if page.endpoint != "auth.login" else None]
        for query in _queries(page):
            outcome = _send(client, page, {**query}, {})
            if outcome:
                findings.append(Finding(page, {"after the forms": True, **query}, outcome))
        if page.endpoint == "roster_files.calendar":
            html = client.get(page.url).get_data(as_text=True)
            feeds |= set(re.findall(r"/roster/feed/[\w-]+\.ics", html))
    for url in sorted(feeds):
        outcome = _send(clients[None], Target("GET", url, "roster_files.feed", None), {}, {})
        if outcome:
            findings.append(Finding(Target("GET", url, "roster_files.feed", None), {"after the forms": True}, outcome))


def test_no_input_gets_a_500(app: Flask) -> None:
    app.config["TESTING"] = True
    ids = seed(app)
    clients = _clients(app)
    pages = list(get_targets(app, ids))
    forms = _post_targets(app, clients, pages)
    assert len(forms) >= 20, [str(f) for f in forms]  # the walk found the desk's forms
    findings: list[Finding] = []
    for target in [*pages, *forms]:
        fuzz(clients[target.role], target, findings)
    revisit(clients, pages, findings)
    assert not findings, "\n".join(["500s:", *map(str, findings)])


@pytest.mark.parametrize("html, expected", [
    ('<form method="post" action="/a"><input name="csrf_token" type="hidden" value="t"><input name="n" value="v">'
     '<input type="checkbox" name="c" value="1"><select name="s"><option value="1">one<option value="2" selected>'
     'two</select><textarea name="t">hi</textarea><button type="submit">go</button></form>',
     [("/a", {"csrf_token": ["t"], "n": ["v"], "c": [], "s": ["2"], "t": ["hi"]})]),
    ('<form action="/search"><input name="q"></form>', []),
])
def test_the_form_parser_reads_fields_and_their_values(html, expected):
    parser = FormParser()
    parser.feed(html)
    assert parser.forms == expected


# --- what the walk found that nobody else was fixing: kept as plain regression tests ---------------------------

def test_a_runs_page_past_the_end_shows_the_last_page(app: Flask, login_as: Callable[..., FlaskClient]) -> None:
    """``?page=2**64`` overflowed SQLite's OFFSET (a 500): past the end is the last page, on the page and the API."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        check_id = checks.create_check(session, actor="test", spec=spec_from_dict(
            {"name": "fuzz-tcp", "kind": "tcp", "host": "127.0.0.1", "port": 9, "interval": 60})).id
    client = login_as("manager")
    assert client.get(f"/checks/{check_id}?page={2**64}").status_code == 200
    absurd = client.get(f"/api/v1/checks/{check_id}/runs?page={2**64}")
    assert absurd.status_code == 400 and absurd.json["error"]["code"] == "bad_page"  # the API says so, in JSON
    answer = client.get(f"/api/v1/checks/{check_id}/runs?page=99999")
    assert answer.status_code == 200 and answer.json["page"] == 1


def test_a_discarded_draft_still_shows(app: Flask, login_as: Callable[..., FlaskClient]) -> None:
    """A discarded draft has no number: its page compared ``number < None`` (a 500); it compares like a draft."""
    engine = deskdata.with_people(app)
    with session_scope(engine) as session:
        draft = drafts.create_draft(session, actor="zhangwei", start=START, end=START + timedelta(days=6))
        drafts.solve_version(session, version=draft)
        drafts.discard(session, actor="zhangwei", version_id=draft.id)
    client = login_as("manager", "boss")
    assert client.get(f"/roster/versions/{draft.id}").status_code == 200


def test_a_nul_character_anywhere_is_a_400(client: FlaskClient, login_as: Callable[..., FlaskClient]) -> None:
    """PostgreSQL cannot store NUL in text (login, leave, notes and feed tokens answered 500): refused up front."""
    from tests.conftest import page_csrf

    token = page_csrf(client, "/login")
    answer = client.post("/login", data={"username": "a\x00b", "password": "x", "csrf_token": token})
    assert answer.status_code == 400 and "NUL character" in answer.get_data(as_text=True)
    assert client.get("/roster/feed/a%00b.ics").status_code == 400
    login_as("manager")
    answer = client.get("/api/v1/oncall", query_string={"at": "2026-01-01\x00"})
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request"


def test_a_whole_number_beyond_a_float_is_a_field_error(app: Flask, login_as: Callable[..., FlaskClient]) -> None:
    """A 1166-digit minute count was a 500 (WTForms' NumberRange asks math.isnan, which overflows): now the field
    says its range, on the escalation form (desk.forms.WholeRange, used by every ranged number field)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = login_as("manager")
    response = client.post("/alerts/escalation", data={"severity": "", "remind_after": "5", "managers_after": "10",
                                                       "repeat_every": "7" * 1166})
    assert response.status_code == 422
    assert "between 1 and 1440" in response.get_data(as_text=True)
