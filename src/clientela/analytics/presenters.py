"""Customer analytics as pages show it: the dashboard's charts and tables, the metrics panel.

Charts are drawn on the server as SVG (core.charts). Numbers and money are written in the
reader's language by `count_text` and `amount_text`; every figure of the trends links to the
party list of the customers behind it (`party_links`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.analytics import queries
from clientela.analytics.models import (
    CurrencySource,
    CustomerMetrics,
    LifecycleState,
    RefreshRun,
    RfmSegment,
)
from clientela.analytics.services.config import analytics_config, reporting_currency
from clientela.analytics.services.party_filters import month_text
from clientela.analytics.services.rfm import GRID
from clientela.analytics.services.trends import (
    TREND_TABLES,
    TrendFilters,
    order_currencies,
    trends,
)
from clientela.core.charts import bars, columns, grouped_columns, lines, stacked_columns
from clientela.core.errors import invalid
from clientela.core.money import format_money
from clientela.core.registries import party_filters
from clientela.core.requests import current_user
from clientela.parties.models import Party
from clientela.parties.queries import assignable_users, teams

STATE_CLASSES = {state: f"state-{state}" for state in LifecycleState.values}


# --- the reporting currency and what it left out --------------------------------------------


def currency_source_label(source: str) -> str:
    """Why the refresh reported in its currency, in the reader's language."""
    return str(dict(CurrencySource.choices).get(source, source))


def unconverted_rows(run: RefreshRun | None) -> list[dict[str, Any]]:
    """The run's orders without an exchange rate, per currency, with days as dates."""
    if run is None:
        return []
    return [
        {
            **row,
            "first_day": date.fromisoformat(row["first_day"]),
            "last_day": date.fromisoformat(row["last_day"]),
        }
        for row in run.unconverted
    ]


def currency_lines(run: RefreshRun) -> list[str]:
    """The refresh's currency and why, and each currency it could not convert, as sentences."""
    lines = [
        _("Amounts in %(currency)s: %(why)s.")
        % {"currency": run.currency, "why": currency_source_label(run.currency_source)}
    ]
    for row in unconverted_rows(run):
        lines.append(
            _(
                "%(orders)s orders in %(currency)s (%(value)s %(currency)s, %(first)s to "
                "%(last)s) have no exchange rate to %(to)s and are not counted: import rates "
                "(clientela rates import FILE) and refresh again."
            )
            % {
                "orders": row["orders"],
                "currency": row["currency"],
                "value": f"{row['value']:,.2f}",
                "first": row["first_day"].isoformat(),
                "last": row["last_day"].isoformat(),
                "to": run.currency,
            }
        )
    return lines


# --- the pages ---------------------------------------------------------------------------


def metrics_panel(party: Party, metrics: CustomerMetrics) -> dict[str, Any]:
    """The context of a party's metrics panel."""
    run = queries.latest_run()
    return {
        "party": party,
        "m": metrics,
        "p_alive_percent": round(100 * metrics.p_alive) if metrics.p_alive is not None else None,
        "config": analytics_config(),
        "why": currency_source_label(run.currency_source) if run is not None else "",
        "clv_reason": clv_reason(metrics, run),
    }


def _page_metrics(request: HttpRequest, party: Party) -> CustomerMetrics:
    """The party's metrics, read once per request: the header's tiles and the "Value" section
    show the same row (computed, for a new customer, only once)."""
    read: dict[int, CustomerMetrics] = request.__dict__.setdefault("_party_metrics", {})
    if party.pk not in read:
        read[party.pk] = queries.party_metrics(current_user(request), party.pk)[1]
    return read[party.pk]


def party_metrics_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The customer page's "Value" section: the party's metrics, explained."""
    return metrics_panel(party, _page_metrics(request, party))


def summary_tile(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The customer page header's tiles: lifecycle state, value tier, P(alive), lifetime value."""
    return {"m": _page_metrics(request, party)}


def clv_reason(metrics: CustomerMetrics, run: RefreshRun | None) -> dict[str, str] | None:
    """Why the party's lifetime value is empty (None when it is not): a code and its text."""
    if metrics.clv is not None:
        return None
    if not metrics.occasions:
        code, text = "no_purchase", _("no purchase yet: the value starts with the first order")
    elif run is None:
        code, text = "not_fitted", _("no analytics refresh has fitted the value models yet")
    elif not run.bgnbd:
        code, text = (
            "too_few_customers",
            _("too few customers with repeat purchases to fit the purchase model"),
        )
    elif not run.gamma_gamma:
        code, text = "spend_not_fitted", _("too few repeat purchases to fit the spend model")
    elif not metrics.frequency:
        code, text = "one_purchase", _("one purchase so far: the spend model needs a repeat one")
    else:
        code, text = "not_finite", _("the models give no finite value for this history")
    return {"code": code, "message": str(text)}


