"""TOML check files shared by the check-file parser tests and the ``flask checks`` CLI tests."""

# The first two checks; each test module appends its own third (and may add lines to "portal").
DB_PORT_AND_PORTAL = """\
[[checks]]
name = "db-port"
kind = "tcp"            # cpu | memory | swap | disk | load | process | tcp | http | nagios
domain = "info"         # info | comms
interval = 30
timeout = 5
max_attempts = 3
host = "127.0.0.1"
port = 5432

[[checks]]
name = "portal"
kind = "http"
domain = "info"
url = "https://portal.example.internal/health"
expect_status = [200]
keyword = "ok"
"""
