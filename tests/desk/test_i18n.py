"""Every user-visible string is in the zh_CN catalog, translated, and the language follows the person."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from desk.i18n import browser_language
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_string_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "N_", "-k", "_l", "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with CATALOG.open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(str(w) for w in wanted if not catalog.get(w))
    assert missing == [], "untranslated (run `make i18n-extract` and translate): " + repr(missing[:20])


def test_browser_language_mapping():
    assert browser_language(["zh-CN", "en"]) == "zh_CN"
    assert browser_language(["en-GB", "zh"]) == "en"
    assert browser_language(["fr"]) == "zh_CN"


def test_preference_beats_browser(client, make_person):
    make_person("li", language="en")
    login(client, "li")
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Hello, " in html


def test_error_pages_speak_the_readers_language(app, client):
    """The 404/500 page bodies are the desk's sentences in the reader's language, not Werkzeug's English (issue 7
    item 7)."""
    from flask import render_template
    from flask_babel import force_locale

    zh = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "此地址没有页面" in zh, zh
    assert "The requested URL was not found" not in zh and "There is no page at this address" not in zh
    en = client.get("/no/such/page").get_data(as_text=True)
    assert "There is no page at this address" in en
    with app.test_request_context("/"), force_locale("zh_CN"):
        body = render_template("error.html", code=500, message=None)
    assert "Something went wrong" not in body and "管理员" in body, body
