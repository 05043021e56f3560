"""Each channel against a real local server: HTTP on 127.0.0.1 for robots and webhooks, aiosmtpd for e-mail.

The server side recomputes every signature from what it received, as the robot platforms do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import subprocess
from dataclasses import replace

import pytest

from alerts.senders import DeliveryError, Target, deliver, http_client, render_for
from desk.settings import SmtpSettings
from tests.alerts.outbox_support import T0, message, receiver, settings_for, smtp_server


def _send(target: Target, *, language: str = "zh_CN", smtp_port: int = 0, delivery_id: int = 11) -> None:
    settings = settings_for(smtp_port=smtp_port)
    msg = message(7)
    with http_client() as client:
        deliver(target, render_for(msg, language=language, settings=settings), message=msg,
                delivery_id=delivery_id, now=T0, settings=settings, client=client)


def test_webhook_is_signed_over_the_raw_body():
    with receiver(default=(204, b"")) as hook:
        _send(Target("webhook", hook.url(), secret="whsec"), language="en")
        (got,) = hook.wait(1)
    expected = "sha256=" + hmac.new(b"whsec", got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-DutyDesk-Signature"] == expected
    assert got.headers["X-DutyDesk-Delivery"] == "11"
    assert got.headers["X-DutyDesk-Timestamp"] == str(int(T0.timestamp()))
    body = got.json()
    assert body["alert"]["title"] == "db-port: connection refused" and body["language"] == "en"
    assert body["text"].startswith("[critical] New alert")


def test_dingtalk_signed_query_and_mentions():
    with receiver() as robot:
        _send(Target("dingtalk", robot.url("/robot/send?access_token=tok"), secret="SECabc"))
        (got,) = robot.wait(1)
    stamp = got.query["timestamp"][0]
    assert stamp == str(int(T0.timestamp() * 1000))
    digest = hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert got.query["sign"] == [base64.b64encode(digest).decode()] and got.query["access_token"] == ["tok"]
    body = got.json()
    assert body["at"]["atMobiles"] == ["13800000001"] and "@13800000001" in body["markdown"]["text"]
    assert "紧急" in body["markdown"]["text"]  # zh_CN by default for group robots


def test_feishu_signed_body():
    with receiver(default=(200, {"code": 0, "msg": "success"})) as robot:
        _send(Target("feishu", robot.url("/open-apis/bot/v2/hook/x"), secret="fsec"))
        (got,) = robot.wait(1)
    body = got.json()
    key = f"{body['timestamp']}\nfsec".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert "张伟 (13800000001)" in json.dumps(body["content"], ensure_ascii=False)


def test_wecom_markdown_then_mention():
    with receiver() as robot:
        _send(Target("wecom", robot.url("/cgi-bin/webhook/send?key=k")))
        first, second = robot.wait(2)
    assert first.json()["msgtype"] == "markdown"
    assert second.json()["text"]["mentioned_mobile_list"] == ["13800000001"]


@pytest.mark.parametrize(("kind", "answer"), [
    ("wecom", (200, {"errcode": 93000, "errmsg": "invalid webhook url"})),
    ("dingtalk", (200, {"errcode": 310000, "errmsg": "sign not match"})),
    ("feishu", (200, {"code": 19021, "msg": "sign match fail"})),
    ("webhook", (500, {"error": "down"})),
])
def test_failures_are_errors(kind, answer):
    with receiver(answer) as robot, pytest.raises(DeliveryError) as caught:
        _send(Target(kind, robot.url()))
    assert not caught.value.permanent
    assert ("93000" in str(caught.value)) or ("310000" in str(caught.value)) or ("19021" in str(caught.value)) \
        or ("HTTP 500" in str(caught.value))


def test_unreachable_server_is_a_retryable_error():
    with receiver() as robot:
        url = robot.url()
    with pytest.raises(DeliveryError) as caught:
        _send(Target("webhook", url))
    assert "ConnectError" in str(caught.value) and not caught.value.permanent


def test_email_through_a_real_smtp_server_in_the_recipients_language():
    with smtp_server() as box:
        _send(Target("email", "zhang@example.cn"), language="zh_CN", smtp_port=box.port)
        _send(Target("email", "amy@example.cn"), language="en", smtp_port=box.port)
    zh, en = box.messages
    assert box.envelopes[0] == ("desk@example.cn", ["zhang@example.cn"])
    assert zh["Subject"] == "【紧急】新告警：db-port: connection refused"
    assert "打开告警：https://desk.example.cn/alerts/7" in zh.get_body(("plain",)).get_content()
    assert en["Subject"] == "[critical] New alert: db-port: connection refused" and en["To"] == "amy@example.cn"


def test_email_without_a_server_configured_is_permanent():
    with pytest.raises(DeliveryError) as caught:
        _send(Target("email", "zhang@example.cn"))
    assert caught.value.permanent and "DUTYDESK_SMTP_HOST" in str(caught.value)


def test_email_with_starttls_and_login(tmp_path, monkeypatch):
    """STARTTLS with the server's certificate verified (trusted here through SSL_CERT_FILE), then AUTH LOGIN."""
    from aiosmtpd.smtp import AuthResult

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    logins = []

    def authenticate(server, session, envelope, mechanism, data):
        logins.append((data.login, data.password))
        # handled=False: the server answers 535 itself (a handled failure is never answered, and the client
        # would fail only when SMTP_TIMEOUT ran out, 15 s later)
        return AuthResult(success=data.login == b"desk" and data.password == b"pw", handled=False)

    with smtp_server(tls_context=server_tls, require_starttls=True, authenticator=authenticate) as box:
        smtp = SmtpSettings(host="127.0.0.1", port=box.port, user="desk", password="pw", sender="desk@example.cn",
                            starttls=True)
        settings = replace(settings_for(), smtp=smtp)
        msg = message(7)
        deliver(Target("email", "zhang@example.cn"), render_for(msg, language="en", settings=settings), message=msg,
                delivery_id=3, now=T0, settings=settings, client=None)  # type: ignore[arg-type]
        with pytest.raises(DeliveryError, match="SMTPAuthenticationError"):
            wrong = replace(settings, smtp=replace(smtp, password="nope"))
            deliver(Target("email", "zhang@example.cn"), render_for(msg, language="en", settings=wrong),
                    message=msg, delivery_id=4, now=T0, settings=wrong, client=None)  # type: ignore[arg-type]
    assert logins[0] == (b"desk", b"pw") and len(box.messages) == 1
    assert box.messages[0]["X-DutyDesk-Delivery"] == "3"
