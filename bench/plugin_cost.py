"""Cost of a Nagios plugin run through monitoring.probes against spawning it directly with subprocess.

Usage: python bench/plugin_cost.py [RUNS]   (default 500 runs per way and plugin)

Three ways per plugin, interleaved in rounds so that drift in machine load hits them alike:
- direct:     subprocess.run([plugin, ...], capture_output=True)
- run_plugin: monitoring.probes.run_plugin (own process group, timeout, output and perfdata parsing)
- run_check:  monitoring.probes.run_check on a CheckSpec (adds spec validation and duration measurement)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from monitoring.checkspec import CheckSpec
from monitoring.probes import run_check, run_plugin

PLUGINS = "/usr/lib/nagios/plugins"
ROUNDS = 10


def listener(backlog: int = 128) -> int:
    """Start a TCP listener on 127.0.0.1 that accepts and closes; return its port."""
    server = socket.create_server(("127.0.0.1", 0), backlog=backlog)

    def serve() -> None:
        while True:
            conn, _ = server.accept()
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def timed(func: Callable[[], object], runs: int) -> list[float]:
    """Seconds per call for ``runs`` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return samples


def measure(command: list[str], runs: int) -> dict[str, list[float]]:
    """Interleaved samples of the three ways of running ``command``."""
    spec = CheckSpec("bench", "nagios", params={"command": command}, timeout=10)
    ways: dict[str, Callable[[], object]] = {
        "direct": lambda: subprocess.run(command, capture_output=True, check=False),
        "run_plugin": lambda: run_plugin(command, 10),
        "run_check": lambda: run_check(spec),
    }
    samples: dict[str, list[float]] = {name: [] for name in ways}
    per_round = max(1, runs // ROUNDS)
    for _ in range(ROUNDS):
        for name, func in ways.items():
            samples[name].extend(timed(func, per_round))
    return samples


def report(title: str, samples: dict[str, list[float]]) -> None:
    """Print mean and median per way, and the ratios to direct."""
    base_mean, base_median = statistics.fmean(samples["direct"]), statistics.median(samples["direct"])
    print(f"\n{title}  ({len(samples['direct'])} runs per way)")
    for name, values in samples.items():
        mean, median = statistics.fmean(values), statistics.median(values)
        print(
            f"  {name:<11} mean {mean * 1000:6.3f} ms  median {median * 1000:6.3f} ms"
            f"  ratio mean {mean / base_mean:5.3f}  ratio median {median / base_median:5.3f}"
        )


def main() -> None:
    """Run the benchmark for check_dummy and check_tcp."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    if not os.access(f"{PLUGINS}/check_dummy", os.X_OK):
        sys.exit(f"{PLUGINS}/check_dummy not found: apt-get install monitoring-plugins-basic")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    dummy = [f"{PLUGINS}/check_dummy", "0", "bench"]
    report("check_dummy 0", measure(dummy, runs))
    tcp = [f"{PLUGINS}/check_tcp", "-H", "127.0.0.1", "-p", str(listener())]
    report("check_tcp -H 127.0.0.1 -p <local listener>", measure(tcp, runs))


if __name__ == "__main__":
    main()
