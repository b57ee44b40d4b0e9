"""Customer analytics as pages show it: the dashboard's charts and tables, the metrics panel.

Charts are drawn on the server as SVG: no script, no inline style, colours from CSS classes.
Every chart function returns safe markup; labels are escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from clientela.accounts.models import User
from clientela.analytics import queries
from clientela.analytics.models import (
    CurrencySource,
    CustomerMetrics,
    LifecycleState,
    RefreshRun,
    RfmSegment,
)
from clientela.analytics.services.config import analytics_config
from clientela.analytics.services.rfm import GRID
from clientela.parties.models import Party

STATE_CLASSES = {state: f"state-{state}" for state in LifecycleState.values}
WIDTH = 640
ROW = 24
LABEL = 170


def _svg(height: int, title: str, body: list[str], width: int = WIDTH) -> SafeString:
    return mark_safe(  # noqa: S308  (every piece of text below went through escape())
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars(title: str, items: Sequence[tuple[str, float, str]], *, unit: str = "") -> SafeString:
    """Horizontal bars: (label, value, css class) per row, value written at the bar's end."""
    top = max((v for _, v, _ in items), default=0) or 1
    span = WIDTH - LABEL - 80
    body = []
    for i, (label, value, css) in enumerate(items):
        y = i * ROW
        length = span * value / top
        body.append(
            f'<text class="chart-label" x="{LABEL - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar {escape(css)}" x="{LABEL}" y="{y + 4}" width="{length:.1f}" '
            f'height="{ROW - 8}"><title>{escape(label)}: {value:,.0f}{escape(unit)}</title></rect>'
            f'<text class="chart-value" x="{LABEL + length + 6:.1f}" y="{y + 16}">'
            f"{value:,.0f}{escape(unit)}</text>"
        )
    return _svg(max(len(items), 1) * ROW + 4, title, body)


def columns(title: str, items: Sequence[tuple[str, float]], *, css: str = "c0") -> SafeString:
    """Vertical columns (a histogram): (label under the column, height) per column."""
    height, bottom, left = 220, 60, 40
    top = max((v for _, v in items), default=0) or 1
    width = (WIDTH - left) / max(len(items), 1)
    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for i, (label, value) in enumerate(items):
        h = (height - bottom - 20) * value / top
        x = left + i * width
        body.append(
            f'<rect class="bar {escape(css)}" x="{x + 2:.1f}" y="{height - bottom - h:.1f}" '
            f'width="{width - 4:.1f}" height="{h:.1f}"><title>{escape(label)}: {value:,.0f}'
            f"</title></rect>"
            f'<text class="chart-small" x="{x + width / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="end" transform="rotate(-40 {x + width / 2:.1f} '
            f'{height - bottom + 14})">{escape(label)}</text>'
        )
    return _svg(height, title, body)


