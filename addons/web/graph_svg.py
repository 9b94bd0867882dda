"""Charts drawn on the server as SVG: bars, lines and pies, with axes, ticks, a legend and a
tooltip (``<title>``) on every bar, point and slice.

No JavaScript library and nothing to download: the page embeds the markup these functions
return, the browser scales it (``viewBox``), screen readers read its ``aria-label`` and the
data table the page shows under it.  The functions take labels and numbers only — what to
measure, how to group and how numbers read in the user's language are decided by the caller
(``controllers/graphview.py``), which passes ``value_text`` to format a number.

Sane on edge cases: no data (a message in the frame), one group, negative values (the axis
crosses zero; a pie leaves out what is not positive), many groups (thinner bars, every n-th
label; a pie keeps its largest slices and sums the rest as "Others"), long labels (cut, the
whole text in the tooltip).
"""
import math

from markupsafe import Markup, escape

WIDTH, HEIGHT = 800, 420
#: distinct colours that keep apart for the common colour blindnesses (Okabe-Ito, then more)
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#7f7f7f",
           "#714b67", "#017e84", "#8c564b", "#bcbd22")
CHAR_PX = 7.2                   # the width of a character of the 12px labels, roughly
MAX_PIE_SLICES = 8


def colour(index):
    return PALETTE[index % len(PALETTE)]


def _n(value):
    """A coordinate as short text."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def shorten(text, chars):
    text = str(text)
    return text if len(text) <= chars else text[:max(1, chars - 1)] + "…"


# ---------------------------------------------------------------- scales
def nice_ticks(low, high, count=5):
    """Round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if low == high:
        low, high = (0, 1) if low == 0 else (min(0, low), max(0, high))
    span = high - low
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 2.5, 5, 10) if factor * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


class _Frame:
    """The plot area of a bar or line chart: margins, the value axis, the category bands."""

    def __init__(self, categories, low, high, value_text, legend_height):
        self.ticks = nice_ticks(min(0, low), max(0, high))
        tick_texts = [value_text(t) for t in self.ticks]
        self.left = 14 + CHAR_PX * max(len(t) for t in tick_texts)
        self.right = WIDTH - 16
        self.top = 12 + legend_height
        count = max(len(categories), 1)
        band = (self.right - self.left) / count
        longest = max((len(str(c)) for c in categories), default=0)
        self.rotate = longest * CHAR_PX > band - 4
        self.label_chars = 18 if self.rotate else max(3, int((band - 4) / CHAR_PX))
        self.bottom = HEIGHT - (24 + (min(longest, self.label_chars) * CHAR_PX * 0.64 if self.rotate else 0))
        self.band = band
        # every n-th label when the bands are too narrow even for rotated labels
        self.every = max(1, math.ceil(16 / band)) if self.rotate else 1
        self.tick_texts = tick_texts
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def y(self, value):
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)

    def x(self, index):
        return self.left + index * self.band

    def axes(self, categories):
        parts = []
        for tick, text in zip(self.ticks, self.tick_texts):
            y = self.y(tick)
            parts.append(Markup('<line class="o-grid{zero}" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
                                '<text class="o-tick" x="{tx}" y="{ty}" text-anchor="end">{text}</text>').format(
                zero=" o-zero" if tick == 0 else "", x1=_n(self.left), x2=_n(self.right), y=_n(y),
                tx=_n(self.left - 6), ty=_n(y + 4), text=text))
        for index, label in enumerate(categories):
            if index % self.every:
                continue
            x = self.x(index) + self.band / 2
            y = self.bottom + 16
            text = shorten(label, self.label_chars)
            if self.rotate:
                parts.append(Markup('<text class="o-category" x="{x}" y="{y}" text-anchor="end" '
                                    'transform="rotate(-40 {x} {y})"><title>{full}</title>{text}</text>').format(
                    x=_n(x), y=_n(y - 6), full=label, text=text))
            else:
                parts.append(Markup('<text class="o-category" x="{x}" y="{y}" text-anchor="middle">'
                                    '<title>{full}</title>{text}</text>').format(x=_n(x), y=_n(y), full=label,
                                                                               text=text))
        parts.append(Markup('<line class="o-axis" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>').format(
            x=_n(self.left), top=_n(self.top), bottom=_n(self.bottom)))
        return Markup("").join(parts)


