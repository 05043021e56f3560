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
