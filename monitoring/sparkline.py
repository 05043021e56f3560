"""A latency trend as a tiny inline SVG, drawn on the server (no JavaScript chart library, nothing fetched)."""

from __future__ import annotations

from markupsafe import Markup, escape


def sparkline_svg(values: list[float], *, width: int = 120, height: int = 24, label: str = "") -> Markup:
    """An SVG polyline of ``values`` (oldest first) scaled to the box, with the last point marked.

    Fewer than two values give an empty string: one point is no trend. ``label`` becomes the SVG title
    (what a screen reader and a hovering mouse get).
    """
    if len(values) < 2:
        return Markup("")
    points = _points(values, width, height)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    title = f"<title>{escape(label)}</title>" if label else ""
    return Markup(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}">{title}'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{path}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2" fill="currentColor"/></svg>'
    )


def _points(values: list[float], width: int, height: int) -> list[tuple[float, float]]:
    """Screen coordinates: x spread evenly, y from the minimum (bottom) to the maximum (top), 2 px margin."""
    low, high = min(values), max(values)
    span = high - low or 1.0
    step = (width - 4) / (len(values) - 1)
    inner = height - 4
    flat = high == low
    return [(2 + i * step, 2 + (inner / 2 if flat else inner * (1 - (v - low) / span))) for i, v in enumerate(values)]
