"""Which charting library the reports use: page weight and render time of two candidates, measured.

Usage:
    python bench/chart_choice.py --plotly-wheel PATH/plotly-6.3.0-py3-none-any.whl [--checks 60] [--repeat 5]

Candidates (both from PyPI packages, nothing from a CDN):
- pygal: SVG drawn on the server (``reports.charts``), inlined into the page; no JavaScript at all;
- plotly: ``plotly.min.js`` shipped inside the plotly wheel, served by the app, drawing from a JSON figure.

For the report's biggest chart (patrol success per check, ``--checks`` bars × 2 series) it prints the bytes the
browser downloads for the chart, the server time to produce it, and Chromium's time from navigation to the chart
being drawn (load event for pygal; ``Plotly.newPlot`` resolved for plotly), medians of ``--repeat``. The plotly
figure is built as a plain dict (what ``plotly.graph_objects`` would serialise) so the server time is a lower
bound for plotly.

Figures (2026-12-01, load average 10, so times are several times the machine's alone):

    python bench/chart_choice.py --plotly-wheel plotly-6.3.0-py3-none-any.whl
    60 checks x 2 series   bytes to the browser   server ms   browser ms to drawn
    pygal                                58,862       649.1                   825
    plotly                            4,766,647         0.3                10,328  (4,763,993 of it plotly.min.js)

pygal: 80x fewer bytes and a chart drawn 12x sooner, at the price of server time; no JavaScript at all (nothing
for a CSP to allow), and the SVG prints as it is. Chosen.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports import charts, core


def sample(n: int) -> list[core.CheckPatrol]:
    return [core.CheckPatrol(i, f"check-{i:03d}", 8640, 8630 - i, 8640, 8600 - i * 3, {}, 0.0, 0) for i in range(n)]


def pygal_chart(checks: list[core.CheckPatrol]) -> str:
    return str(charts.patrol_success(checks, "Patrol success per check", "Success rate %", "Runs made %"))


def plotly_figure(checks: list[core.CheckPatrol]) -> str:
    names = [c.name for c in checks]
    data = [{"type": "bar", "orientation": "h", "name": label, "y": names, "x": [round(fn(c) * 100, 2) for c in checks]}
            for label, fn in (("Success rate %", lambda c: c.success_rate), ("Runs made %", lambda c: c.made_rate))]
    return json.dumps({"data": data, "layout": {"title": {"text": "Patrol success per check"},
                                                 "height": 120 + 28 * len(checks), "xaxis": {"range": [0, 100]}}})


def timed(fn, *args, repeat: int) -> tuple[float, object]:
    spent, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        spent.append(time.perf_counter() - t)
    return statistics.median(spent), out


def browser_ms(html: Path, ready: str, repeat: int) -> float:
    from playwright.sync_api import sync_playwright

    spent = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        for _ in range(repeat):
            tab = browser.new_page()
            tab.goto(html.as_uri())
            tab.wait_for_function(ready, timeout=60_000)
            spent.append(tab.evaluate("window.drawnAt || performance.now()"))
            tab.close()
        browser.close()
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plotly-wheel", required=True)
    parser.add_argument("--checks", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    checks = sample(args.checks)
    work = Path(tempfile.mkdtemp(prefix="chart-choice-"))
    with zipfile.ZipFile(args.plotly_wheel) as wheel:
        (work / "plotly.min.js").write_bytes(wheel.read("plotly/package_data/plotly.min.js"))
    js_bytes = (work / "plotly.min.js").stat().st_size
    pygal_s, svg = timed(pygal_chart, checks, repeat=args.repeat)
    plotly_s, figure = timed(plotly_figure, checks, repeat=args.repeat)
    (work / "pygal.html").write_text(f"<!doctype html><meta charset=utf-8><body>{svg}</body>", encoding="utf-8")
    (work / "plotly.html").write_text(
        "<!doctype html><meta charset=utf-8><body><div id=c></div><script src=plotly.min.js></script>"
        f"<script>const f={figure};Plotly.newPlot('c',f.data,f.layout).then(()=>{{window.drawnAt=performance.now()}})"
        "</script></body>", encoding="utf-8")
    pygal_ms = browser_ms(work / "pygal.html", "document.readyState === 'complete'", args.repeat)
    plotly_ms = browser_ms(work / "plotly.html", "window.drawnAt !== undefined", args.repeat)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.checks} checks x 2 series, medians of {args.repeat}")
    print(f"{'':8} {'bytes to the browser':>22} {'server ms':>10} {'browser ms to drawn':>20}")
    print(f"{'pygal':8} {len(svg):>22,} {pygal_s * 1000:>10.1f} {pygal_ms:>20.0f}")
    print(f"{'plotly':8} {js_bytes + len(figure):>22,} {plotly_s * 1000:>10.1f} {plotly_ms:>20.0f}"
          f"   ({js_bytes:,} of it plotly.min.js, cacheable)")


if __name__ == "__main__":
    main()
