"""The pure half of delivery: rendering in both languages, each channel's shape and signature, answers in-band."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from alerts import channels
from alerts.dispatch import Policy, backoff, give_up_now
from alerts.senders import gettext_for
from tests.alerts.outbox_support import BASE_URL, T0, message
from tests.conftest import TEST_SECRET

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _render(language: str = "en", **kwargs):
    return channels.render(message(7, **kwargs), _=gettext_for(language), tz=SHANGHAI, base_url=BASE_URL,
                           language=language)


def test_english_message_says_what_where_since_when_severity_who_and_links():
    text = _render("en", occurrences=3).text
    assert text.splitlines()[0] == "[critical] New alert: db-port: connection refused"
    assert "Where: Information systems · patrol check" in text
    assert "Since: 2026-12-01 23:58 (3 times, last 2026-12-01 23:59) (Asia/Shanghai)" in text
    assert "On duty: 张伟 (13800000001); watcher 李娜 (13900000002)" in text
    assert text.endswith("Open the alert: https://desk.example.cn/alerts/7")


def test_chinese_message_is_in_chinese():
    rendered = _render("zh_CN")
    assert rendered.headline == "【紧急】新告警：db-port: connection refused"
    assert "当前值班：张伟 (13800000001)；值班员 李娜 (13900000002)" in rendered.text
    assert "打开告警：https://desk.example.cn/alerts/7" in rendered.text


def test_no_roster_names_the_managers():
    assert "the managers (no published roster covers this moment)" in _render("en", routed_to="managers").text


def test_backoff_doubles_from_ten_seconds_and_is_capped():
    policy = Policy(first_delay=10, max_delay=600, max_attempts=6)
    assert [backoff(n, policy).total_seconds() for n in range(1, 9)] == [10, 20, 40, 80, 160, 320, 600, 600]
    assert backoff(10_000, policy).total_seconds() == 600
    assert T0 + backoff(1, policy) == T0.replace(second=10)
    assert not give_up_now(5, False, policy) and give_up_now(6, False, policy) and give_up_now(1, True, policy)


def test_dingtalk_signature_and_url():
    secret, stamp = "SEC0123456789abcdef", 1764604800000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest())
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, stamp)
    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["abc"], "timestamp": [str(stamp)], "sign": [expected.decode()]}
    assert "%2B" in url or "+" not in expected.decode()  # the sign is URL-encoded
    assert channels.dingtalk_url("https://x.example/robot", "", stamp) == "https://x.example/robot"


def test_dingtalk_markdown_mentions_the_phones_in_text_and_at():
    body = channels.dingtalk_request(_render("en"))
    assert body["msgtype"] == "markdown" and body["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert body["markdown"]["text"].endswith("@13800000001")


def test_feishu_signature_is_hmac_of_nothing_keyed_by_timestamp_and_secret():
    body = channels.feishu_request(_render("zh_CN"), secret="s3cret", timestamp_s=1764604800)
    key = b"1764604800\ns3cret"
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["timestamp"] == "1764604800" and body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["content"][-1] == [{"tag": "a", "text": "打开告警", "href": "https://desk.example.cn/alerts/7"}]
    assert "sign" not in channels.feishu_request(_render("en"), secret="", timestamp_s=1)


def test_wecom_sends_markdown_then_a_text_that_mentions_the_mobile():
    markdown, mention = channels.wecom_requests(_render("en"))
    assert markdown["msgtype"] == "markdown" and "### [critical] New alert" in markdown["markdown"]["content"]
    assert mention == {"msgtype": "text", "text": {"content": "[critical] New alert: db-port: connection refused",
                                                   "mentioned_mobile_list": ["13800000001"]}}
    assert len(channels.wecom_requests(_render("en", phones=()))) == 1


def test_webhook_signature_covers_the_raw_body_with_its_timestamp():
    rendered = _render("en")
    body = channels.webhook_body(message(7), rendered, delivery_id=42, timestamp_s=1764604800)
    headers = channels.webhook_headers(body, secret="k", delivery_id=42, timestamp_s=1764604800)
    assert headers["X-DutyDesk-Signature"] == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert headers["X-DutyDesk-Delivery"] == headers["Idempotency-Key"] == "42"
    payload = json.loads(body)
    assert payload["timestamp"] == 1764604800 and payload["delivery"] == "42" and payload["event"] == "raised"
    assert payload["alert"]["id"] == 7 and payload["link"] == "https://desk.example.cn/alerts/7"


@pytest.mark.parametrize(("kind", "answer", "error"), [
    ("wecom", {"errcode": 0, "errmsg": "ok"}, None),
    ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, "wecom errcode 93000: invalid webhook url"),
    ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, "dingtalk errcode 310000: sign not match"),
    ("feishu", {"code": 0, "msg": "success", "data": {}}, None),
    ("feishu", {"StatusCode": 0, "StatusMessage": "success"}, None),
    ("feishu", {"code": 19021, "msg": "sign match fail"}, "feishu code 19021: sign match fail"),
    ("dingtalk", "<html>", "dingtalk: the answer is not a JSON object"),
])
def test_in_band_failures(kind, answer, error):
    assert channels.robot_answer_error(kind, answer) == error


def test_email_has_subject_text_and_html():
    mail = channels.email_message(_render("en"), sender="desk@example.cn", to="zhang@example.cn", delivery_id=5)
    assert mail["Subject"] == "[critical] New alert: db-port: connection refused"
    assert mail["X-DutyDesk-Delivery"] == "5"
    assert "Open the alert: https://desk.example.cn/alerts/7" in mail.get_body(("plain",)).get_content()
    assert '<a href="https://desk.example.cn/alerts/7">' in mail.get_body(("html",)).get_content()


def test_robot_urls_are_shown_without_their_tokens():
    shown = channels.redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
    assert shown == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa"
    assert channels.redact_url("https://hooks.example/x") == "https://hooks.example/x"


def test_smtp_and_base_url_settings_come_from_the_environment():
    from desk.settings import load_settings

    env = {"DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": TEST_SECRET,
           "DUTYDESK_SMTP_HOST": "mail.example.cn", "DUTYDESK_SMTP_PORT": "587",
           "DUTYDESK_SMTP_USER": "desk", "DUTYDESK_SMTP_PASSWORD": "pw", "DUTYDESK_SMTP_FROM": "desk@example.cn",
           "DUTYDESK_SMTP_STARTTLS": "1", "DUTYDESK_BASE_URL": "https://desk.example.cn/"}
    settings = load_settings(env, instance_path="/tmp")
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.user, settings.smtp.password) == (
        "mail.example.cn", 587, "desk", "pw")
    assert settings.smtp.sender == "desk@example.cn" and settings.smtp.starttls
    assert settings.base_url == "https://desk.example.cn"
    bare = load_settings({"DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": TEST_SECRET}, instance_path="/tmp")
    assert (bare.smtp.host, bare.smtp.port, bare.smtp.starttls, bare.base_url) == ("", 25, False, "")
