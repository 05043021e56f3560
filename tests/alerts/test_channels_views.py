"""The channels page and CLI (managers), the e-mail choice page (everyone), wants_email, /metrics."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update
from sqlmodel import Session, select

from alerts import preferences
from alerts.models import Channel, Notification
from desk.models import AuditEvent, Person
from desk.settings import SmtpSettings
from tests.alerts.outbox_support import T0, add_alert, add_channel, add_notification, receiver, row
from tests.conftest import csrf_token, page_csrf

ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


def _engine(app):
    return app.extensions["dutydesk.engine"]


def _audit(app, action):
    with Session(_engine(app)) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def _channel(app, name):
    with Session(_engine(app)) as session:
        return session.exec(select(Channel).where(Channel.name == name)).one()


def _post_form(client, url, form_url, **data):
    return client.post(url, data={"csrf_token": page_csrf(client, form_url), **data})


def _new(client, **data):
    fields = {"name": "ops-ding", "kind": "dingtalk", "target": ROBOT, "secret": "SECtop", "language": "zh_CN",
              "enabled": "y", **data}
    return _post_form(client, "/alerts/channels/new", "/alerts/channels/new", **fields)


def test_manager_creates_a_channel_whose_secret_is_never_shown_back(app, login_as):
    client = login_as("manager")
    assert _new(client).status_code == 302
    page = client.get("/alerts/channels").get_data(as_text=True)
    assert "ops-ding" in page and "access_token=…cdef" in page and "0123456789abcdef" not in page
    channel = _channel(app, "ops-ding")
    edit = client.get(f"/alerts/channels/{channel.id}/edit").get_data(as_text=True)
    assert "SECtop" not in edit and "Leave empty to keep the current secret." in edit
    response = _post_form(client, f"/alerts/channels/{channel.id}/edit", f"/alerts/channels/{channel.id}/edit",
                          name="ops-ding", kind="dingtalk", target=ROBOT, secret="", language="en", enabled="y")
    assert response.status_code == 302
    assert (_channel(app, "ops-ding").secret, _channel(app, "ops-ding").language) == ("SECtop", "en")
    (created,), (updated,) = _audit(app, "channel.create"), _audit(app, "channel.update")
    assert created.actor == "manager1" and "secret" not in created.after and created.after["has_secret"]
    assert updated.before["language"] == "zh_CN" and updated.after["language"] == "en"


def test_bad_input_is_shown_on_its_field_and_kept(app, login_as):
    client = login_as("manager")
    response = _new(client, target="ftp://robots.example/x", name="typed name")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "http:// or https:// URL" in html and 'value="typed name"' in html
    response = _new(client, kind="email", target="not-an-address")
    assert response.status_code == 422 and "Enter an e-mail address" in response.get_data(as_text=True)
    _new(client)
    assert "Another channel has this name." in _new(client).get_data(as_text=True)
    with Session(_engine(app)) as session:
        assert len(list(session.exec(select(Channel)))) == 1


def test_disable_and_enable_happen_once(app, login_as):
    client = login_as("manager")
    _new(client)
    cid = _channel(app, "ops-ding").id
    token = page_csrf(client, "/alerts/channels")
    first = client.post(f"/alerts/channels/{cid}/disable", data={"csrf_token": token}, follow_redirects=True)
    assert "Channel ops-ding disabled." in first.get_data(as_text=True)
    again = client.post(f"/alerts/channels/{cid}/disable", data={"csrf_token": token}, follow_redirects=True)
    assert "already was disabled" in again.get_data(as_text=True)
    assert len(_audit(app, "channel.disable")) == 1 and not _channel(app, "ops-ding").enabled
    client.post(f"/alerts/channels/{cid}/enable", data={"csrf_token": token})
    assert _channel(app, "ops-ding").enabled and len(_audit(app, "channel.enable")) == 1


def test_send_a_test_message(app, login_as):
    client = login_as("manager")
    with receiver(default=(200, {"errcode": 0, "errmsg": "ok"})) as robot, \
            receiver(default=(200, {"errcode": 310000, "errmsg": "sign not match"})) as wrong:
        _new(client, name="good", target=robot.url("/robot/send?access_token=t"))
        _new(client, name="bad", target=wrong.url("/robot/send?access_token=t"))
        token = page_csrf(client, "/alerts/channels")
        ok = client.post(f"/alerts/channels/{_channel(app, 'good').id}/test", data={"csrf_token": token},
                         follow_redirects=True).get_data(as_text=True)
        bad = client.post(f"/alerts/channels/{_channel(app, 'bad').id}/test", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
        (got,) = robot.wait(1)
    assert "Test message sent to good." in ok and "sign not match" in bad
    assert got.query["sign"] and "值班台测试" in got.json()["markdown"]["text"]
    assert [e.after["ok"] for e in _audit(app, "channel.test")] == [True, False]


def test_failed_notifications_are_listed_and_retried_once(app, login_as):
    engine = _engine(app)
    alert = add_alert(engine, title="core switch down")
    nid = add_notification(engine, alert_id=alert, channel_id=add_channel(engine, kind="wecom", target=ROBOT,
                                                                          name="ops-wecom"))
    with engine.begin() as conn:
        conn.execute(update(Notification.__table__).values(status="failed", attempts=6, last_error="HTTP 502: bad"))
    client = login_as("manager")
    page = client.get("/alerts/channels").get_data(as_text=True)
    assert f'id="failed-{nid}"' in page and "core switch down" in page and "HTTP 502: bad" in page
    token = csrf_token(page)
    done = client.post(f"/alerts/channels/notifications/{nid}/retry", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "back in the outbox" in done
    again = client.post(f"/alerts/channels/notifications/{nid}/retry", data={"csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "not failed any more" in again
    retried = row(engine, nid)
    assert (retried.status, retried.attempts) == ("pending", 0) and len(_audit(app, "notification.retry")) == 1


def test_everyone_chooses_their_own_alert_emails(app, client, login_as, make_person):
    make_person("noaddr", role="watcher")
    login_as("leader", "lead", email="lead@example.cn")
    with Session(_engine(app)) as session:
        ids = {p.username: p.id for p in session.exec(select(Person))}
        assert preferences.wants_email(session, ids.values()) == {ids["lead"]}  # default on, with an address
    page = client.get("/alerts/me/notifications").get_data(as_text=True)
    assert "lead@example.cn" in page and 'checked' in page
    response = client.post("/alerts/me/notifications", data={"csrf_token": csrf_token(page)})  # unticked
    assert response.status_code == 302
    with Session(_engine(app)) as session:
        assert preferences.wants_email(session, ids.values()) == set()
        assert not preferences.email_enabled(session, ids["lead"])
    (event,) = _audit(app, "notification.preference")
    assert (event.before, event.after) == ({"email": True}, {"email": False})
    client.post("/alerts/me/notifications", data={"csrf_token": csrf_token(page), "email": "y"})
    with Session(_engine(app)) as session:
        assert preferences.wants_email(session, [ids["lead"]]) == {ids["lead"]}


def test_cli_add_list_disable(app, runner):
    result = runner.invoke(args=["channels", "add", "--name", "hook", "--kind", "webhook", "--target",
                                 "https://hooks.example.cn/dd?token=supersecret99", "--secret", "k1"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["channels", "add", "--name", "x", "--kind", "webhook", "--target", "file:///etc"])
    assert bad.exit_code == 2 and "http:// or https:// URL" in bad.output
    listed = runner.invoke(args=["channels", "list"]).output
    assert "hook" in listed and "supersecret99" not in listed and "token=…et99" in listed and "k1" not in listed
    assert runner.invoke(args=["channels", "disable", "hook"]).exit_code == 0
    assert runner.invoke(args=["channels", "disable", "nope"]).exit_code == 2
    assert not _channel(app, "hook").enabled
    assert [e.actor for e in _audit(app, "channel.create") + _audit(app, "channel.disable")] == ["cli", "cli"]


def test_metrics_show_outbox_figures(app, client):
    engine = _engine(app)
    add_notification(engine, alert_id=add_alert(engine), kind="email", target="a@example.cn", due=T0)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'dutydesk_notifications{kind="email",status="pending"} 1.0' in text
    assert "# TYPE dutydesk_notifications_sent_total counter" in text
    assert 'dutydesk_notifications_failed_total{kind="feishu"} 0.0' in text


def test_the_pages_say_when_the_desk_has_no_mail_server(app, login_as):
    client = login_as("manager")
    assert 'id="no-mail-server"' in client.get("/alerts/channels").get_data(as_text=True)
    assert 'id="no-mail-server"' in client.get("/alerts/me/notifications").get_data(as_text=True)
    app.extensions["dutydesk.settings"] = replace(app.extensions["dutydesk.settings"],
                                                  smtp=SmtpSettings(host="mail.example.cn"))
    assert 'id="no-mail-server"' not in client.get("/alerts/channels").get_data(as_text=True)
