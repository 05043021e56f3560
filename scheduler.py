"""The patrol process: runs every enabled check on its interval. Only this process patrols.

Start it beside the web app (``make run`` does); see monitoring/ for the check engine.
"""

from __future__ import annotations

import logging
import signal
import sys
import time

log = logging.getLogger("dutydesk.scheduler")


def main() -> int:
    """Wait for checks to patrol until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: no checks yet")
    while running:
        time.sleep(0.5)
    log.info("scheduler stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
