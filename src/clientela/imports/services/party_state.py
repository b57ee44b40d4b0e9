"""A party as import data: read from the database, and merged with what a row says."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Problem
from clientela.parties.models import ContactKind, Party
from clientela.parties.services.identity import normalize_contact

SCALARS = (
    "given_name",
    "family_name",
    "organization_name",
    "external_id",
    "language",
    "timezone",
    "notes",
    "organization_level",
)


def split_list(value: Any) -> list[str]:
    """A list from a JSON list or from text separated by commas, semicolons or bars."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    for sep in (";", "|"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_key_date(value: Any) -> tuple[int | None, int, int]:
    """YYYY-MM-DD, or --MM-DD when the year is not known; Problem otherwise."""
    text = str(value).strip()
    try:
        if text.startswith("--") and len(text) == 7:
            day = date(2000, int(text[2:4]), int(text[5:7]))
            return None, day.month, day.day
        day = date.fromisoformat(text[:10])
    except ValueError as exc:
        raise Problem(
            "key_date_invalid",
            _("must be a date as YYYY-MM-DD, or --MM-DD when the year is not known"),
        ) from exc
    return day.year, day.month, day.day


def address_text(point: dict[str, Any]) -> str:
    """The one-line form of a postal address, used as its value."""
    city = " ".join(p for p in (point.get("postal_code", ""), point.get("locality", "")) if p)
    parts = [point.get("street", ""), city, point.get("region", ""), point.get("country", "")]
    return ", ".join(p for p in parts if p) or "-"


def current_state(party: Party) -> dict[str, Any]:
    """The party as PartyUpdate-shaped data (needs with_details), to compare and merge."""
    state: dict[str, Any] = {k: getattr(party, k) or "" for k in SCALARS}
    state["external_id"] = party.external_id
    state["tags"] = sorted(t.name for t in party.tags.all())
    state["custom"] = dict(party.custom)
    state["roles"] = [
        {"role": r.role, "since": r.since, "until": r.until} for r in party.roles.all()
    ]
    state["contact_points"] = [
        {
            k: getattr(p, k)
            for k in (
                "kind",
                "value",
                "label",
                "is_primary",
                "street",
                "locality",
                "region",
                "postal_code",
                "country",
            )
        }
        for p in party.contact_points.all()
    ]
    state["key_dates"] = [
        {"kind": d.kind, "label": d.label, "year": d.year, "month": d.month, "day": d.day}
        for d in party.key_dates.all()
    ]
    state["affiliations"] = [
        {"organization_id": a.organization_id, "title": a.title, "since": a.since, "until": a.until}
        for a in party.affiliations.all()
    ]
    state["owner_id"] = party.owner_id
    state["team_id"] = party.team_id
    return state


def _normal(point: dict[str, Any]) -> str:
    try:
        region = str(point.get("country") or "") or None
        return normalize_contact(str(point.get("kind")), str(point.get("value", "")), region)
    except ValueError:
        return str(point.get("value", ""))


def _date_key(d: dict[str, Any]) -> tuple[Any, ...]:
    return (d.get("kind"), d.get("label", ""), d.get("year"), d.get("month"), d.get("day"))


def merge_state(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The state after the row: scalars replaced, lists added to, the address filled in."""
    merged = dict(current)
    for key in SCALARS:
        if key in patch:
            merged[key] = patch[key]
    if "tags" in patch:
        merged["tags"] = sorted(set(current["tags"]) | set(patch["tags"]))
    if "custom" in patch:
        merged["custom"] = {**current["custom"], **patch["custom"]}
    if "roles" in patch:
        have = {r["role"] for r in current["roles"]}
        merged["roles"] = current["roles"] + [
            r for r in patch["roles"] if r.get("role") not in have
        ]
    if "contact_points" in patch:
        points = [dict(p) for p in current["contact_points"]]
        known = {(p["kind"], _normal(p)) for p in points}
        for new in patch["contact_points"]:
            if new.get("kind") == ContactKind.ADDRESS:
                primary = next((p for p in points if p["kind"] == ContactKind.ADDRESS), None)
                if primary is not None:
                    primary.update({k: v for k, v in new.items() if k not in {"value", "kind"}})
                    primary["value"] = address_text(primary)
                    continue
            if (new.get("kind"), _normal(new)) not in known:
                points.append(new)
                known.add((new.get("kind"), _normal(new)))
        merged["contact_points"] = points
    if "key_dates" in patch:
        patched = {n.get("kind") for n in patch["key_dates"]}
        others = [d for d in current["key_dates"] if d["kind"] not in patched]
        before = {_date_key(d) for d in current["key_dates"] if d["kind"] in patched}
        new_dates = [{"label": "", **n} for n in patch["key_dates"]]
        if before != {_date_key(d) for d in new_dates}:
            merged["key_dates"] = others + new_dates
    return merged
