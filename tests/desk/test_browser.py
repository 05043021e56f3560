"""A leader logs in through Chromium, switches between Chinese and English, and a wrong password is refused."""

import pytest

from desk.demo import DEMO_PASSWORD
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_desk(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0


def test_wrong_password_shows_the_error(page, demo_desk, db_url):
    browser_login(page, "zhangwei", "not-the-password")
    assert page.locator("#login-error").inner_text() == "Wrong username or password."
    assert page.input_value("input[name=username]") == "zhangwei"  # what was typed is kept
    screenshot(page, f"login-error-{db_url.split(':')[0]}")


def test_leader_logs_in_and_switches_language(page, demo_desk, db_url):
    browser_login(page, "zhangwei", DEMO_PASSWORD)
    assert page.locator("#current-user").inner_text().startswith("张伟")
    assert page.locator("h1").inner_text() == "Hello, 张伟"
    nav = page.locator("nav.mainnav").inner_text()
    assert "Home" in nav and "People" not in nav  # a leader does not manage people
    screenshot(page, f"home-en-{db_url.split(':')[0]}")
    with page.expect_navigation():
        page.select_option("#ui-language", "zh_CN")
    assert page.locator("h1").inner_text() == "张伟，您好"
    assert "值长" in page.locator("#current-user").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    screenshot(page, f"home-zh-{db_url.split(':')[0]}")
    page.reload()  # the choice is remembered for the person
    assert page.locator("h1").inner_text() == "张伟，您好"
    with page.expect_navigation():
        page.select_option("#ui-language", "en")
    assert page.locator("h1").inner_text() == "Hello, 张伟"


def test_manager_adds_a_person_with_a_mistake(page, demo_desk, db_url):
    browser_login(page, "guohua", DEMO_PASSWORD)
    page.hover("nav.mainnav .navgroup:has(a:text-is('People'))")  # the link sits in a header menu
    page.click("nav.mainnav >> text=People")
    page.click("text=Add a person")
    page.fill("input[name=username]", "newbie")
    page.fill("input[name=display_name]", "新人")
    page.fill("input[name=password]", "short")
    page.click("button[type=submit].primary")
    assert "A watcher needs at least one skill" in page.content()
    assert page.input_value("input[name=display_name]") == "新人"
    screenshot(page, f"people-form-error-{db_url.split(':')[0]}")
    page.check("input[value=info]")
    page.fill("input[name=password]", "long-enough-1")
    page.click("button[type=submit].primary")
    assert page.locator("#people-table").inner_text().count("新人") == 1


def test_account_page_under_the_content_security_policy(page, demo_desk, db_url):
    """No page of a walk through the desk trips the CSP; sessions and tokens work on the account page."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    browser_login(page, "zhangwei", DEMO_PASSWORD)
    for url in ("/", "/roster/", "/checks/", "/requests/leave", "/roster/calendar"):
        page.goto(url)
    with page.expect_navigation():
        page.select_option("#ui-language", "en")  # desk.js, not an inline handler, submits the menu
    page.click("#my-account")
    page.fill("input[name=label]", "grafana")
    page.fill("input[name=expires_days]", "30")
    page.click("#token-form button[type=submit]")
    assert page.input_value("#new-token-value").startswith("ddt_")
    assert page.locator("#sessions-table tbody tr").count() >= 1
    screenshot(page, f"account-en-{db_url.split(':')[0]}")
    with page.expect_navigation():
        page.select_option("#ui-language", "zh_CN")  # from a page a POST rendered: back home, not to a 405
    assert page.url.endswith("/")
    page.click("#my-account")
    assert "API 令牌" in page.content() and "grafana" in page.content()
    screenshot(page, f"account-zh-{db_url.split(':')[0]}")
    assert violations == []
