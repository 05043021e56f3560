"""Every code the patrol core can emit has words in English and in Chinese (item 1 of issue 7).

The codes are read from :class:`monitoring.codes.Code`, the only way the core can build a message, so a
new code without a template or a translation fails here.
"""

import ast
import re
from pathlib import Path

import pytest

from monitoring import words
from monitoring.codes import Code, Message, msg
from tests.conftest import NO_DATABASE

CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLES = {"num": 3, "state": "CRITICAL", "problem": msg(Code.PLUGIN_MISSING, program="check_x").to_dict(),
           "problems": {"port": msg(Code.WHOLE_NUMBER, low=1, high=65535).to_dict()},
           "findings": [msg(Code.FINDING_STATUS, status=503).to_dict(), msg(Code.FINDING_LATENCY, ms=12).to_dict()]}


def sample(code: Code) -> Message:
    """A message of ``code`` with a value for each parameter its English template names."""
    params: dict = {"unused": 0}  # with no parameter at all gettext would not format, and name none missing
    for _ in range(10):
        try:
            words.english(Message(code, params))
            del params["unused"]
            return Message(code, params)
        except KeyError as missing:
            name = missing.args[0]
            params[name] = SAMPLES.get(name, f"v_{name}")
    raise AssertionError(f"{code}: too many parameters")


def test_every_code_has_a_template():
    assert set(words.TEMPLATES) == set(Code)


@NO_DATABASE  # the app only lends its request context and translations
@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_renders_in_english_and_chinese(app, code):
    message = sample(code)
    english = words.english(message)
    assert english and not CJK.search(english)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = words.render(message)
    assert chinese != english and CJK.search(chinese), (code, chinese)
    for name, value in message.params.items():  # the parameters are in the sentence, in both languages
        if isinstance(value, str) and name != "state":  # a state is put into words too
            assert value in english and value in chinese


def test_the_core_builds_messages_only_from_known_codes():
    """Every ``Code.X`` the monitoring package names exists (an unknown one would fail only when reached)."""
    named = set()
    for path in Path("monitoring").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code":
                named.add(node.attr)
    assert named <= set(Code.__members__), named - set(Code.__members__)
    with pytest.raises(ValueError):
        Message("no_such_code")


def test_a_run_summary_round_trips_through_its_stored_form():
    message = msg(Code.HTTP, state="WARNING", findings=[msg(Code.FINDING_CERT_DAYS, num=5).to_dict()])
    assert Message.from_dict(message.to_dict()) == message
    assert words.summary(message.to_dict(), "ignored") == "HTTP WARNING - certificate expires in 5 days"
    assert words.summary(None, "OK - written by a plugin") == "OK - written by a plugin"
    assert words.summary({"code": "retired_code", "params": {}}, "as stored") == "as stored"
