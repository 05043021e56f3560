"""What a notification says and how each channel wants it: pure functions, no I/O, time and words passed in.

A notification's ``message`` (the outbox contract in ALERTS.md) is rendered at delivery in the recipient's
language by :func:`render`, then shaped for its channel: an e-mail, a WeCom / DingTalk / Feishu group-robot
request (with the channels' own signing), or the desk's generic outgoing webhook (JSON signed with HMAC-SHA256).

Mentions: DingTalk @-mentions the mobiles of ``at.atMobiles`` when the text also names them (``@138…``). WeCom's
markdown cannot mention anyone, so a WeCom delivery is the markdown card followed by a short text message whose
``mentioned_mobile_list`` rings the on-duty person. A Feishu robot can only @-mention by user id (which the desk
does not know), so its message names the people and their phones in the text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from desk.accounts import N_

Gettext = Callable[..., str]  # _(msgid, **params) -> the text in the recipient's language
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
SIGNATURE_HEADER = "X-DutyDesk-Signature"
EVENT_WORDS = {
    "raised": N_("New alert"), "severity_raised": N_("Severity raised"),
    "reminder": N_("Reminder: not acknowledged yet"),
    "escalated": N_("Escalated to the managers"), "repeat": N_("Still not acknowledged"),
    "reassigned": N_("Reassigned"), "handed_over": N_("Handed over to the next shift"),
    "resolved": N_("Resolved"), "test": N_("Test message"),
}
SEVERITY_WORDS = {"critical": N_("critical"), "major": N_("major"), "minor": N_("minor"), "info": N_("info")}
DOMAIN_WORDS = {"info": N_("Information systems"), "comms": N_("Communications"), None: N_("Whole desk")}
SOURCE_WORDS = {"patrol": N_("patrol check"), "alertmanager": N_("Prometheus Alertmanager"),
                "webhook": N_("webhook"), "manual": N_("raised by hand")}
STATUS_WORDS = {"open": N_("open"), "acknowledged": N_("acknowledged"), "resolved": N_("resolved")}


@dataclass(frozen=True)
class Rendered:
    """A notification in words: a headline, labelled lines, the link to the alert and the phones to mention."""

    subject: str
    headline: str
    lines: tuple[tuple[str, str], ...]
    link: str
    link_text: str
    mentions: tuple[str, ...]
    language: str
    pair: str = "%(label)s: %(value)s"  # a labelled value in the language (Chinese takes a full-width colon)

    def line(self, label: str, value: str) -> str:
        """``label: value`` as the language writes it."""
        return self.pair % {"label": label, "value": value}

    @property
    def text(self) -> str:
        """Plain text: headline, one ``label: value`` line each, the link."""
        body = [self.headline, *(self.line(label, value) for label, value in self.lines)]
        return "\n".join([*body, self.line(self.link_text, self.link)])

    @property
    def markdown(self) -> str:
        """The same as markdown (the subset WeCom, DingTalk and Feishu all read)."""
        body = [f"### {self.headline}", *(self.line(f"**{label}**", value) + "  " for label, value in self.lines)]
        return "\n".join([*body, f"[{self.link_text}]({self.link})"])


def local_time(value: str | None, tz: ZoneInfo) -> str:
    """An ISO-8601 UTC instant from the message as ``YYYY-MM-DD HH:MM`` in the desk's zone."""
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _person(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    name = value.get("name") or value.get("username") or ""
    return f"{name} ({value['phone']})" if value.get("phone") else name


def _who(alert: dict[str, Any], _: Gettext) -> str:
    """Who is on it: the assignee (or the managers when no roster covers the moment) and the watcher."""
    holder = _person(alert.get("assignee"))
    if alert.get("routed_to") == "managers":
        holder = holder or _("the managers (no published roster covers this moment)")
    watcher = _person(alert.get("watcher"))
    if watcher:
        return _("%(holder)s; watcher %(watcher)s", holder=holder or "-", watcher=watcher)
    return holder or "-"


def render(message: dict[str, Any], *, _: Gettext, tz: ZoneInfo, base_url: str, language: str) -> Rendered:
    """The message of a notification in words, in the language ``_`` translates to.

    Says what (title, event), where (domain and source), since when, how severe, who is on it, and links to
    the alert at ``base_url`` + its url.
    """
    alert = message.get("alert") or {}
    event = _(EVENT_WORDS.get(message.get("event", ""), N_("Alert")))
    severity = _(SEVERITY_WORDS.get(alert.get("severity", ""), N_("major")))
    title = str(alert.get("title", ""))
    since = local_time(alert.get("first_seen"), tz)
    if int(alert.get("occurrences") or 1) > 1:
        since = _("%(time)s (%(count)d times, last %(last)s)", time=since, count=int(alert["occurrences"]),
                  last=local_time(alert.get("last_seen"), tz))
    lines = [
        (_("Alert"), title),
        (_("Severity"), severity),
        (_("Where"), f"{_(DOMAIN_WORDS.get(alert.get('domain'), N_('Whole desk')))} · "
                     f"{_(SOURCE_WORDS.get(alert.get('source', ''), N_('webhook')))}"),
        (_("Since"), f"{since} ({tz.key})"),
        (_("On duty"), _who(alert, _)),
        (_("Status"), _(STATUS_WORDS.get(alert.get("status", ""), N_("open")))),
    ]
    if int(alert.get("escalation_step") or 0) > 0:
        lines.append((_("Escalation step"), str(alert["escalation_step"])))
    headline = _("[%(severity)s] %(event)s: %(title)s", severity=severity, event=event, title=title)
    return Rendered(subject=headline, headline=headline, lines=tuple(lines),
                    link=f"{base_url.rstrip('/')}{message.get('url', '')}", link_text=_("Open the alert"),
                    mentions=tuple(str(p) for p in message.get("mention_phones") or () if p), language=language,
                    pair=_("%(label)s: %(value)s", label="%(label)s", value="%(value)s"))


# --------------------------------------------------------------------------------------------- e-mail

def email_message(rendered: Rendered, *, sender: str, to: str, delivery_id: int | str) -> EmailMessage:
    """A plain-text e-mail with an HTML alternative; ``X-DutyDesk-Delivery`` names the notification."""
    mail = EmailMessage()
    mail["Subject"] = rendered.subject
    mail["From"] = sender
    mail["To"] = to
    mail["X-DutyDesk-Delivery"] = str(delivery_id)
    mail.set_content(rendered.text)
    rows = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rendered.lines)
    mail.add_alternative(
        f"<html><body><h3>{escape(rendered.headline)}</h3><table>{rows}</table>"
        f"<p><a href=\"{escape(rendered.link)}\">{escape(rendered.link_text)}</a></p></body></html>",
        subtype="html")
    return mail


