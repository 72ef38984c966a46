"""An organisation's filings as a bar chart, laid out here and drawn as SVG by a template.

Turnover and profit for each accounting period, oldest on the left, one chart per
currency (figures in rand and in pounds share no scale). A loss is a bar below the zero
line, labelled "loss", so it does not rest on its colour. The table of filings beside the
chart stays the text alternative: the chart says so in its description.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from .models import format_money

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 36, 48  # room for the scale, the legend, the periods
MAX_BAR = 56  # one period alone still draws bars, not a slab
LABELLED_BAR = 34  # narrower bars leave their figure to the tooltip and the table
TICKS = 4

CURRENCY_NAMES = {"GBP": "pounds sterling", "EUR": "euros", "USD": "US dollars", "ZAR": "rand"}


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    colour: str


TURNOVER = Series("turnover", "Turnover", "#0b4f8a")
PROFIT_FIELDS = ("profit_before_tax", "operating_profit")  # the first a filing reports
PROFIT_NAMES = {"profit_before_tax": "Profit before tax", "operating_profit": "Operating profit"}
PROFIT_COLOUR, LOSS_COLOUR = "#3d7d3a", "#b42318"
LOSS = Series("loss", "Loss", LOSS_COLOUR)
LEGEND_SPACING = 150


@dataclass
class LegendItem:
    x: int
    series: Series


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    description: str  # "Profit before tax, year to 30 September 2022: £471,000"
    text: str  # the figure written by the bar, or "" where there is no room
    text_x: float
    text_y: float
    loss: bool = False


@dataclass
class Period:
    x: float
    label: str
    missing: list = field(default_factory=list)  # names of series not reported


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    key: str
    title: str
    description: str
    currency: str
    legend: list
    bars: list
    periods: list
    ticks: list
    zero_y: float
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def filings_charts(organisation, filings):
    """One chart per currency the filings use; none for filings without figures to draw."""
    ordered = sorted(filings, key=attrgetter("currency", "period_end"))
    by_currency = groupby(ordered, key=attrgetter("currency"))
    charts = (_chart(organisation, currency, list(rows)) for currency, rows in by_currency)
    return [chart for chart in charts if chart]


def period_label(filing):
    end = f"{filing.period_end.day} {filing.period_end:%B %Y}"
    if filing.period_months == 12:
        return f"Year to {end}"
    return f"{filing.period_months} months to {end}"


def profit_field(filings):
    for name in PROFIT_FIELDS:
        if any(getattr(filing, name) is not None for filing in filings):
            return name
    return PROFIT_FIELDS[0]


def _chart(organisation, currency, filings):
    profit = profit_field(filings)
    series = [TURNOVER, Series(profit, PROFIT_NAMES[profit], PROFIT_COLOUR)]
    values = [getattr(f, s.key) for f in filings for s in series]
    if all(value is None for value in values):
        return None
    scale = Scale([value for value in values if value is not None])
    slot = (WIDTH - LEFT - RIGHT) / len(filings)
    bar_width = min(MAX_BAR, slot * 0.36)
    periods, bars = [], []
    for index, filing in enumerate(filings):
        period = Period(round(LEFT + slot * (index + 0.5), 2), period_label(filing))
        periods.append(period)
        bars.extend(_period_bars(scale, series, filing, period, bar_width))
    names = " and ".join(s.name.lower() for s in series)
    return Chart(
        key=currency.lower(),
        title=f"{names.capitalize()} of {organisation}, by accounting period, in {currency}",
        description=_description(filings, names, currency),
        currency=currency,
        legend=legend([*series, LOSS] if scale.low < 0 else series),
        bars=bars,
        periods=periods,
        ticks=scale.ticks(currency),
        zero_y=scale.y(0),
    )


def _period_bars(scale, series, filing, period, bar_width):
    """The period's bars side by side about its centre; a figure not reported is noted."""
    for offset, one in zip((-1, 0), series, strict=True):
        value = getattr(filing, one.key)
        if value is None:
            period.missing.append(one.name.lower())
            continue
        x = round(period.x + offset * bar_width, 2)
        yield _bar(scale, one, value, filing.currency, x, bar_width, period)


def legend(series):
    return [LegendItem(LEFT + LEGEND_SPACING * n, one) for n, one in enumerate(series)]


def _bar(scale, series, value, currency, x, width, period):
    loss = value < 0
    top, bottom = sorted((scale.y(value), scale.y(0)))
    figure = format_money(value, currency)
    text = f"loss {format_money(-value, currency)}" if loss else figure
    return Bar(
        x=x,
        y=top,
        width=width,
        height=max(bottom - top, 1),  # a zero still shows as a line on the axis
        colour=LOSS_COLOUR if loss else series.colour,
        description=f"{series.name}, {period.label[0].lower()}{period.label[1:]}: {text}",
        text=text if width >= LABELLED_BAR else "",
        text_x=round(x + width / 2, 2),
        text_y=bottom + 13 if loss else top - 4,
        loss=loss,
    )


def _description(filings, names, currency):
    unit = CURRENCY_NAMES.get(currency, currency)
    count = len(filings)
    periods = "one accounting period" if count == 1 else f"{count} accounting periods"
    return (
        f"Bars for {names} in {unit} ({currency}), over {periods}, oldest first; "
        "a loss is drawn below the zero line. The table of reported figures gives the same "
        "figures with their sources."
    )


class Scale:
    """A linear scale from the figures' range, always including zero, to rounded limits."""

    def __init__(self, values):
        low, high = min(0, *map(float, values)), max(0, *map(float, values))
        self.step = nice_step((high - low) or 1)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step or self.step

    def y(self, value):
        share = (float(value) - self.low) / (self.high - self.low)
        return round(TOP + (1 - share) * (HEIGHT - TOP - BOTTOM), 2)

    def ticks(self, currency):
        count = round((self.high - self.low) / self.step)
        values = (self.low + self.step * n for n in range(count + 1))
        return [Tick(self.y(v), format_money(Decimal(repr(round(v, 2))), currency)) for v in values]


def nice_step(span, count=TICKS):
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` ticks."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