# ---------------------------------------------------------------- the frame of every chart
def _svg(kind, label, body, height=HEIGHT):
    return Markup('<svg class="o-chart o-chart-{kind}" xmlns="http://www.w3.org/2000/svg" '
                  'viewBox="0 0 {w} {h}" role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet">'
                  '<title>{label}</title>{body}</svg>').format(kind=kind, w=WIDTH, h=height, label=label,
                                                              body=body)


def empty_chart(label, message):
    return _svg("empty", label, Markup('<text class="o-chart-empty" x="{x}" y="{y}" text-anchor="middle">'
                                       '{message}</text>').format(x=WIDTH // 2, y=HEIGHT // 2, message=message),
                height=HEIGHT // 2 + 40)


def legend(labels, width=WIDTH, x0=8, y0=6):
    """(markup, height) of a legend of ``labels`` in rows that wrap at ``width``."""
    parts = []
    x, y = x0, y0
    for index, label in enumerate(labels):
        text = shorten(label, 28)
        item = 18 + len(text) * CHAR_PX + 16
        if x + item > width and x > x0:
            x, y = x0, y + 20
        parts.append(Markup('<g class="o-legend-item"><rect x="{x}" y="{y}" width="12" height="12" rx="2" '
                            'fill="{fill}"/><text x="{tx}" y="{ty}"><title>{full}</title>{text}</text></g>').format(
            x=_n(x), y=_n(y), fill=colour(index), tx=_n(x + 17), ty=_n(y + 11), full=label, text=text))
        x += item
    return Markup('<g class="o-legend">{}</g>').format(Markup("").join(parts)), (y - y0 + 24 if labels else 0)


def _tooltip(category, series_label, text, several):
    return f"{category} · {series_label}: {text}" if several else f"{category}: {text}"


# ---------------------------------------------------------------- bars and lines
def _stack_extent(series, count, stacked):
    values = [v for _label, vals in series for v in vals if v is not None]
    if not stacked:
        return (min(values, default=0), max(values, default=0))
    highs, lows = [0] * count, [0] * count
    for _label, vals in series:
        for i, v in enumerate(vals):
            if v is None:
                continue
            if v >= 0:
                highs[i] += v
            else:
                lows[i] += v
    return (min(lows, default=0), max(highs, default=0))


def bar_chart(categories, series, value_text, label, stacked=False, no_data="No data", tick_text=None):
    """Bars of ``series`` (``[(label, [value per category])]``) over ``categories``;
    ``value_text`` writes a value in tooltips, ``tick_text`` (default: the same) on the axis."""
    if not categories or not series:
        return empty_chart(label, no_data)
    several = len(series) > 1
    legend_markup, legend_height = legend([s[0] for s in series]) if several else (Markup(""), 0)
    low, high = _stack_extent(series, len(categories), stacked)
    frame = _Frame(categories, low, high, tick_text or value_text, legend_height)
    inner = frame.band * 0.8
    width = inner if stacked else inner / len(series)
    bars = []
    base_up, base_down = [0.0] * len(categories), [0.0] * len(categories)
    for s_index, (s_label, values) in enumerate(series):
        for c_index, value in enumerate(values):
            if value is None:
                continue
            x = frame.x(c_index) + frame.band * 0.1 + (0 if stacked else s_index * width)
            if stacked:
                start = base_up[c_index] if value >= 0 else base_down[c_index]
                end = start + value
                if value >= 0:
                    base_up[c_index] = end
                else:
                    base_down[c_index] = end
            else:
                start, end = 0, value
            top, bottom = sorted((frame.y(start), frame.y(end)))
            bars.append(Markup('<rect class="o-bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                               '<title>{tip}</title></rect>').format(
                x=_n(x), y=_n(top), w=_n(max(width - 1, 1)), h=_n(max(bottom - top, 0.5)), fill=colour(s_index),
                tip=_tooltip(categories[c_index], s_label, value_text(value), several)))
    body = legend_markup + frame.axes(categories) + Markup('<g class="o-bars">{}</g>').format(Markup("").join(bars))
    return _svg("bar", label, body)


def line_chart(categories, series, value_text, label, stacked=False, no_data="No data", tick_text=None):
    """Lines of ``series`` over ``categories`` (stacked: each line on top of the previous)."""
    if not categories or not series:
        return empty_chart(label, no_data)
    several = len(series) > 1
    legend_markup, legend_height = legend([s[0] for s in series]) if several else (Markup(""), 0)
    if stacked:
        totals = [0.0] * len(categories)
        stacked_series = []
        for s_label, values in series:
            totals = [t + (v or 0) for t, v in zip(totals, values)]
            stacked_series.append((s_label, list(totals), values))
    else:
        stacked_series = [(s_label, values, values) for s_label, values in series]
    plotted = [(s_label, shown) for s_label, shown, _values in stacked_series]
    low, high = _stack_extent(plotted, len(categories), False)
    frame = _Frame(categories, low, high, tick_text or value_text, legend_height)
    lines = []
    for s_index, (s_label, shown, values) in enumerate(stacked_series):
        points, dots = [], []
        for c_index, (y_value, value) in enumerate(zip(shown, values)):
            if y_value is None:
                if len(points) > 1:
                    lines.append(_polyline(points, s_index))
                points = []
                continue
            x, y = frame.x(c_index) + frame.band / 2, frame.y(y_value)
            points.append((x, y))
            dots.append(Markup('<circle class="o-point" cx="{x}" cy="{y}" r="4" fill="{fill}"><title>{tip}</title>'
                               '</circle>').format(x=_n(x), y=_n(y), fill=colour(s_index),
                                                   tip=_tooltip(categories[c_index], s_label,
                                                                value_text(value or 0), several)))
        if len(points) > 1:
            lines.append(_polyline(points, s_index))
        lines.extend(dots)
    body = legend_markup + frame.axes(categories) + Markup('<g class="o-lines">{}</g>').format(Markup("").join(lines))
    return _svg("line", label, body)


def _polyline(points, index):
    return Markup('<polyline class="o-line" fill="none" stroke="{stroke}" stroke-width="2.5" points="{points}"/>') \
        .format(stroke=colour(index), points=" ".join(f"{_n(x)},{_n(y)}" for x, y in points))


# ---------------------------------------------------------------- pies
def pie_slices(items, others_label, limit=MAX_PIE_SLICES):
    """``items`` (``[(label, value)]``) as slices: the positive values only, the largest
    ``limit - 1`` of them and their rest summed as ``others_label`` when there are more."""
    positive = [(label, value) for label, value in items if value is not None and value > 0]
    if len(positive) <= limit:
        return positive
    ranked = sorted(positive, key=lambda item: item[1], reverse=True)
    kept = ranked[:limit - 1]
    return kept + [(others_label, sum(value for _label, value in ranked[limit - 1:]))]


def pie_chart(slices, value_text, label, no_data="No data"):
    """A pie of ``slices`` (``[(label, positive value)]``, see :func:`pie_slices`)."""
    total = sum(value for _label, value in slices)
    if not slices or total <= 0:
        return empty_chart(label, no_data)
    cx, cy, r = 200, HEIGHT / 2, HEIGHT / 2 - 20
    parts = []
    angle = -math.pi / 2
    for index, (s_label, value) in enumerate(slices):
        share = value / total
        tip = f"{s_label}: {value_text(value)} ({share * 100:.1f} %)"
        if share >= 0.99999:
            parts.append(Markup('<circle class="o-slice" cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"><title>{tip}'
                                '</title></circle>').format(cx=_n(cx), cy=_n(cy), r=_n(r), fill=colour(index), tip=tip))
            break
        end = angle + share * 2 * math.pi
        x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
        parts.append(Markup('<path class="o-slice" d="M{cx} {cy} L{x1} {y1} A{r} {r} 0 {large} 1 {x2} {y2} Z" '
                            'fill="{fill}"><title>{tip}</title></path>').format(
            cx=_n(cx), cy=_n(cy), x1=_n(x1), y1=_n(y1), r=_n(r), large=1 if share > 0.5 else 0, x2=_n(x2),
            y2=_n(y2), fill=colour(index), tip=tip))
        angle = end
    items = []
    for index, (s_label, value) in enumerate(slices):
        y = 40 + index * 26
        text = f"{shorten(s_label, 30)} — {value / total * 100:.1f} %"
        items.append(Markup('<g class="o-legend-item"><rect x="430" y="{y}" width="14" height="14" rx="2" '
                            'fill="{fill}"/><text x="452" y="{ty}"><title>{full}</title>{text}</text></g>').format(
            y=_n(y), fill=colour(index), ty=_n(y + 12), full=s_label, text=text))
    body = Markup('<g class="o-slices">{}</g><g class="o-legend">{}</g>').format(
        Markup("").join(parts), Markup("").join(items))
    return _svg("pie", label, body, height=max(HEIGHT, 40 + len(slices) * 26 + 20))
