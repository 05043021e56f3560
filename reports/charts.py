"""Charts drawn on the server as SVG with pygal (a PyPI package; nothing fetched by the browser, no script).

pygal puts a small config ``<script>`` and links to its tooltip JS into every SVG; both are dropped here
(``js=[]`` and :func:`_svg` removes the script element), so the charts work under a CSP without inline script
and print as they are. The numbers are always in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

from reports import core

STYLE = Style(background="transparent", plot_background="transparent", font_family="inherit",
              colors=("#2563eb", "#9ca3af", "#16a34a", "#dc2626", "#d97706"), label_font_size=12,
              major_label_font_size=12, legend_font_size=12, value_font_size=11, title_font_size=14)


def _config(**extra: object) -> dict:
    return {"js": [], "style": STYLE, "disable_xml_declaration": True, "explicit_size": False,
            "print_values": False, "show_legend": True, "legend_at_bottom": True, **extra}


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    """The chart as inline SVG markup without pygal's script element."""
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    text = etree.tostring(tree, encoding="unicode") if hasattr(etree, "tostring") else ""
    return Markup(text)


def patrol_success(checks: Sequence[core.CheckPatrol], title: str, success: str, made: str) -> Markup:
    """Success rate and share of runs made per check, as horizontal bars (0–100 %)."""
    height = 120 + 28 * max(1, len(checks))
    chart = pygal.HorizontalBar(**_config(width=760, height=height, range=(0, 100), title=title))
    chart.x_labels = [c.name for c in checks]
    chart.add(success, [_pct(c.success_rate) for c in checks])
    chart.add(made, [_pct(c.made_rate) for c in checks])
    return _svg(chart)


def fairness_bars(rows: Sequence[core.PersonLoad], groups: Sequence[core.GroupLoad], metric: str, title: str,
                  label: str) -> Markup:
    """``metric`` per person as bars, people side by side with their group; each bar's whisker is the group's
    band (its lowest and highest), so a bar outside the engine's aim stands out."""
    bands = {m: g.spread(metric) for g in groups for m in g.members}
    ordered = sorted(rows, key=lambda r: (r.group, r.name))
    chart = pygal.Bar(**_config(width=760, height=340, title=title, x_label_rotation=30, show_legend=False))
    chart.x_labels = [r.name for r in ordered]
    chart.add(label, [_with_band(getattr(r, metric), bands.get(r.username)) for r in ordered])
    return _svg(chart)


def _with_band(value: int, band: core.Spread | None) -> dict:
    if band is None:
        return {"value": value}
    return {"value": value, "ci": {"low": band.low, "high": band.high}}


def kpi_trend(kpis: Sequence[core.Kpi], labels: Sequence[str], this: str, before: str, target: str) -> Markup:
    """This period against the previous one and the target, per KPI (percent)."""
    style = Style(**{**STYLE.to_dict(), "colors": ("#9ca3af", "#2563eb", "#16a34a")})
    chart = pygal.Bar(**_config(width=760, height=320, range=(0, 100), style=style))
    chart.x_labels = list(labels)
    chart.add(before, [_pct(k.previous) for k in kpis])
    chart.add(this, [_pct(k.value) for k in kpis])
    chart.add(target, [_pct(k.target) for k in kpis])
    return _svg(chart)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _short(value: float) -> str:
    """A number to one decimal at most (the secondary axis's labels are scaled from the first's: 4.1333…)."""
    return f"{round(value, 1):g}"


def alert_volume(days: Sequence[core.AlertFigures], title: str, count: str, ack: str) -> Markup:
    """Alerts per day as bars and the median minutes to acknowledge on a secondary axis (nothing without alerts)."""
    if not days:
        return Markup("")
    chart = pygal.Bar(**_config(width=760, height=320, title=title, x_label_rotation=45,
                                show_minor_x_labels=len(days) <= 31, value_formatter=_short))
    chart.x_labels = [d.label[5:] for d in days]  # 10-08 for a day, W41 for a week
    chart.add(count, [d.count for d in days])
    acks = [None if d.ack_median is None else round(d.ack_median / 60, 1) for d in days]
    if any(a is not None for a in acks):  # pygal cannot scale a secondary axis with no value
        chart.add(ack, acks, secondary=True)
    return _svg(chart)