# --------------------------------------------------------------------------------------------- robots

def wecom_requests(rendered: Rendered) -> list[dict[str, Any]]:
    """WeCom group robot: the markdown card, then (when someone is on duty) a text message that mentions them."""
    requests = [{"msgtype": "markdown", "markdown": {"content": rendered.markdown}}]
    if rendered.mentions:
        requests.append({"msgtype": "text", "text": {"content": rendered.headline,
                                                     "mentioned_mobile_list": list(rendered.mentions)}})
    return requests


def dingtalk_request(rendered: Rendered) -> dict[str, Any]:
    """DingTalk group robot: markdown whose text names the mobiles that ``at.atMobiles`` mentions."""
    text = rendered.markdown
    if rendered.mentions:
        text += "\n\n" + " ".join(f"@{phone}" for phone in rendered.mentions)
    return {"msgtype": "markdown", "markdown": {"title": rendered.headline[:64], "text": text},
            "at": {"atMobiles": list(rendered.mentions), "isAtAll": False}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), not yet URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` added to its query string (URL-encoded)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def dingtalk_url(target: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` when the robot has a signing secret."""
    if not secret:
        return target
    return with_query(target, {"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)})


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_request(rendered: Rendered, *, secret: str, timestamp_s: int) -> dict[str, Any]:
    """Feishu group robot: a rich-text post (names and phones in the text; mentions need user ids)."""
    content = [[{"tag": "text", "text": rendered.line(label, value)}] for label, value in rendered.lines]
    content.append([{"tag": "a", "text": rendered.link_text, "href": rendered.link}])
    lang = "zh_cn" if rendered.language == "zh_CN" else "en_us"
    body: dict[str, Any] = {"msg_type": "post",
                            "content": {"post": {lang: {"title": rendered.headline, "content": content}}}}
    if secret:
        body.update(timestamp=str(timestamp_s), sign=feishu_sign(secret, timestamp_s))
    return body


def robot_answer_error(kind: str, answer: Any) -> str | None:
    """The failure a robot reports in an HTTP 200 answer (``errcode``/``code`` not 0), or None when it took it."""
    if not isinstance(answer, dict):
        return f"{kind}: the answer is not a JSON object"
    key, text_key = ("code", "msg") if kind == "feishu" else ("errcode", "errmsg")
    code = answer.get(key, answer.get("StatusCode"))
    if code in (0, "0"):
        return None
    return f"{kind} {key} {code}: {answer.get(text_key, answer.get('StatusMessage', ''))}"


# --------------------------------------------------------------------------------------------- webhook

def webhook_body(message: dict[str, Any], rendered: Rendered, *, delivery_id: int | str, timestamp_s: int) -> bytes:
    """The generic webhook's JSON: the outbox message, the rendered text, the link, the delivery id and time."""
    payload = {"delivery": str(delivery_id), "timestamp": timestamp_s, **message, "link": rendered.link,
               "language": rendered.language, "subject": rendered.subject, "text": rendered.text}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>`` (the body holds the timestamp, so it is signed too)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_headers(body: bytes, *, secret: str, delivery_id: int | str, timestamp_s: int) -> dict[str, str]:
    """Content type, delivery id (the receiver's idempotency key), timestamp and, with a secret, the signature."""
    headers = {"Content-Type": "application/json; charset=utf-8", "X-DutyDesk-Delivery": str(delivery_id),
               "Idempotency-Key": str(delivery_id), "X-DutyDesk-Timestamp": str(timestamp_s)}
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(secret, body)
    return headers


def redact_url(url: str) -> str:
    """A robot URL safe to show: each query value (WeCom ``key``, DingTalk ``access_token``) cut to its end."""
    parts = urlsplit(url)
    query = "&".join(f"{k}=…{v[-4:] if len(v) > 8 else ''}" for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=query))


def sample_message(now: datetime, *, phones: Sequence[str] = ()) -> dict[str, Any]:
    """A made-up message for a channel's test button, in the outbox's shape."""
    stamp = now.isoformat()
    alert = {"id": 0, "key": "dutydesk-test", "title": "Duty desk test / 值班台测试", "severity": "info",
             "domain": None, "status": "open", "source": "manual", "occurrences": 1, "first_seen": stamp,
             "last_seen": stamp, "escalation_step": 0, "assignee": None, "watcher": None, "routed_to": "leader"}
    return {"event": "test", "alert": alert, "mention_phones": list(phones), "url": "/board"}
