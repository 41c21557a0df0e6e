"""Server-side SVG charts: inline in the page, with <title>/<desc>, coloured by CSS classes.

Every chart is paired with a table of the same numbers in the template (the text alternative).
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

ROW = 28  # px per bar
LABEL_WIDTH = 190
BAR_WIDTH = 360
VALUE_WIDTH = 70


def bar_chart(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, float]], *,
              unit: str = "", marker: float | None = None, marker_label: str = "") -> Markup:
    """A horizontal bar chart; ``marker`` draws a vertical reference line (e.g. a benchmark)."""
    top = max([v for _, v in items] + [marker or 0, 0])
    scale = BAR_WIDTH / top if top else 0
    height = ROW * max(len(items), 1) + (ROW if marker is not None else 8)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    # Markup.format and Markup.join escape every value, so no label can break out of the SVG.
    parts = [
        Markup('<svg class="chart" id="{id}" role="img" viewBox="0 0 {width} {height}" '
               'width="100%" preserveAspectRatio="xMinYMin meet" '
               'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
               '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
               ).format(id=chart_id, width=width, height=height, title=title, desc=desc),
    ]
    for i, (label, value) in enumerate(items):
        y = i * ROW + 4
        bar = round(value * scale, 1)
        shown = _number(value) + (f" {unit}" if unit else "")
        parts.append(Markup(
            '<g class="chart-row"><text class="chart-label" x="{label_x}" y="{text_y}" '
            'text-anchor="end">{label}</text>'
            '<rect class="chart-bar chart-bar-{colour}" x="{bar_x}" y="{y}" width="{bar}" '
            'height="{bar_height}" rx="2"/>'
            '<text class="chart-value" x="{value_x}" y="{text_y}">{shown}</text></g>'
        ).format(label_x=LABEL_WIDTH - 8, text_y=y + 15, label=_clip(str(label)), colour=i % 6,
                 bar_x=LABEL_WIDTH, y=y, bar=bar, bar_height=ROW - 10,
                 value_x=LABEL_WIDTH + bar + 6, shown=shown))
    if marker is not None:
        x = round(LABEL_WIDTH + marker * scale, 1)
        parts.append(Markup(
            '<line class="chart-marker" x1="{x}" y1="0" x2="{x}" y2="{line_end}" '
            'stroke-dasharray="4 3"/>'
            '<text class="chart-marker-label" x="{x}" y="{label_y}" text-anchor="middle">'
            '{label}</text>'
        ).format(x=x, line_end=height - ROW + 6, label_y=height - 6, label=marker_label))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _clip(label: str, length: int = 28) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"
