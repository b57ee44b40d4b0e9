"""Revenue and customer trends by month: figures against hand-computed data, each filter, access
per role, the links to the parties behind each figure, the CSV tables and the reader's locale."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import Role, Team, User
from clientela.analytics.models import LifecycleChange
from clientela.analytics.services.trends import trend_filters, trends
from clientela.commerce.models import OrderStatus
from clientela.parties.models import Party
from clientela.segments.models import Segment, SegmentKind, StaticMember
from tests.analytics.conftest import ApiClient, WebClient
from tests.factories import aware, make_order, make_party, make_rate, make_user

pytestmark = pytest.mark.django_db
PERIOD: dict[str, Any] = {"from_month": "2024-01", "to_month": "2024-04"}
FIELDS = ("revenue", "orders", "customers", "new_customers", "lost_customers")


@dataclass
class Shop:
    """Five customers whose figures per month are worked out by hand below."""

    a: Party
    b: Party
    c: Party
    d: Party
    e: Party
    owner: User
    team_a: Team


def _order(party: Party, day: date, total: str, currency: str = "EUR", **extra: Any) -> None:
    make_order(
        party,
        ordered_at=aware(day.year, day.month, day.day),
        total=Decimal(total),
        currency=currency,
        **extra,
    )


@pytest.fixture
def shop(sales_a: User, sales_b: User, settings: Any) -> Shop:
    """A (team A): 2023-12 100, 2024-01 200, 2024-03 50; found lost 2024-04-30.
    B (team B, owned by `owner`): 2024-01 300 and 100, 2024-02 110 USD (= 100 EUR).
    C (team A): 2024-02 80 (first), a cancelled 999 in 2024-03; found lost 2024-05-31.
    D (team B): 2024-03 70 CHF, no rate. E (no team): 2024-05 1000, after the period."""
    settings.CLIENTELA_REPORTING_CURRENCY = "EUR"
    from clientela.accounts.services import forget_company_settings

    forget_company_settings()
    owner = make_user(role=Role.SALES, email="owner@example.com")
    team_a, team_b = sales_a.team, sales_b.team
    assert team_a is not None
    assert team_b is not None
    a = make_party(given_name="Alma", team=team_a)
    b = make_party(given_name="Bruno", team=team_b, owner=owner)
    c = make_party(given_name="Clara", team=team_a)
    d = make_party(given_name="Dario", team=team_b)
    e = make_party(given_name="Elena")
    _order(a, date(2023, 12, 10), "100.00")
    _order(a, date(2024, 1, 15), "200.00")
    _order(a, date(2024, 3, 5), "50.00")
    _order(b, date(2024, 1, 20), "300.00")
    _order(b, date(2024, 1, 25), "100.00")
    make_rate(date(2024, 2, 9), "USD", "1.10")
    _order(b, date(2024, 2, 10), "110.00", "USD")
    _order(c, date(2024, 2, 14), "80.00")
    _order(c, date(2024, 3, 1), "999.00", status=OrderStatus.CANCELLED)
    _order(d, date(2024, 3, 3), "70.00", "CHF")
    _order(e, date(2024, 5, 1), "1000.00")
    for party, day in ((a, date(2024, 4, 30)), (c, date(2024, 5, 31))):
        LifecycleChange.objects.create(
            party=party, from_state="at_risk", to_state="lost", as_of=day, at=aware(2024, 6, 1)
        )
    return Shop(a, b, c, d, e, owner, team_a)


def _figures(user: User, **query: Any) -> dict[str, Any]:
    report = trends(user, trend_filters(**(PERIOD | query)), reporting="EUR")
    months = {m["month"].strftime("%Y-%m"): tuple(m[f] for f in FIELDS) for m in report["months"]}
    return {**report, "months": months, "totals": tuple(report["totals"][f] for f in FIELDS)}


def test_the_figures_per_month_are_those_worked_out_by_hand(shop: Shop, admin: User) -> None:
    got = _figures(admin)
    assert got["months"] == {
        "2024-01": (Decimal("600.00"), 3, 2, 1, 0),
        "2024-02": (Decimal("180.00"), 2, 2, 1, 0),
        "2024-03": (Decimal("50.00"), 2, 2, 1, 0),
        "2024-04": (Decimal("0.00"), 0, 0, 0, 1),
    }
    assert got["totals"] == (Decimal("830.00"), 7, 4, 3, 1)
    assert got["currency"] == "EUR"
    assert got["converted"] is True


def test_an_order_no_rate_converts_is_counted_apart(shop: Shop, admin: User) -> None:
    report = trends(admin, trend_filters(**PERIOD), reporting="EUR")
    assert [m["unconverted_orders"] for m in report["months"]] == [0, 0, 1, 0]
    assert report["totals"]["unconverted_orders"] == 1


def test_the_period_filter_keeps_its_months_only(shop: Shop, admin: User) -> None:
    got = _figures(admin, from_month="2024-02", to_month="2024-02")
    assert got["months"] == {"2024-02": (Decimal("180.00"), 2, 2, 1, 0)}
    assert got["totals"] == (Decimal("180.00"), 2, 2, 1, 0)


def test_the_team_filter(shop: Shop, admin: User) -> None:
    got = _figures(admin, team_id=shop.team_a.pk)
    assert got["months"] == {
        "2024-01": (Decimal("200.00"), 1, 1, 0, 0),
        "2024-02": (Decimal("80.00"), 1, 1, 1, 0),
        "2024-03": (Decimal("50.00"), 1, 1, 0, 0),
        "2024-04": (Decimal("0.00"), 0, 0, 0, 1),
    }


def test_the_owner_filter(shop: Shop, admin: User) -> None:
    got = _figures(admin, owner_id=shop.owner.pk)
    assert got["totals"] == (Decimal("500.00"), 3, 1, 1, 0)


def test_the_segment_filter(shop: Shop, admin: User) -> None:
    segment = Segment.objects.create(name="C and D", kind=SegmentKind.STATIC, rules={"all": []})
    for party in (shop.c, shop.d):
        StaticMember.objects.create(segment=segment, party=party)
    got = _figures(admin, segment_id=segment.pk)
    assert got["totals"] == (Decimal("80.00"), 2, 2, 2, 0)


def test_the_original_currency_view_counts_only_that_currency_unconverted(
    shop: Shop, admin: User
) -> None:
    got = _figures(admin, currency="usd")
    assert got["currency"] == "USD"
    assert got["converted"] is False
    assert got["months"]["2024-02"] == (Decimal("110.00"), 1, 1, 1, 0)
    assert got["totals"] == (Decimal("110.00"), 1, 1, 1, 1)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from_month": "2024-13"}, "month_invalid"),
        ({"to_month": "24-01"}, "month_invalid"),
        ({"to_month": "9999-12"}, "month_invalid"),
        ({"from_month": "\u0662\u0660\u0662\u0664-01"}, "month_invalid"),
        ({"from_month": "2024-05", "to_month": "2024-01"}, "period_ends_before_start"),
        ({"from_month": "2000-01", "to_month": "2024-01"}, "period_too_long"),
        ({"currency": "EUU"}, "currency_unknown"),
        ({"segment_id": 999999}, "segment_unknown"),
    ],
)
def test_bad_filters_are_refused_with_a_code(
    query: dict[str, Any], code: str, shop: Shop, admin: User, api_client: ApiClient
) -> None:
    response = api_client(admin).get("/api/v1/analytics/trends", query)
    assert response.status_code == 422
    assert code in [e["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("role", "totals"),
    [
        ("admin", (830.0, 7, 4, 3, 1)),
        ("manager", (830.0, 7, 4, 3, 1)),
        ("viewer", (830.0, 7, 4, 3, 1)),
        ("sales_a", (330.0, 3, 2, 1, 1)),
        ("sales_b", (500.0, 4, 2, 2, 0)),
    ],
)
def test_each_role_sees_the_figures_of_its_own_parties(
    role: str,
    totals: tuple[Any, ...],
    shop: Shop,
    request: pytest.FixtureRequest,
    api_client: ApiClient,
) -> None:
    user = request.getfixturevalue(role)
    body = api_client(user).get("/api/v1/analytics/trends", PERIOD).json()
    got = body["totals"]
    assert (float(got["revenue"]), *(got[f] for f in FIELDS[1:])) == totals
    assert [m["month"] for m in body["months"]] == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
    ]


def _links(html: str, table: str) -> dict[str, list[str]]:
    """Each row's links of one table of the page, by the row's heading."""
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if heading:
            rows[heading[1]] = [unescape(h) for h in re.findall(r'href="([^"]+)"', row)]
    return rows


def _listed(client: Client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r"(Alma|Bruno|Clara|Dario|Elena)", html))


def test_every_figure_links_to_the_customers_behind_it(
    shop: Shop, admin: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    html = client.get("/analytics/trends/", PERIOD).content.decode()
    revenue, customers = _links(html, "revenue-table"), _links(html, "customers-table")
    assert _listed(client, revenue["January 2024"][0]) == {"Alma", "Bruno"}
    assert _listed(client, revenue["March 2024"][1]) == {"Alma", "Dario"}
    bought, new, lost = customers["January 2024"]
    assert _listed(client, bought) == {"Alma", "Bruno"}
    assert _listed(client, new) == {"Bruno"}
    assert _listed(client, lost) == set()
    assert _listed(client, customers["April 2024"][2]) == {"Alma"}
    assert _listed(client, customers["Period"][0]) == {"Alma", "Bruno", "Clara", "Dario"}
    assert _listed(client, customers["Period"][1]) == {"Bruno", "Clara", "Dario"}
    assert 'href="/parties/?ordered=2024-01"' in html  # the bars link too


def test_the_links_carry_the_page_s_filters(shop: Shop, admin: User, web_client: WebClient) -> None:
    client = web_client(admin)
    page = client.get("/analytics/trends/", PERIOD | {"team_id": shop.team_a.pk})
    customers = _links(page.content.decode(), "customers-table")
    assert f"team={shop.team_a.pk}" in customers["January 2024"][0]
    assert _listed(client, customers["January 2024"][0]) == {"Alma"}
    page = client.get("/analytics/trends/", PERIOD | {"currency": "USD"})
    customers = _links(page.content.decode(), "customers-table")
    assert _listed(client, customers["February 2024"][1]) == {"Bruno"}


def test_a_sales_user_follows_a_link_to_their_own_parties_only(
    shop: Shop, sales_a: User, web_client: WebClient
) -> None:
    client = web_client(sales_a)
    html = client.get("/analytics/trends/", PERIOD).content.decode()
    assert _listed(client, _links(html, "customers-table")["Period"][0]) == {"Alma", "Clara"}
    assert _listed(client, "/parties/?ordered=2024-01..2024-04") == {"Alma", "Clara"}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("ordered=2024-03", {"Alma", "Dario"}),
        ("first_ordered=2024-02", {"Clara"}),
        ("ordered=2024-02&order_currency=USD", {"Bruno"}),
        ("order_currency=CHF", {"Dario"}),
        ("lost=2024-04..2024-05", {"Alma", "Clara"}),
    ],
)
def test_the_party_list_reads_the_analytics_filters(
    query: str, names: set[str], shop: Shop, admin: User, web_client: WebClient
) -> None:
    assert _listed(web_client(admin), f"/parties/?{query}") == names


def test_a_bad_analytics_filter_on_the_party_list_says_why_and_lists_nobody(
    shop: Shop, admin: User, web_client: WebClient
) -> None:
    html = web_client(admin).get("/parties/?ordered=2024-13").content.decode()
    assert "is not a month written YYYY-MM" in html
    assert _listed(web_client(admin), "/parties/?ordered=2024-13") == set()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("viewer", 403)])
def test_the_csv_tables_need_the_export_right(
    role: str, status: int, shop: Shop, request: pytest.FixtureRequest, web_client: WebClient
) -> None:
    user = request.getfixturevalue(role)
    response = web_client(user).get("/analytics/trends/revenue.csv", PERIOD)
    assert response.status_code == status


def test_a_sales_user_cannot_download_a_table(
    shop: Shop, sales_a: User, web_client: WebClient
) -> None:
    assert web_client(sales_a).get("/analytics/trends/customers.csv").status_code == 403
    html = web_client(sales_a).get("/analytics/trends/", PERIOD).content.decode()
    assert ".csv" not in html


def test_the_csv_tables_hold_the_page_s_figures(
    shop: Shop, admin: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    revenue = client.get("/analytics/trends/revenue.csv", PERIOD)
    assert revenue["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(revenue.content.decode())))
    assert rows == [
        ["month", "currency", "revenue", "orders", "unconverted_orders"],
        ["2024-01", "EUR", "600.00", "3", "0"],
        ["2024-02", "EUR", "180.00", "2", "0"],
        ["2024-03", "EUR", "50.00", "2", "1"],
        ["2024-04", "EUR", "0.00", "0", "0"],
        ["2024-01..2024-04", "EUR", "830.00", "7", "1"],
    ]
    customers = client.get("/analytics/trends/customers.csv", PERIOD | {"team_id": shop.team_a.pk})
    rows = list(csv.reader(io.StringIO(customers.content.decode())))
    assert rows[0] == ["month", "customers", "new_customers", "lost_customers"]
    assert rows[-1] == ["2024-01..2024-04", "2", "1", "1"]
    assert client.get("/analytics/trends/nothing.csv").status_code == 404


def test_numbers_are_written_in_the_reader_s_language(
    shop: Shop, admin: User, web_client: WebClient
) -> None:
    make_order(shop.e, ordered_at=aware(2024, 4, 2), total=Decimal("1084487.00"))
    html = web_client(admin).get("/analytics/trends/", PERIOD).content.decode()
    assert "€1,085,317" in html  # 830 + 1,084,487
    admin.language = "pt"
    admin.save(update_fields=["language"])
    html = web_client(admin).get("/analytics/trends/", PERIOD).content.decode()
    assert "1.085.317\u00a0€" in html
    assert "abril de 2024" in html.lower() or "abril 2024" in html.lower()


def test_the_page_renders_without_orders_or_inline_styles(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).get("/analytics/trends/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert " style=" not in html
    assert "<script" not in html.split("</head>")[1]


def test_a_bad_filter_on_the_page_is_shown_next_to_its_field(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).get("/analytics/trends/", {"from_month": "soon"})
    assert response.status_code == 200
    assert 'id="from_month-error"' in response.content.decode()


# --- the dashboard: links, numbers in the reader's language, its tables as CSV --------------


def _refreshed(sales_a: User) -> None:
    from clientela.analytics.services.refresh import refresh_metrics

    slipping = make_party(given_name="=HYPERLINK(1)", team=sales_a.team)
    for month in (1, 2, 3):
        make_order(slipping, ordered_at=aware(2024, month, 1), total=Decimal("1234.00"))
    refresh_metrics(as_of=date(2024, 6, 1))


def test_the_dashboard_s_lifecycle_bars_lead_to_their_customers(
    sales_a: User, admin: User, web_client: WebClient
) -> None:
    _refreshed(sales_a)
    client = web_client(admin)
    html = client.get("/analytics/").content.decode()
    links = set(re.findall(r'href="(/parties/\?lifecycle=[a-z_]+)"', html))
    assert len(links) == 7
    listed = [url for url in links if "HYPERLINK" in client.get(url).content.decode()]
    assert len(listed) == 1
    assert client.get(listed[0]).status_code == 200


def test_the_dashboard_writes_money_in_the_reader_s_language(
    sales_a: User, admin: User, web_client: WebClient
) -> None:
    _refreshed(sales_a)
    html = web_client(admin).get("/analytics/").content.decode()
    assert "€3,702.00" in html  # spent by the customer worth attention
    assert "EUR 3702" not in html
    admin.language = "pt"
    admin.save(update_fields=["language"])
    assert "3.702,00\u00a0€" in web_client(admin).get("/analytics/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("sales_a", 403), ("viewer", 403)])
def test_the_dashboard_s_tables_need_the_export_right(
    role: str, status: int, sales_a: User, request: pytest.FixtureRequest, web_client: WebClient
) -> None:
    _refreshed(sales_a)
    user = request.getfixturevalue(role)
    assert web_client(user).get("/analytics/attention.csv").status_code == status


def test_the_dashboard_s_tables_download_with_formulas_neutralised(
    sales_a: User, admin: User, web_client: WebClient
) -> None:
    _refreshed(sales_a)
    client = web_client(admin)
    rows = list(csv.reader(io.StringIO(client.get("/analytics/attention.csv").content.decode())))
    assert rows[0] == [
        "party_id", "name", "lifecycle_state", "spent", "clv", "p_alive", "days_silent",
    ]  # fmt: skip
    assert rows[1][1] == "'=HYPERLINK(1) Tester" + rows[1][1].split("Tester")[1]
    assert rows[1][3] == "3702.00"
    lifecycle = dict(
        csv.reader(io.StringIO(client.get("/analytics/lifecycle.csv").content.decode()))
    )
    assert lifecycle.pop("lifecycle_state") == "customers"
    assert sum(int(v) for v in lifecycle.values()) == 1
    for table in ("flows", "rfm", "cohorts", "unconverted"):
        assert client.get(f"/analytics/{table}.csv").status_code == 200
    assert client.get("/analytics/nothing.csv").status_code == 404


def test_the_party_list_says_what_the_analytics_filters_keep_and_keeps_them(
    shop: Shop, admin: User, web_client: WebClient
) -> None:
    html = web_client(admin).get("/parties/?first_ordered=2024-01..2024-02&q=a").content.decode()
    assert "first order in 2024-01\u20132024-02" in html
    assert '<input type="hidden" name="first_ordered" value="2024-01..2024-02">' in html
    assert 'href="/parties/?q=a">' in html  # "show all" drops them, keeps the search
    page = web_client(admin).get("/parties/?first_ordered=2024-01&page=1", HTTP_HX_REQUEST="true")
    assert set(re.findall(r"(Alma|Bruno|Clara|Dario|Elena)", page.content.decode())) == {"Bruno"}


def test_the_period_defaults_to_twelve_months_up_to_this_one() -> None:
    today = date(2026, 12, 7)
    default = trend_filters(today=today)
    assert (default.start, default.end) == (date(2026, 1, 1), date(2026, 12, 1))
    assert trend_filters(from_month="2026-10", today=today).end == date(2026, 12, 1)
    assert trend_filters(from_month="2000-01", today=today).end == date(2009, 12, 1)
    assert trend_filters(to_month="2024-03", today=today).start == date(2023, 4, 1)


def test_the_trends_take_a_fixed_number_of_queries(
    shop: Shop, admin: User, api_client: ApiClient, django_assert_max_num_queries: Any
) -> None:
    client = api_client(admin)
    query = {"from_month": "2015-01", "to_month": "2024-12"}
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/analytics/trends", query).status_code == 200
