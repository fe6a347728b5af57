"""The supervisors' dashboard as its users meet it: the tiles and the late panel of a scope,
every number a link to the very cases behind it, the map's grid values and heat layer,
the workers' load, and who may open which scope."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.dashboard import TREND_WEEKS, month_label, previous_period, weekly_trend
from assessment.scopes import Scope, parse_period
from assessment.services.rollups import rollups_refresh
from tests import factories, people
from tests.assessment.story import day_zero
from tests.incidents.cases import report

NUMBER_LINK = re.compile(r'href="(/assessment/cases/\?[^"]+)">\s*([0-9]+)\s*<')
CASE_COUNT = re.compile(r'id="case-count">\s*([0-9]+)')


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board(place, clock):
    """Day zero's cases, rolled up; the dashboard's query string for the grid's street."""
    cases = day_zero(place, clock)
    clock.at(0, 23)
    rollups_refresh()
    street = place["grid"].street
    return {
        "cases": cases,
        "query": f"scope=street:{street.pk}&period={month_label(clock.day(0))}",
    }


def _rows_behind(client: Client, href: str) -> tuple[int, int]:
    """The count a list of cases states, and the rows it lists over all its pages."""
    page, rows, stated = 1, 0, None
    while True:
        html = client.get(f"{href}&page={page}").content.decode()
        stated = int(CASE_COUNT.search(html).group(1))
        rows += html.count("<tr data-ticket=")
        if 'rel="next"' not in html:
            return stated, rows
        page += 1


def test_every_number_links_to_exactly_that_many_cases(place, board):
    client = _client(place["supervisor"])
    html = client.get(f"/assessment/?{board['query']}").content.decode()
    links = NUMBER_LINK.findall(html)
    figures = {re.search(r"figure=(\w+)", href).group(1) for href, _n in links}
    assert {"reported", "closed", "closed_on_time", "reworks", "overdue"} <= figures
    for href, shown in links:
        stated, rows = _rows_behind(client, unescape(href))
        assert stated == rows == int(shown), href


def test_the_tiles_show_what_happened_against_the_previous_period(place, board):
    html = _client(place["staff"]).get(f"/assessment/?{board['query']}").content.decode()
    tile = lambda key: re.sub(  # noqa: E731
        r"<[^>]+>|\s", "", re.search(rf'data-key="{key}".*?kpi-value">(.*?)</div>', html, re.S)[1]
    )
    # Four reports (one rejected), three closed (one of them after a stage went red).
    assert tile("reported") == "4"
    assert tile("closed") == "3"
    assert tile("closed_on_time") == "2"
    assert tile("reworks") == "1"
    assert tile("unsatisfied") == "1"
    assert "before:" in html  # the previous month had nothing: no change is claimed
    assert 'class="kpi-tile better"' not in html


def test_the_late_panel_counts_the_red_stage_and_the_escalation(place, board):
    html = _client(place["supervisor"]).get(f"/assessment/?{board['query']}").content.decode()
    panel = html[html.index('id="late-panel"') : html.index('id="volume-chart"')]
    numbers = [int(n) for _href, n in NUMBER_LINK.findall(panel)]
    assert numbers == [1, 1, 0, 0]


def test_a_scope_outside_the_users_reach_is_404_and_a_bad_one_falls_back(place, board):
    elsewhere = factories.street(number=3)
    client = _client(place["staff"])
    assert client.get(f"/assessment/?scope=street:{elsewhere.pk}").status_code == 404
    assert (
        client.get(f"/assessment/cases/?scope=street:{elsewhere.pk}&figure=reported").status_code
        == 404
    )
    assert client.get(f"/assessment/heat/?scope=street:{elsewhere.pk}").status_code == 404
    fallback = client.get("/assessment/?scope=nonsense&period=2026-13")
    assert fallback.status_code == 200
    text = fallback.content.decode()
    assert "Give the scope as kind:id" in text and "is not a period" in text


