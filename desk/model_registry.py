"""Imports every module that defines tables, so Alembic and the tests see the whole schema.

Each package adds its models module here when it gets tables.
"""

import alerts.models  # noqa: F401
import desk.models  # noqa: F401
import monitoring.models  # noqa: F401
import reports.models  # noqa: F401
import roster.models  # noqa: F401
