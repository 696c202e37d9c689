"""The dashboard's charts (monitoring.charts: a title, labels and series of numbers) drawn as inline SVG on the
server, for the printed report: a grouped bar chart and a line chart with axes, grid lines and a legend. No script:
WeasyPrint draws the SVG, and every label is an SVG <text> in a CJK font."""
import math

from markupsafe import Markup, escape

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', sans-serif"
#: Series colours, the dashboard's palette in the same order.
COLOURS = ("#2f6fb5", "#e07b39", "#3a9a5b", "#b5443a", "#7a5ab5", "#8c8c8c")
WIDTH, HEIGHT = 640, 300
#: Room left of, below, right of and above the plot area.
LEFT, BOTTOM, RIGHT, TOP = 56, 64, 16, 40
TICKS = 5


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above value (the axis' top), 1 for nothing."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (the loop ends at 10)


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value:,.0f}"


def _text(x: float, y: float, content, anchor: str = "middle", size: int = 11, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}"'
            f'{extra}>{escape(content)}</text>')


def _frame(chart: dict, top: float) -> list[str]:
    """The title, the horizontal grid with its values, the axes and the legend."""
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    parts = [_text(LEFT, 18, chart["title"], "start", 13, ' font-weight="bold"')]
    for tick in range(TICKS + 1):
        y = TOP + plot_h - plot_h * tick / TICKS
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(_text(LEFT - 6, y + 4, _number(top * tick / TICKS), "end", 10))
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#555"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#555"/>')
    x = LEFT + plot_w
    for index, series in reversed(list(enumerate(chart["series"]))):
        x -= 14 + 12 * len(series["name"]) + 10
        parts.append(f'<rect x="{x:.1f}" y="10" width="10" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>')
        parts.append(_text(x + 14, 19, series["name"], "start", 10))
    return parts


def _label(x: float, label: str, crowded: bool) -> str:
    y = HEIGHT - BOTTOM + 16
    if crowded:  # long or many labels turn 40° so that they do not overlap
        return _text(x, y, label, "end", 10, f' transform="rotate(-40 {x:.1f} {y:.1f})"')
    return _text(x, y, label, "middle", 10)


def _crowded(labels: list[str], slot: float) -> bool:
    return any(len(label) * 10 > slot for label in labels)


def bar_chart(chart: dict) -> Markup:
    """Grouped bars: one group per label, one bar per series, each with its value above it."""
    labels, series = chart["labels"], chart["series"]
    top = nice_ceiling(max((v for s in series for v in s["values"]), default=0))
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(labels), 1)
    bar = slot * 0.7 / max(len(series), 1)
    parts = _frame(chart, top)
    crowded = _crowded(labels, slot)
    for i, label in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.15
        for k, s in enumerate(series):
            value = s["values"][i]
            h = plot_h * value / top
            x, y = x0 + bar * k, TOP + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"/>')
            if value:
                parts.append(_text(x + bar * 0.46, y - 3, _number(value), "middle", 9))
        parts.append(_label(LEFT + slot * (i + 0.5), label, crowded))
    return _svg(chart, parts)


def line_chart(chart: dict) -> Markup:
    """One polyline per series across the labels (months), a dot on every point."""
    labels, series = chart["labels"], chart["series"]
    top = nice_ceiling(max((v for s in series for v in s["values"]), default=0))
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    step = plot_w / max(len(labels) - 1, 1)
    parts = _frame(chart, top)
    crowded = _crowded(labels, step)
    for k, s in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = [(LEFT + step * i, TOP + plot_h - plot_h * v / top) for i, v in enumerate(s["values"])]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points]
    for i, label in enumerate(labels):
        parts.append(_label(LEFT + step * i, label, crowded))
    return _svg(chart, parts)


def _svg(chart: dict, parts: list[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(chart["key"])}" '
                  f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
                  f'aria-label="{escape(chart["title"])}">' + "".join(parts) + "</svg>")


def render(chart: dict) -> Markup:
    """A chart of monitoring.charts.dashboard_charts as SVG, by its kind."""
    return line_chart(chart) if chart["kind"] == "line" else bar_chart(chart)
