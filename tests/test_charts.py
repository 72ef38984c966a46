"""The filings chart: an SVG drawn on the server, beside the table it is drawn from."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from investigations.charts import MAX_BAR, filings_charts, nice_step
from investigations.models import FinancialFiling
from tests.factories import cite, make_organisation, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = "published"
SVG = "{http://www.w3.org/2000/svg}"


def filing(organisation, period_end, **figures):
    return FinancialFiling.objects.create(
        organisation=organisation, period_end=period_end, **figures
    )


def drawn(organisation):
    """Each chart of the organisation's filings as an SVG element tree."""
    filings = list(organisation.filings.all())
    html = render_to_string(
        "includes/filings_chart.html", {"charts": filings_charts(organisation, filings)}
    )
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", html, re.S)]


def bars(svg):
    """Each bar's tooltip, geometry and written figure."""
    found = []
    for group in svg.iter(f"{SVG}g"):
        if "chart-bar" not in group.get("class", "").split():
            continue
        rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
        geometry = {name: float(rect.get(name)) for name in ("x", "y", "width", "height")}
        found.append(
            {
                "title": group.find(f"{SVG}title").text,
                "text": "" if text is None else text.text,
                **geometry,
            }
        )
    return found


def zero_line(svg):
    return float(
        next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-zero").get("y1")
    )


def texts(svg, group_class):
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == group_class)
    return [text.text for text in group.iter(f"{SVG}text")]


@pytest.fixture
def alliance():
    organisation = make_organisation(name="Alliance Medical Ltd", status=PUBLISHED)
    filing(organisation, "2022-09-30", turnover=169_600_000, profit_before_tax=471_000)
    filing(organisation, "2021-09-30", turnover=169_600_000, profit_before_tax=5_900_000)
    return organisation


def test_it_names_itself_and_describes_itself_for_assistive_technology(alliance):
    [svg] = drawn(alliance)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == (
        "Turnover and profit before tax of Alliance Medical Ltd, by accounting period, in GBP"
    )
    assert "pounds sterling (GBP)" in desc.text and "2 accounting periods" in desc.text
    assert "table" in desc.text


def test_it_draws_turnover_and_profit_for_each_period_oldest_first(alliance):
    [svg] = drawn(alliance)
    assert texts(svg, "chart-periods") == ["Year to 30 September 2021", "Year to 30 September 2022"]
    assert texts(svg, "chart-legend") == ["Turnover", "Profit before tax"]
    drawn_bars = bars(svg)
    assert [bar["title"] for bar in drawn_bars] == [
        "Turnover, year to 30 September 2021: £169.6m",
        "Profit before tax, year to 30 September 2021: £5.9m",
        "Turnover, year to 30 September 2022: £169.6m",
        "Profit before tax, year to 30 September 2022: £471,000",
    ]
    assert [bar["text"] for bar in drawn_bars] == ["£169.6m", "£5.9m", "£169.6m", "£471,000"]
    xs = [bar["x"] for bar in drawn_bars]
    assert xs == sorted(xs)
    # Taller for more: the bars stand on the zero line, scaled alike.
    zero = zero_line(svg)
    turnover, profit = drawn_bars[0], drawn_bars[1]
    assert turnover["y"] + turnover["height"] == pytest.approx(zero)
    assert turnover["height"] / profit["height"] == pytest.approx(169.6 / 5.9, rel=0.01)
    assert "£0" in texts(svg, "chart-scale")


def test_a_loss_is_drawn_below_the_zero_line_and_says_so(alliance):
    filing(alliance, "2023-09-30", turnover=150_000_000, profit_before_tax=-12_500_000)
    [svg] = drawn(alliance)
    loss = bars(svg)[-1]
    assert loss["title"] == "Profit before tax, year to 30 September 2023: loss £12.5m"
    assert loss["text"] == "loss £12.5m"
    assert loss["y"] == pytest.approx(zero_line(svg))  # hangs from the zero line
    assert "Loss" in texts(svg, "chart-legend")
    assert "-£" in " ".join(texts(svg, "chart-scale"))  # the scale runs below zero


def test_a_single_period_draws_a_bar_not_a_slab_and_says_what_is_missing(db):
    organisation = make_organisation(name="Life Healthcare", status=PUBLISHED)
    filing(organisation, "2022-03-31", period_months=6, currency="ZAR", turnover=13_500_000_000)
    [svg] = drawn(organisation)
    [turnover] = bars(svg)
    assert turnover["width"] == MAX_BAR
    assert turnover["title"] == "Turnover, 6 months to 31 March 2022: 13.5bn ZAR"
    assert texts(svg, "chart-periods") == [
        "6 months to 31 March 2022",
        "profit before tax not reported",
    ]
    assert "one accounting period" in svg.find(f"{SVG}desc").text
    assert "rand (ZAR)" in svg.find(f"{SVG}desc").text


def test_each_currency_gets_its_own_chart_with_its_own_ids(alliance):
    filing(alliance, "2020-12-31", currency="EUR", turnover=18_000_000)
    charts = drawn(alliance)
    assert [svg.find(f"{SVG}title").text.rsplit(" ", 1)[1] for svg in charts] == ["EUR", "GBP"]
    ids = [svg.get("aria-labelledby") for svg in charts]
    assert len(set(ids)) == 2


def test_it_uses_operating_profit_when_that_is_all_that_was_reported(db):
    organisation = make_organisation(status=PUBLISHED)
    filing(organisation, "2022-12-31", operating_profit=2_000_000)
    [svg] = drawn(organisation)
    assert texts(svg, "chart-legend") == ["Turnover", "Operating profit"]


def test_filings_without_turnover_or_profit_draw_no_chart(db):
    organisation = make_organisation(status=PUBLISHED)
    filing(organisation, "2022-12-31", net_assets=1_000)
    assert drawn(organisation) == []


def test_the_scale_steps_are_round():
    assert [nice_step(span) for span in (1, 7, 169_600_000, 13_500_000_000)] == [
        0.25,
        2,
        50_000_000,
        5_000_000_000,
    ]


def test_the_profile_shows_the_chart_before_the_table_and_escapes_the_name(client):
    organisation = make_organisation(name="Scans <b>& Co</b>", status=PUBLISHED)
    source = make_source()
    cite(organisation, source=source)
    cited = filing(organisation, "2022-09-30", turnover=Decimal("169600000"))
    cite(cited, source=source)
    cite(cited, "turnover", source=source)
    html = client.get(reverse("organisation_detail", args=[organisation.slug])).content.decode()
    assert html.index("<svg") < html.index("Reported figures by accounting period")
    assert "Scans &lt;b&gt;&amp; Co&lt;/b&gt;, by accounting period" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg and "<script" not in svg  # nothing the CSP would refuse


def test_a_figure_backed_only_by_an_unpublished_source_is_not_drawn(client):
    organisation = make_organisation(status=PUBLISHED)
    cite(organisation)
    shown = filing(organisation, "2022-09-30", turnover=Decimal("4000000"))
    cite(shown)
    cite(shown, "turnover")
    hidden = filing(organisation, "2021-09-30", turnover=Decimal("777000000"))
    cite(hidden, "turnover", source=make_source(status="draft"))
    html = client.get(reverse("organisation_detail", args=[organisation.slug])).content.decode()
    assert "£4m" in html
    assert "£777m" not in html
