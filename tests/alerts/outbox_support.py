"""Shared pieces of the delivery tests: a local HTTP receiver, a local SMTP server (aiosmtpd), outbox rows.

Rows are written directly, with messages in the outbox contract's shape (ALERTS.md), as the core's
``alerts.outbox.enqueue`` writes them.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from alerts.models import Alert, Channel, Notification
from desk.settings import Settings, SmtpSettings

T0 = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 2026-12-02 00:00 in Asia/Shanghai
BASE_URL = "https://desk.example.cn"


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A threaded HTTP server on 127.0.0.1 (random port) that records each POST and answers from ``answers``."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    default: tuple[int, Any] = (200, {"errcode": 0, "errmsg": "ok"})
    got: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests arrived (no sleeping: a condition with a timeout)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.got) >= count, timeout), f"got {len(self.got)}"
            return list(self.got)

    def _answer(self, request: Received) -> tuple[int, Any]:
        with self.arrived:
            self.got.append(request)
            self.arrived.notify_all()
            return self.answers.pop(0) if self.answers else self.default


@contextmanager
def receiver(*answers: tuple[int, Any], default: tuple[int, Any] | None = None) -> Iterator[Receiver]:
    """Run a :class:`Receiver` for the block."""
    state = Receiver(answers=list(answers), **({"default": default} if default else {}))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            status, answer = state._answer(Received(parts.path, parse_qs(parts.query), dict(self.headers), body))
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    # shutdown() waits for the loop's next look at its flag: every 0.05 s, not the default 0.5 s
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(**options: Any) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the block; ``options`` go to aiosmtpd's SMTP (TLS, auth)."""
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def settings_for(db_url: str = "", *, smtp_port: int = 0) -> Settings:
    """Settings as the scheduler reads them, with the desk's base URL and (optionally) the local SMTP server."""
    smtp = SmtpSettings(host="127.0.0.1" if smtp_port else "", port=smtp_port or 25, sender="desk@example.cn")
    return Settings(env="testing", database_url=db_url, base_url=BASE_URL, smtp=smtp)


def message(alert_id: int = 1, *, event: str = "raised", phones: tuple[str, ...] = ("13800000001",),
            occurrences: int = 1, routed_to: str = "leader") -> dict[str, Any]:
    """A message as ``alerts.outbox.enqueue`` writes it."""
    leader = {"username": "zhang", "name": "张伟", "phone": "13800000001"} if routed_to == "leader" else None
    return {
        "event": event,
        "alert": {"id": alert_id, "key": "patrol:db-port", "title": "db-port: connection refused",
                  "severity": "critical", "domain": "info", "status": "open", "source": "patrol",
                  "occurrences": occurrences, "first_seen": "2026-12-01T15:58:00+00:00",
                  "last_seen": "2026-12-01T15:59:30+00:00", "escalation_step": 0, "assignee": leader,
                  "watcher": {"username": "li", "name": "李娜", "phone": "13900000002"}, "routed_to": routed_to},
        "mention_phones": list(phones),
        "url": f"/alerts/{alert_id}",
    }


def add_alert(engine: Engine, *, title: str = "db-port: connection refused") -> int:
    with engine.begin() as conn:
        return conn.execute(insert(Alert.__table__).values(
            key=f"patrol:{title}", title=title, severity="critical", domain="info", source="patrol", status="open",
            version=1, details={}, occurrences=1, first_seen=T0, last_seen=T0, routed_to="leader",
            escalation_step=0, impact="", summary="").returning(Alert.__table__.c.id)).scalar_one()


def add_channel(engine: Engine, *, kind: str, target: str, secret: str = "", name: str | None = None,
                language: str = "zh_CN", enabled: bool = True) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(Channel.__table__).values(
            name=name or f"{kind}-{target[-12:]}", kind=kind, target=target, secret=secret, language=language,
            enabled=enabled, created_at=T0).returning(Channel.__table__.c.id)).scalar_one()


def add_notification(engine: Engine, *, alert_id: int | None, channel_id: int | None = None, kind: str = "webhook",
                     target: str = "", language: str = "zh_CN", person_id: int | None = None,
                     due: datetime = T0, msg: dict[str, Any] | None = None) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(Notification.__table__).values(
            alert_id=alert_id, event="raised", kind=kind, channel_id=channel_id, person_id=person_id, target=target,
            language=language, message=msg or message(alert_id or 1), status="pending", attempts=0,
            next_attempt_at=due, last_error="", created_at=due).returning(Notification.__table__.c.id)).scalar_one()


def row(engine: Engine, notification_id: int) -> Any:
    with engine.connect() as conn:
        table = Notification.__table__
        return conn.execute(select(table).where(table.c.id == notification_id)).one()