def rfm_grid(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The R x F grid, best recency on top, each cell with its count, segment and heat level."""
    top = max((n for row in summary["rfm_grid"] for n in row), default=0) or 1
    labels = dict(RfmSegment.choices)
    rows = []
    for r in range(5, 0, -1):
        cells = []
        for f in range(1, 6):
            n = summary["rfm_grid"][r - 1][f - 1]
            segment = GRID[r - 1][f - 1]
            heat = 0 if not n else 1 + round(4 * n / top)
            href = list_url(r_score=str(r), f_score=str(f))
            cells.append(
                {"n": n, "segment": labels[segment], "key": segment, "heat": heat, "href": href}
            )
        rows.append({"r": r, "cells": cells})
    return rows


def clv_links() -> list[str]:
    """The party list of each bar of the CLV histogram (the buckets of queries.CLV_EDGES)."""
    edges = [str(e) for e in queries.CLV_EDGES]
    return [
        list_url(clv=f"{low}..{high}") for low, high in zip(edges, [*edges[1:], ""], strict=True)
    ]


def retention_chart(cohorts: dict[str, Any]) -> SafeString:
    """Lines from month 1 on: month 0 is the first purchase itself, always 100 %."""
    later = [share for c in cohorts["cohorts"] for share in c["shares"][1:]]
    return lines(
        _("Share of each cohort buying again, by months since the first purchase"),
        [str(k) for k in range(cohorts["width"])],
        [(c["month"].strftime("%Y-%m"), [None, *c["shares"][1:]]) for c in cohorts["cohorts"]],
        top=max([*later, 0.05]),
    )


def dashboard(user: User) -> dict[str, Any]:
    """The dashboard's context: lifecycle, RFM grid, CLV distribution, repeat revenue, cohorts
    and who needs attention, over the parties the user may see."""
    summary = queries.analytics_summary(user)
    states = dict(LifecycleState.choices)
    flows = queries.lifecycle_flows(user)
    cohorts = queries.retention_cohorts(user, as_of=summary["as_of"])
    counts = summary["lifecycle"]
    run = queries.latest_run()
    return {
        "summary": summary,
        "currency_why": currency_source_label(summary["currency_source"]),
        "unconverted": unconverted_rows(run),
        "states": [(k, states[k], v) for k, v in summary["lifecycle"].items()],
        "lifecycle_chart": bars(
            _("Customers by lifecycle state"),
            [(str(states[k]), n, STATE_CLASSES.get(k, "c0")) for k, n in counts.items()],
            links=[list_url(lifecycle=k) for k in counts],
            shown=[count_text(n) for n in counts.values()],
        ),
        "kpi": {
            "customers": count_text(summary["customers"]),
            "repeat_customers": count_text(summary["repeat_customers"]),
            "total_clv": amount_text(summary["total_clv"], summary["currency"]),
        },
        "tier_links": [
            (name, count_text(n), list_url(tier=name)) for name, n in summary["tiers"].items()
        ],
        "flows": flows,
        "flow_chart": stacked_columns(
            _("Lifecycle changes per month, by the state entered"),
            [m.strftime("%Y-%m") for m in flows["months"]],
            [(str(states[k]), flows["entered"][k], STATE_CLASSES[k]) for k in states],
        ),
        "flow_labels": states,
        "grid": rfm_grid(summary),
        "histogram": columns(
            _("Customers by lifetime value (%(currency)s)") % {"currency": summary["currency"]},
            queries.clv_histogram(queries.visible_metrics(user)),
            links=clv_links(),
        ),
        "cohorts": cohorts,
        "retention_chart": retention_chart(cohorts),
        "attention": queries.attention_list(user),
    }


# --- trends ----------------------------------------------------------------------------------


def count_text(n: int) -> str:
    """A count as the reader writes it: "1,234" (en), "1.234" (pt)."""
    return formats.number_format(n, use_l10n=True, force_grouping=True)


def amount_text(value: Decimal | float, currency: str) -> str:
    """Money in whole units as the reader writes it: "€1,084,487" (en), "1.084.487 €" (pt)."""
    return format_money(value, currency, language=get_language() or "en", places=0)


MEASURES = ("revenue", "orders", "customers", "new_customers", "lost_customers")


def list_url(**params: str) -> str:
    """The party list with these filters (core.registries' party filters among them)."""
    return f"{reverse('parties:list')}?{urlencode(params)}"


def party_links(filters: TrendFilters, start: date, end: date) -> dict[str, str]:
    """The party list behind each measure of the months from `start` to `end`, with the
    page's team, owner, segment and currency as the list's own filters."""
    scope = {"team": filters.team_id, "owner": filters.owner_id, "segment": filters.segment_id}
    base = {k: str(v) for k, v in scope.items() if v is not None}
    orders = base | ({"order_currency": filters.currency} if filters.currency else {})
    months = month_text(start, end)
    url = reverse("parties:list")
    ordered = f"{url}?{urlencode(orders | {'ordered': months})}"
    return {
        "revenue": ordered,
        "orders": ordered,
        "customers": ordered,
        "new_customers": f"{url}?{urlencode(orders | {'first_ordered': months})}",
        "lost_customers": f"{url}?{urlencode(base | {'lost': months})}",
    }


def _cells(figures: dict[str, Any], links: dict[str, str], currency: str) -> dict[str, Any]:
    return {
        name: {
            "text": amount_text(figures[name], currency)
            if name == "revenue"
            else count_text(figures[name]),
            "href": links[name],
        }
        for name in MEASURES
    }


def trends_page(user: User, filters: TrendFilters) -> dict[str, Any]:
    """The trends page's context: each month's figures as the reader writes them, each with
    the link to its parties, the two charts and the period's totals."""
    report = trends(user, filters, reporting=reporting_currency().code)
    currency = report["currency"]
    months = report["months"]
    rows = []
    for m in months:
        links = party_links(filters, m["month"], m["month"])
        cells = _cells(m, links, currency)
        rows.append({"month": m["month"], "cells": cells, "unconverted": m["unconverted_orders"]})
    labels = [formats.date_format(m["month"], "M Y") for m in months]
    revenue_chart = columns(
        _("Revenue per month (%(currency)s)") % {"currency": currency},
        [(label, float(m["revenue"])) for label, m in zip(labels, months, strict=True)],
        links=[r["cells"]["revenue"]["href"] for r in rows],
        shown=[r["cells"]["revenue"]["text"] for r in rows],
    )
    names = {
        "customers": (_("Customers who bought"), "c0"),
        "new_customers": (_("New customers"), "state-new"),
        "lost_customers": (_("Lost customers"), "state-lost"),
    }
    customers_chart = grouped_columns(
        _("Customers per month"),
        labels,
        [
            (str(name), [m[key] for m in months], css, [r["cells"][key]["href"] for r in rows])
            for key, (name, css) in names.items()
        ],
        shown=[[r["cells"][key]["text"] for r in rows] for key in names],
    )
    totals_links = party_links(filters, filters.start, filters.end)
    return {
        "report": report,
        "rows": rows,
        "totals": _cells(report["totals"], totals_links, currency),
        "revenue_chart": revenue_chart,
        "customers_chart": customers_chart,
    }


def trend_options(user: User) -> dict[str, Any]:
    """What the trends page's filters offer: teams, owners, segments, order currencies."""
    segments = next((f.choices for f in party_filters() if "segment" in f.params), None)
    return {
        "teams": teams(),
        "owners": assignable_users(),
        "segments": segments() if segments else [],
        "currencies": order_currencies(user),
        "tables": list(TREND_TABLES),
    }


# --- the dashboard's tables as CSV -----------------------------------------------------------

DASHBOARD_TABLES = ("lifecycle", "flows", "rfm", "cohorts", "attention", "unconverted")


def dashboard_table(user: User, table: str) -> tuple[list[str], list[list[Any]]]:
    """One table of the dashboard as (header, rows) for a CSV file: codes and plain numbers,
    over the parties the user may see. Forbidden without the export right; Invalid for a
    table the dashboard does not have."""
    require_right(user, Right.EXPORT)
    if table not in DASHBOARD_TABLES:
        raise invalid("table", table, _("is not a table of this page"), code="table_unknown")
    summary = queries.analytics_summary(user)
    if table == "lifecycle":
        return ["lifecycle_state", "customers"], [[k, n] for k, n in summary["lifecycle"].items()]
    if table == "flows":
        flows = queries.lifecycle_flows(user)["top_flows"]
        return ["from_state", "to_state", "customers"], [[a, b, n] for (a, b), n in flows]
    if table == "rfm":
        rows = [
            [r, f, GRID[r - 1][f - 1], summary["rfm_grid"][r - 1][f - 1]]
            for r in range(5, 0, -1)
            for f in range(1, 6)
        ]
        return ["r_score", "f_score", "rfm_segment", "customers"], rows
    if table == "cohorts":
        cohorts = queries.retention_cohorts(user, as_of=summary["as_of"])
        width = cohorts["width"]
        return ["cohort", "customers", *(f"m{k}" for k in range(width))], [
            [f"{c['month']:%Y-%m}", c["size"], *(round(x, 4) for x in c["shares"])]
            for c in cohorts["cohorts"]
        ]
    if table == "attention":
        header = ["party_id", "name", "lifecycle_state", "spent", "clv", "p_alive", "days_silent"]
        return header, [
            [m.party_id, m.party.display_name, m.lifecycle_state, m.monetary, m.clv, m.p_alive,
             m.recency_days]
            for m in queries.attention_list(user)
        ]  # fmt: skip
    missing = unconverted_rows(queries.latest_run())
    return ["currency", "orders", "value", "first_day", "last_day"], [
        [r["currency"], r["orders"], r["value"], r["first_day"], r["last_day"]] for r in missing
    ]
