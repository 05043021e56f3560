"""Local servers for the patrol tests: a TCP listener and an HTTP server on 127.0.0.1 ephemeral ports."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PLUGIN_DIR = "/usr/lib/nagios/plugins"
LOCAL = "127.0.0.1"


def plugin(name: str) -> str:
    """Path of a Debian monitoring plugin, skipping the test when it is not installed."""
    path = os.path.join(PLUGIN_DIR, name)
    if not os.access(path, os.X_OK):
        pytest.skip(f"{path} absent: install monitoring-plugins-basic")
    return path


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch) -> Path:
    """An allowed plugin directory (with Debian's) for scripts the test writes: ``DUTYDESK_PLUGIN_DIRS``."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    monkeypatch.setenv("DUTYDESK_PLUGIN_DIRS", f"{folder}:{PLUGIN_DIR}")
    return folder


def write_plugin(folder: Path, body: str, name: str = "check_test") -> str:
    """An executable /bin/sh plugin with ``body`` in ``folder``; its path."""
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def tcp_port() -> Iterator[int]:
    """A listening TCP port that accepts and closes connections."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # how long the end of the test waits for the loop to see ``stop``
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(1)
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    """Routes: /health (200 'status: ok'), /slow (0.3 s), /hang (1.5 s), /error (500), /redirect (to /health)."""

    def do_GET(self) -> None:
        if self.path in ("/slow", "/hang"):
            time.sleep(0.3 if self.path == "/slow" else 1.5)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/health")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # /hang's client has given up
            self._reply(500 if self.path == "/error" else 200)

    def _reply(self, status: int) -> None:
        body = b"status: ok" if status == 200 else b"boom"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_http(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """Run ``server`` in a thread for the duration of a fixture."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_url() -> Iterator[str]:
    """Base URL of a local HTTP server (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    for running in serve_http(server):
        yield f"http://127.0.0.1:{running.server_address[1]}"


@pytest.fixture
def https_server(tmp_path) -> Iterator[tuple[str, str]]:
    """(base URL, CA file) of a local HTTPS server with a self-signed certificate for 127.0.0.1."""
    pytest.importorskip("cryptography", reason="cryptography not installed: no test certificate")

    cert_file, key_file = make_self_signed(tmp_path, days=30)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    for running in serve_http(server):
        yield f"https://127.0.0.1:{running.server_address[1]}", cert_file


def make_self_signed(folder: Path, days: int) -> tuple[str, str]:
    """Write cert.pem and key.pem for 127.0.0.1 valid for ``days`` days; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOCAL))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file.write_bytes(key_bytes)
    return str(cert_file), str(key_file)
