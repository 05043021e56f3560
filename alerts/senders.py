"""The I/O of delivery: HTTP posts to robots and webhooks (httpx), e-mail through SMTP (smtplib), and the
catalogs messages are rendered with.

The scheduler has no Flask app, so messages are translated with Babel's own :class:`babel.support.Translations`
loaded from the same ``translations/`` folder (and the same compiled catalog) Flask-Babel reads: one catalog per
language, loaded once per process. Everything here raises :class:`DeliveryError` with a short reason.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from babel import Locale
from babel.support import NullTranslations, Translations

from alerts import channels
from alerts.channels import Gettext, Rendered
from desk.settings import Settings, SmtpSettings

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
HTTP_TIMEOUT = 10.0
SMTP_TIMEOUT = 15.0


class DeliveryError(Exception):
    """A delivery that did not happen; ``permanent`` when trying again cannot help (no address, no server)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Target:
    """Where one notification goes: a channel's kind, URL or address, signing secret and name."""

    kind: str
    address: str
    secret: str = ""
    name: str = ""


@lru_cache(maxsize=8)
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [str(Locale.parse(language))], domain="messages")


def gettext_for(language: str) -> Gettext:
    """``_(msgid, **params)`` translating into ``language`` (zh_CN or en) as Flask-Babel's gettext does."""
    catalog = _catalog(language if language in ("zh_CN", "en") else "zh_CN")

    def translate(msgid: str, **params: Any) -> str:
        text = catalog.gettext(msgid)
        return text % params if params else text

    return translate


def render_for(message: dict[str, Any], *, language: str, settings: Settings) -> Rendered:
    """The message rendered in ``language`` with the desk's zone and base URL."""
    base = settings.base_url or f"http://localhost:{settings.port}"
    return channels.render(message, _=gettext_for(language), tz=ZoneInfo(settings.timezone), base_url=base,
                           language=language)


def deliver(target: Target, rendered: Rendered, *, message: dict[str, Any], delivery_id: int, now: datetime,
            settings: Settings, client: httpx.Client) -> str:
    """Send one notification; raise :class:`DeliveryError` when the channel did not take it.

    Returns a note for the record ('' normally): WeCom's mention message failing after its card went through is
    noted, not retried, since a retry would post the card again.
    """
    if not target.address:
        raise DeliveryError("no address to send to", permanent=True)
    if target.kind == "email":
        send_email(settings.smtp, channels.email_message(rendered, sender=settings.smtp.sender,
                                                         to=target.address, delivery_id=delivery_id))
    elif target.kind == "wecom":
        return post_wecom(client, target.address, rendered, delivery_id)
    elif target.kind == "dingtalk":
        url = channels.dingtalk_url(target.address, target.secret, int(now.timestamp() * 1000))
        post_robot(client, "dingtalk", url, channels.dingtalk_request(rendered), delivery_id)
    elif target.kind == "feishu":
        payload = channels.feishu_request(rendered, secret=target.secret, timestamp_s=int(now.timestamp()))
        post_robot(client, "feishu", target.address, payload, delivery_id)
    elif target.kind == "webhook":
        post_webhook(client, target, rendered, message=message, delivery_id=delivery_id, now=now)
    else:
        raise DeliveryError(f"unknown channel kind {target.kind!r}", permanent=True)
    return ""


def _post(client: httpx.Client, url: str, *, content: bytes | None = None, json: Any = None,
          headers: dict[str, str] | None = None) -> httpx.Response:
    try:
        response = client.post(url, content=content, json=json, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")
    return response


def post_robot(client: httpx.Client, kind: str, url: str, payload: dict[str, Any], delivery_id: int) -> None:
    """POST a robot's JSON; an ``errcode``/``code`` other than 0 in the answer is a failure too."""
    response = _post(client, url, json=payload, headers={"X-DutyDesk-Delivery": str(delivery_id)})
    try:
        answer = response.json()
    except ValueError:
        answer = None
    error = channels.robot_answer_error(kind, answer)
    if error:
        raise DeliveryError(error[:500])


def post_wecom(client: httpx.Client, url: str, rendered: Rendered, delivery_id: int) -> str:
    """The markdown card (its failure is the delivery's), then the mention (its failure only noted)."""
    card, *mentions = channels.wecom_requests(rendered)
    post_robot(client, "wecom", url, card, delivery_id)
    for payload in mentions:
        try:
            post_robot(client, "wecom", url, payload, delivery_id)
        except DeliveryError as exc:
            return f"card sent; mention not sent: {exc}"[:500]
    return ""


def post_webhook(client: httpx.Client, target: Target, rendered: Rendered, *, message: dict[str, Any],
                 delivery_id: int, now: datetime) -> None:
    """POST the signed generic webhook JSON; any 2xx answer is a delivery."""
    stamp = int(now.timestamp())
    body = channels.webhook_body(message, rendered, delivery_id=delivery_id, timestamp_s=stamp)
    headers = channels.webhook_headers(body, secret=target.secret, delivery_id=delivery_id, timestamp_s=stamp)
    _post(client, target.address, content=body, headers=headers)


def send_email(smtp: SmtpSettings, mail: Any) -> None:
    """Hand ``mail`` to the SMTP server of the settings (STARTTLS and login when configured)."""
    if not smtp.host:
        raise DeliveryError("e-mail is not configured (DUTYDESK_SMTP_HOST is empty)", permanent=True)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipient refused: {exc.recipients}"[:500], permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}"[:500]) from exc


def http_client() -> httpx.Client:
    """A client for deliveries: short timeouts, no redirects (a robot that redirects is misconfigured)."""
    return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False,
                        headers={"User-Agent": "dutydesk-notifier/1"})


_SHARED: list[httpx.Client] = []
_SHARED_LOCK = threading.Lock()


def shared_client() -> httpx.Client:
    """The process's delivery client, made once: building one loads the CA store (~0.3 s), and its connection
    pool keeps robot connections open between dispatcher runs. httpx clients are safe to share between threads."""
    with _SHARED_LOCK:
        if not _SHARED:
            _SHARED.append(http_client())
        return _SHARED[0]
