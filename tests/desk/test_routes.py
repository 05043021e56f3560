"""Every registered route × every role: anonymous → login (401 for the API), wrong role → 403, right role → OK."""

import re

import pytest

from desk.security import CHART_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY
from desk.web import ALL_ROLES

SAMPLE_ARGS = {"int": "1", "default": "x", "string": "x", "path": "x"}


def _concrete(rule) -> str:
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
                  lambda m: SAMPLE_ARGS.get(m.group(1) or "default", "x"), rule.rule)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_its_roles(app):
    undeclared = [r.rule for r, view in _routes(app) if not hasattr(view, "allowed_roles")]
    assert undeclared == [], f"routes without @roles/@public: {undeclared}"


def _check(client, rule, method, allowed, role, token_auth=False):
    url = _concrete(rule)
    response = client.open(url, method=method, headers={"Accept": "text/html"})
    status = response.status_code
    _check_security_headers(rule.rule, response)
    if allowed is None:  # public; a token-authenticated webhook (csrf_exempt) says 401 without its token
        assert status not in ((403,) if token_auth else (401, 403)), (rule.rule, role, status)
    elif role is None:
        expected = 401 if url.startswith("/api/") else 302
        assert status == expected, (rule.rule, method, status)
        if status == 302:
            assert "/login" in response.location
    elif role not in allowed:
        assert status == 403, (rule.rule, method, role, status)
    else:
        # allowed: anything but an access refusal (400 = CSRF or bad input, 404 = sample id)
        assert status not in (401, 403) and status < 500, (rule.rule, method, role, status)
        if status == 200 and response.mimetype == "text/html":
            _check_page_shape(rule.rule, response.get_data(as_text=True))


def _check_security_headers(rule: str, response) -> None:
    """Every answer, page or API, error or not, carries the security headers."""
    policy = CHART_CONTENT_SECURITY_POLICY if rule.startswith("/reports") else CONTENT_SECURITY_POLICY
    assert response.headers.get("Content-Security-Policy") == policy, rule  # inline style for charts only
    assert response.headers.get("X-Content-Type-Options") == "nosniff", rule
    assert response.headers.get("Referrer-Policy"), rule


def _check_page_shape(rule: str, html: str) -> None:
    """A page's title is plain text and each of its ids appears once (catches a block left open in a template)."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "<" not in title.group(1), (rule, "title holds markup")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), (rule, sorted({i for i in ids if ids.count(i) > 1}))


@pytest.mark.parametrize("role", [None, *ALL_ROLES])
def test_route_role_matrix(app, client, login_as, role):
    app.config["WTF_CSRF_ENABLED"] = False  # so a POST reaches the role check and the view
    if role:
        login_as(role, f"matrix-{role}")
    for rule, view in _routes(app):
        allowed = getattr(view, "allowed_roles", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint in ("auth.logout",) and role:
                continue  # would end the session mid-walk
            _check(client, rule, method, allowed, role, getattr(view, "csrf_exempt", False))