def stacked_columns(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]]
) -> SafeString:
    """Columns per label, stacked by series: (series name, values per label, css class)."""
    height, bottom, left, legend = 240, 40, 40, 150
    totals = [sum(values[i] for _, values, _ in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    width = (WIDTH - left - legend) / max(len(labels), 1)
    body = []
    for i, label in enumerate(labels):
        x, base = left + i * width, float(height - bottom)
        for name, values, css in series:
            h = (height - bottom - 10) * values[i] / top
            if h > 0:
                body.append(
                    f'<rect class="bar {escape(css)}" x="{x + 2:.1f}" y="{base - h:.1f}" '
                    f'width="{width - 4:.1f}" height="{h:.1f}"><title>{escape(label)} · '
                    f"{escape(name)}: {values[i]:,.0f}</title></rect>"
                )
            base -= h
        body.append(
            f'<text class="chart-small" x="{x + width / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for j, (name, _values, css) in enumerate(series):
        y = 10 + j * 18
        body.append(
            f'<rect class="bar {escape(css)}" x="{WIDTH - legend + 10}" y="{y}" width="12" '
            f'height="12"/><text class="chart-small" x="{WIDTH - legend + 28}" y="{y + 10}">'
            f"{escape(name)}</text>"
        )
    return _svg(height, title, body)


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    top: float = 1.0,
) -> SafeString:
    """One polyline per series over x positions; values from 0 to `top` (shown as percent)."""
    height, bottom, left, right = 240, 30, 44, 120
    step = (WIDTH - left - right) / max(len(x_labels) - 1, 1)
    usable = height - bottom - 10

    def y_of(v: float) -> float:
        return height - bottom - usable * min(v, top) / (top or 1)

    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for pct in (0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(pct * top)
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
            f'<text class="chart-small" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{pct * top:.0%}</text>"
        )
    for i, label in enumerate(x_labels):
        body.append(
            f'<text class="chart-small" x="{left + i * step:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for k, (name, values) in enumerate(series):
        points = " ".join(
            f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None
        )
        if not points:
            continue
        body.append(
            f'<polyline class="line c{k % 12}" fill="none" points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
            f'<text class="chart-small line-label c{k % 12}" x="{WIDTH - right + 6}" '
            f'y="{14 + k * 14}">{escape(name)}</text>'
        )
    return _svg(height, title, body)


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


def refresh_record(run: RefreshRun) -> dict[str, Any]:
    """What a refresh did, for machines (`clientela analytics refresh --json`)."""
    return {
        "as_of": run.as_of.isoformat(),
        "parties": run.parties,
        "customers": run.customers,
        "currency": run.currency,
        "currency_source": run.currency_source,
        "excluded_orders": run.excluded_orders,
        "unconverted": run.unconverted,
        "lifecycle_changes": run.lifecycle_changes,
        "bgnbd": run.bgnbd,
        "gamma_gamma": run.gamma_gamma,
        "seconds": run.timings,
    }


def _model_line(name: str, params: dict[str, Any] | None, keys: Sequence[str]) -> str:
    if not params:
        return _(
            "%(model)s: not fitted (too few customers, or too few with a repeat purchase, or "
            "the fit did not settle); expected purchases and lifetime value are left out."
        ) % {"model": name}
    values = ", ".join(f"{key} {params[key]:.4g}" for key in keys if key in params)
    return _("%(model)s: %(values)s.") % {"model": name, "values": values}


def refresh_summary(run: RefreshRun) -> list[str]:
    """What a refresh did, for a person: counts, currency, the fitted models."""
    seconds = sum(float(s) for s in run.timings.values())
    return [
        _(
            "Customer metrics as of %(as_of)s: %(parties)s parties, %(customers)s customers "
            "with a purchase, %(changes)s lifecycle changes, in %(seconds).1f s."
        )
        % {
            "as_of": run.as_of.isoformat(),
            "parties": f"{run.parties:,}",
            "customers": f"{run.customers:,}",
            "changes": f"{run.lifecycle_changes:,}",
            "seconds": seconds,
        },
        *currency_lines(run),
        _model_line("BG/NBD", run.bgnbd, ("r", "alpha", "a", "b")),
        _model_line("Gamma-Gamma", run.gamma_gamma, ("p", "q", "v")),
    ]


def fit_lines(result: dict[str, Any]) -> list[str]:
    """The parameters `clientela analytics fit` found, for a person."""
    bgnbd, gamma_gamma = result["bgnbd"], result.get("gamma_gamma")
    lines = [
        _("BG/NBD: r %(r).4g, alpha %(alpha).4g, a %(a).4g, b %(b).4g (log-likelihood %(ll).1f).")
        % {**bgnbd, "ll": bgnbd["loglik"]}
    ]
    if gamma_gamma is None:
        lines.append(_("Gamma-Gamma: not fitted (the file has no monetary_value column)."))
    else:
        lines.append(
            _("Gamma-Gamma: p %(p).4g, q %(q).4g, v %(v).4g (log-likelihood %(ll).1f).")
            % {**gamma_gamma, "ll": gamma_gamma["loglik"]}
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
            cells.append({"n": n, "segment": labels[segment], "key": segment, "heat": heat})
        rows.append({"r": r, "cells": cells})
    return rows


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
        ),
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
        ),
        "cohorts": cohorts,
        "retention_chart": retention_chart(cohorts),
        "attention": queries.attention_list(user),
    }