def test_a_grid_worker_opens_their_grid_and_cannot_list_the_street(place, board):
    client = _client(place["worker"])
    html = client.get("/assessment/").content.decode()
    assert place["grid"].code in re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    street = place["grid"].street
    assert client.get(f"/assessment/?scope=street:{street.pk}").status_code == 404


def test_someone_without_a_place_gets_404_and_an_anonymous_visitor_signs_in(db):
    assert _client(people.user()).get("/assessment/").status_code == 404
    assert Client().get("/assessment/").status_code == 302


def test_an_unknown_figure_is_404(place, board):
    client = _client(place["supervisor"])
    assert client.get(f"/assessment/cases/?{board['query']}&figure=nonsense").status_code == 404


def test_the_heat_layer_holds_every_reported_case_once(place, board):
    body = _client(place["supervisor"]).get(f"/assessment/heat/?{board['query']}").json()
    assert sum(cell[2] for cell in body["cells"]) == 4


def test_the_map_values_and_the_workload_of_the_street(place, board):
    client = _client(place["supervisor"])
    response = client.get(f"/assessment/?{board['query']}&metric=reported")
    features = response.context["map_data"]["features"]
    values = {f["properties"]["code"]: f["properties"]["value"] for f in features}
    assert values[place["grid"].code] == 4.0
    assert response.context["workload"][0]["worker"] == place["profile"]


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_cases(place, board, clock):
    client = _client(place["supervisor"])
    cache.clear()  # the forecast's cache: both runs compute it
    with CaptureQueriesContext(connection) as few:
        client.get(f"/assessment/?{board['query']}")
    community = place["grid"].community
    for number in range(5, 9):
        grid = factories.grid(parent=community, number=number)
        clock.at(0, 23, number)
        report({**place, "grid": grid}, "hotline")
    rollups_refresh()
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(f"/assessment/?{board['query']}")
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("label", "before"),
    [("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026", "2025"), ("2026-W01", "2025-W52")],
)
def test_the_previous_period_is_the_one_just_before(label, before):
    assert previous_period(parse_period(label)).label == before


def test_the_xlsx_report_has_the_numbers_of_the_page(place, board):
    client = _client(place["supervisor"])
    page = client.get(f"/assessment/?{board['query']}")
    response = client.get(f"/assessment/report.xlsx?{board['query']}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    shown = {str(row["tile"].label): row["value"] for row in page.context["board"]["tiles"]}
    written = {row[0]: row[1] for row in rows}
    assert written.keys() == shown.keys()
    for label, value in shown.items():
        assert (written[label] is None and value is None) or float(written[label]) == float(value)
    late = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [value for _label, value in late] == [1, 1, 0, 0]
    weekly = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert sum(row[-3] for row in weekly) == 4  # every report of the period, by week


def test_the_weekly_trend_ends_with_this_week_in_a_period_still_running(place, board, clock):
    today = clock.day(0)
    street = Scope("street", place["grid"].street_id)

    trend = weekly_trend(place["supervisor"], street, today + timedelta(days=60))

    assert trend[-1]["start"] == today - timedelta(days=today.weekday())
    assert len(trend) == TREND_WEEKS
    assert sum(week["reported"] for week in trend) == 4  # day zero's reports, in this week


def test_a_rate_links_to_the_cases_it_is_computed_over(place, board):
    client = _client(place["supervisor"])
    page = client.get(f"/assessment/?{board['query']}")
    html = page.content.decode()
    tile = html[html.index('data-key="public_report_rate"') :]
    href = unescape(re.search(r'href="(/assessment/cases/\?[^"]+)"', tile)[1])
    assert "figure=public_filed" in href
    stated, rows = _rows_behind(client, href)
    figures = page.context["board"]["found"]["figures"]
    assert stated == rows == figures["public_filed"] == 1  # the hotline case
