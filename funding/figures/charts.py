"""Geometry for the server-rendered SVG charts of the public pages.

The charts are drawn on the server so that they work without JavaScript, print well and
need no inline script under the Content Security Policy. Every chart's data is also shown
as a table next to it; these functions only turn values into bar positions.
"""

from dataclasses import dataclass, field
from decimal import Decimal

# The drawing area in SVG user units; the SVG scales to its container.
WIDTH = 640
LABEL_WIDTH = 240
VALUE_WIDTH = 110
BAR_HEIGHT = 22
ROW_GAP = 10
COLUMN_HEIGHT = 180
COLUMN_TOP = 20
AXIS_LABEL_HEIGHT = 2  # the axis labels are page text under the drawing


@dataclass
class Bar:
    label: str
    value: Decimal | int
    x: float
    y: float
    width: float
    height: float
    text_x: float = 0
    text_y: float = 0
    label_x: float = 0
    tick: str = ""
    tick_sub: str = ""
    series: str = ""
    percent: float = 0  # horizontal bars: the bar's length as a share of the longest, 0 to 100


@dataclass
class Chart:
    """Bars ready to draw, with the size of the drawing."""

    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    baseline_y: float = 0
    largest: Decimal | int = 0

    @property
    def is_empty(self) -> bool:
        return not self.bars or all(not bar.value for bar in self.bars)


def horizontal_bars(*, rows: list[tuple[str, Decimal | int]]) -> Chart:
    """One bar per row, longest for the largest value (a breakdown by region, strand, topic)."""
    largest = max((abs(Decimal(value)) for _, value in rows), default=Decimal(0))
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    chart = Chart(height=max(len(rows), 1) * (BAR_HEIGHT + ROW_GAP) + ROW_GAP, largest=largest)
    for index, (label, value) in enumerate(rows):
        share = float(abs(Decimal(value)) / largest) if largest else 0.0
        y = ROW_GAP + index * (BAR_HEIGHT + ROW_GAP)
        width = max(share * span, 1.0 if value else 0.0)
        chart.bars.append(
            Bar(
                label=label,
                value=value,
                x=LABEL_WIDTH,
                y=y,
                width=round(width, 1),
                height=BAR_HEIGHT,
                text_x=round(LABEL_WIDTH + width + 6, 1),
                text_y=round(y + BAR_HEIGHT * 0.7, 1),
                label_x=LABEL_WIDTH - 8,
                percent=round(max(share * 100, 0.5 if value else 0.0), 1),
            )
        )
    return chart


def columns(*, points: list[tuple[str, Decimal | int]], ticks: list[tuple[str, str]] | None = None) -> Chart:
    """One column per point in time, left to right (a figure at the end of each quarter).

    `ticks` are the two-line axis labels under the columns; an empty pair leaves a column
    unlabelled, so that many quarters stay readable.
    """
    largest = max((abs(Decimal(value)) for _, value in points), default=Decimal(0))
    count = max(len(points), 1)
    slot = WIDTH / count
    bar_width = min(slot * 0.7, 60)
    baseline = COLUMN_TOP + COLUMN_HEIGHT
    chart = Chart(height=baseline + AXIS_LABEL_HEIGHT, baseline_y=baseline, largest=largest)
    ticks = ticks or [("", "")] * len(points)
    for index, (label, value) in enumerate(points):
        share = float(abs(Decimal(value)) / largest) if largest else 0.0
        height = round(share * COLUMN_HEIGHT, 1)
        x = index * slot + (slot - bar_width) / 2
        chart.bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=height,
                text_x=round(index * slot + slot / 2, 1),
                text_y=baseline + 18,
                tick=ticks[index][0],
                tick_sub=ticks[index][1],
            )
        )
    return chart


def paired_columns(
    *, points: list[tuple[str, Decimal | int, Decimal | int]], ticks: list[tuple[str, str]] | None = None
) -> Chart:
    """Two columns per point in time on one scale: the first and the second series side by side.

    Used for granted vs paid out (Mittelabfluss); the bars carry `series` "first" or "second".
    """
    largest = max((abs(Decimal(value)) for _, *values in points for value in values), default=Decimal(0))
    count = max(len(points), 1)
    slot = WIDTH / count
    bar_width = min(slot * 0.38, 30)
    baseline = COLUMN_TOP + COLUMN_HEIGHT
    chart = Chart(height=baseline + AXIS_LABEL_HEIGHT, baseline_y=baseline, largest=largest)
    ticks = ticks or [("", "")] * len(points)
    for index, (label, *values) in enumerate(points):
        left = index * slot + (slot - 2 * bar_width) / 2
        for offset, (series, value) in enumerate(zip(("first", "second"), values, strict=True)):
            share = float(abs(Decimal(value)) / largest) if largest else 0.0
            height = round(share * COLUMN_HEIGHT, 1)
            chart.bars.append(
                Bar(
                    label=label,
                    value=value,
                    x=round(left + offset * bar_width, 1),
                    y=round(baseline - height, 1),
                    width=round(bar_width, 1),
                    height=height,
                    text_x=round(index * slot + slot / 2, 1),
                    text_y=baseline + 18,
                    tick=ticks[index][0] if offset == 0 else "",
                    tick_sub=ticks[index][1] if offset == 0 else "",
                    series=series,
                )
            )
    return chart
