"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import sys

from desk.app import create_app
from desk.settings import SettingsError

try:
    app = create_app()
except SettingsError as exc:  # a setting the operator must fix: one clear line, not a traceback
    print(f"dutydesk: {exc}", file=sys.stderr)
    sys.exit(2)
