"""The RFM grid's cells and the CLV histogram's bars lead to the party list of exactly the
customers they count, within what the reader may see."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.queries import CLV_EDGES
from clientela.analytics.services.refresh import refresh_metrics
from clientela.core.errors import Invalid
from clientela.segments.services.listing import checked_list_query, filtered_parties
from tests.analytics.conftest import AS_OF, Crowd, WebClient

pytestmark = pytest.mark.django_db
ROW = re.compile(r'class="row-link" href="/parties/(\d+)/"')


def _listed(client_html: str) -> set[int]:
    return {int(i) for i in ROW.findall(client_html)}


@pytest.fixture
def two_teams(crowd: Crowd, sales_a: User, sales_b: User) -> None:
    """Customers in team A and in team B, refreshed: sales_a sees only team A's."""
    crowd(n=24, seed=3, team=sales_a.team)
    crowd(n=24, seed=5, team=sales_b.team)
    refresh_metrics(as_of=AS_OF)


def test_each_rfm_cell_lists_exactly_its_visible_customers(
    two_teams: None, sales_a: User, web_client: WebClient
) -> None:
    client = web_client(sales_a)
    html = unescape(client.get("/analytics/").content.decode())
    cells = re.findall(
        r'<a href="(/parties/\?r_score=(\d)&f_score=(\d))"><span class="n">(\d+)</span>', html
    )
    assert len(cells) == 25
    mine = CustomerMetrics.objects.filter(party__team=sales_a.team)
    assert sum(int(n) for *_, n in cells) == mine.exclude(r_score=None).count()
    for url, r, f, n in cells:
        expected = set(mine.filter(r_score=r, f_score=f).values_list("party_id", flat=True))
        listed = _listed(client.get(url).content.decode())
        assert listed == expected, url
        assert len(listed) == int(n)
    assert any(int(n) for *_, n in cells)


def test_each_clv_bar_lists_exactly_its_visible_customers(
    two_teams: None, sales_a: User, web_client: WebClient
) -> None:
    client = web_client(sales_a)
    html = unescape(client.get("/analytics/").content.decode())
    links = re.findall(r'<a href="(/parties/\?clv=[0-9.]+)"', html)
    edges = [Decimal(e) for e in CLV_EDGES]
    assert len(links) == len(edges)
    mine = CustomerMetrics.objects.filter(party__team=sales_a.team, clv__isnull=False)
    seen: set[int] = set()
    for i, url in enumerate(links):
        bucket = mine.filter(clv__gte=edges[i])
        if i + 1 < len(edges):
            bucket = bucket.filter(clv__lt=edges[i + 1])
        listed = _listed(client.get(url).content.decode())
        assert listed == set(bucket.values_list("party_id", flat=True)), url
        seen |= listed
    assert seen == set(mine.values_list("party_id", flat=True))
    assert len(seen) > 1


def test_the_list_says_which_scores_and_values_it_keeps(
    sales_a: User, web_client: WebClient
) -> None:
    client = web_client(sales_a)
    html = client.get("/parties/", {"r_score": "5", "f_score": "4"}).content.decode()
    assert "recency score 5" in html
    assert "frequency score 4" in html
    html = client.get("/parties/", {"clv": "100..250"}).content.decode()
    assert "lifetime value from 100 to under 250" in html
    assert "lifetime value of 50000 or more" in client.get("/parties/?clv=50000..").content.decode()


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"r_score": "6"}, "r_score", "rfm_score_invalid"),
        ({"f_score": "x"}, "f_score", "rfm_score_invalid"),
        ({"clv": "250..100"}, "clv", "clv_range_invalid"),
        ({"clv": "cheap"}, "clv", "clv_range_invalid"),
        ({"clv": "NaN.."}, "clv", "clv_range_invalid"),
    ],
)
def test_a_bad_score_or_value_range_is_refused_naming_it_and_lists_nobody(
    params: dict[str, str],
    field: str,
    code: str,
    crowd: Crowd,
    sales_a: User,
    web_client: WebClient,
) -> None:
    crowd(n=3, team=sales_a.team)
    refresh_metrics(as_of=AS_OF)
    with pytest.raises(Invalid) as raised:
        filtered_parties(sales_a, checked_list_query(params)).count()
    assert [(e.field, e.code, e.value) for e in raised.value.errors] == [
        (field, code, params[field])
    ]
    html = web_client(sales_a).get("/parties/", params).content.decode()
    assert _listed(html) == set()
    assert str(raised.value.errors[0].message) in unescape(html)
