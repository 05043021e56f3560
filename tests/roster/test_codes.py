"""Every code the roster engine can emit (from the registry ``roster.codes``) renders in English and Chinese.

The registry is checked when a value is made (``Message`` / ``Violation`` refuse an unregistered code or wrong
parameters), so the cores cannot emit a code this test does not render."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from roster import codes, words
from roster.domain import Explanation, Gap, Message, Violation, msg
from roster.words import HARD_RULE_NAMES as RULE_NAMES

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLES = {"person": "Li", "day": "2026-12-03", "start": "2026-12-03", "end": "2026-12-05", "shift": "N",
           "first": "N", "second": "D", "position": "comms", "letters": "DNX", "year": 2027, "n": 3, "required": 2,
           "qualified": 4, "limit": 5, "days": 28, "hours": 12, "cycle_day": 3, "got": 0, "need": 1,
           "kind": "work_run"}


@pytest.fixture(scope="module")
def babel_app() -> Flask:
    """A bare app with the desk's catalogs (no database needed to render)."""
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(ROOT / "translations"))
    return app


def render_in(app: Flask, lang: str, render) -> str:
    with app.app_context(), force_locale(lang):
        return render(words.babel())


def sample(code: str, registry: dict[str, tuple[str, ...]] = codes.MESSAGES) -> dict:
    return {name: SAMPLES[name] for name in registry[code]}


def test_the_renderer_knows_exactly_the_registered_codes():
    assert set(words.SENTENCES) == set(codes.MESSAGES)
    assert set(words.VIOLATIONS) == set(codes.VIOLATIONS)


@pytest.mark.parametrize("code", sorted(codes.MESSAGES))
def test_every_message_code_renders_in_both_languages(babel_app, code):
    m = msg(code, **sample(code))
    en, zh = words.render(m), render_in(babel_app, "zh_CN", lambda w: words.render(m, w))
    assert en and "%(" not in en and "%(" not in zh
    assert render_in(babel_app, "en", lambda w: words.render(m, w)) == en
    assert zh != en and CJK.search(zh), f"{code} falls back to English in zh_CN: {zh!r}"


@pytest.mark.parametrize("rule", sorted(codes.VIOLATIONS))
def test_every_violation_renders_in_both_languages(babel_app, rule):
    v = Violation(rule, date(2026, 12, 3), "D", "info", "li", tuple(sample(rule, codes.VIOLATIONS).items()))
    en = words.violation_sentence(v, {"li": "Li"})
    zh = render_in(babel_app, "zh_CN", lambda w: words.violation_sentence(v, {"li": "李"}, w))
    assert "%(" not in en + zh and CJK.search(zh) and zh != en, (en, zh)
    assert CJK.search(render_in(babel_app, "zh_CN", lambda w: w.gettext(RULE_NAMES[rule])))


def test_a_code_outside_the_registry_cannot_be_made():
    with pytest.raises(ValueError, match="unregistered"):
        msg("something_new")
    with pytest.raises(ValueError, match="takes"):
        msg("on_leave", days=3)
    with pytest.raises(ValueError, match="unregistered"):
        Violation("made_up", None, None, None, None)


def test_the_gap_line_reads_naturally_in_both_languages(babel_app):
    gap = Gap(date(2026, 12, 3), "N", "comms", (("li", msg("on_leave")), ("wang", msg("resting_after_night"))))
    assert words.gap_line(gap) == ("12-03 night: no communications watcher: li on leave, "
                                   "wang resting after a night shift")
    stored = words.explanation_data(words_expl(gap), {"li": "李", "wang": "王"})["gaps"][0]
    zh = render_in(babel_app, "zh_CN", lambda w: words.gap_line(stored, w))
    assert zh == "12-03 夜班缺通信值班员：李请假，王夜班后休息"
    stored_en = words.explanation_data(words_expl(gap), {"li": "Li", "wang": "Wang"})["gaps"][0]
    assert words.gap_line(stored_en) == (
        "12-03 night: no communications watcher: Li on leave, Wang resting after a night shift")


def words_expl(gap: Gap) -> Explanation:
    return Explanation(msg("no_roster"), (gap,))


def test_counts_use_plural_forms():
    assert words.render(msg("seats_short", n=1)) == "1 seat has too few qualified, available people:"
    assert words.render(msg("seats_short", n=3)) == "3 seats have too few qualified, available people:"


def test_day_as_a_shift_and_day_as_a_date_differ_in_chinese(babel_app):
    shifts = render_in(babel_app, "zh_CN", lambda w: (words.shift_word(w, "D"), words.shift_word(w, "N")))
    assert shifts == ("白班", "夜班")


def test_message_is_plain_hashable_data():
    a, b = msg("short_rest", hours=12), Message("short_rest", (("hours", 12),))
    assert a == b and hash(a) == hash(b) and a.kw == {"hours": 12}
