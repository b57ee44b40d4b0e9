"""A parties row read as PartyCreate-shaped data: names split, contact points and key dates
made from their columns, kinds and countries recognised in several languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Problem
from clientela.core.ids import is_id
from clientela.imports.services.geography import country_code
from clientela.imports.services.mapping import CUSTOM_PREFIX
from clientela.imports.services.party_state import (
    SCALARS,
    address_text,
    parse_key_date,
    split_list,
)
from clientela.imports.services.rows import RowProblem, RowRefused, short
from clientela.parties.models import ContactKind, PartyKind
from clientela.parties.services.identity import normalize_contact, normalize_text, phone_region

ADDRESS = ("street", "city", "region", "postal_code", "country")
_GUARDED = (ContactKind.EMAIL, ContactKind.PHONE)
KIND_WORDS = {
    PartyKind.PERSON: {"person", "pessoa", "persona", "individual", "pf", "b2c", "private"},
    PartyKind.ORGANIZATION: {
        "organization",
        "organisation",
        "company",
        "organizacao",
        "empresa",
        "organizacion",
        "azienda",
        "organizzazione",
        "societa",
        "pj",
        "b2b",
        "business",
    },
}


def row_patch(
    values: dict[str, Any], column_of: dict[str, str], row: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The row as PartyCreate-shaped data, and which column each part came from; RowRefused
    names what cannot be read."""
    problems: list[RowProblem] = []
    patch: dict[str, Any] = {k: values[k] for k in SCALARS if k in values}
    sources: dict[str, str] = {}
    for key in ("contact_points", "key_dates", "roles"):
        if isinstance(values.get(key), list):
            patch[key] = values[key]
    if "kind" in values:
        patch["kind"] = _kind(values["kind"], column_of, row, problems)
    if "name" in values:
        _name(values["name"], patch)
    if "company" in values:
        patch["company"] = str(values["company"])
    _contact_points(values, column_of, row, patch, sources, problems)
    _key_dates(values, column_of, row, patch, sources, problems)
    if "tags" in values:
        patch["tags"] = split_list(values["tags"])
    if "roles" in values and not isinstance(values["roles"], list):
        patch["roles"] = [{"role": r.lower()} for r in split_list(values["roles"])]
    custom = dict(values["custom"]) if isinstance(values.get("custom"), dict) else {}
    for key, value in values.items():
        if key.startswith(CUSTOM_PREFIX):
            custom[key.removeprefix(CUSTOM_PREFIX)] = value
    if custom:
        patch["custom"] = custom
    for target in ("owner", "team", "clientela_id"):
        if target in values:
            patch[target] = values[target]
    if problems:
        raise RowRefused(problems)
    return patch, sources


def _contact_points(
    values: dict[str, Any],
    column_of: dict[str, str],
    row: int,
    patch: dict[str, Any],
    sources: dict[str, str],
    problems: list[RowProblem],
) -> None:
    points = list(patch.get("contact_points", []))
    for target, kind in (
        ("email", ContactKind.EMAIL),
        ("phone", ContactKind.PHONE),
        ("website", ContactKind.WEBSITE),
    ):
        if target in values:
            sources[f"contact_points.{len(points)}"] = column_of.get(target, target)
            points.append({"kind": kind, "value": str(values[target])})
    address = {k: str(values[k]) for k in ADDRESS if k in values}
    if address:
        sources[f"contact_points.{len(points)}"] = ", ".join(
            column_of.get(k, k) for k in ADDRESS if k in address
        )
        points.append(_address(address, column_of, row, problems))
    # A local phone number is read in the row's country (its address's), else the company's.
    region = phone_region(points)
    if region is not None:
        for point in points:
            if point.get("kind") == ContactKind.PHONE and not point.get("country"):
                point["country"] = region
    if points:
        patch["contact_points"] = points


def _key_dates(
    values: dict[str, Any],
    column_of: dict[str, str],
    row: int,
    patch: dict[str, Any],
    sources: dict[str, str],
    problems: list[RowProblem],
) -> None:
    dates = list(patch.get("key_dates", []))
    for target in ("birthday", "customer_since"):
        if target not in values:
            continue
        column = column_of.get(target, target)
        try:
            year, month, day = parse_key_date(values[target])
        except Problem as exc:
            problems.append(
                RowProblem(
                    row,
                    column,
                    short(values[target]),
                    exc.message,
                    code=exc.code,
                    params=exc.params,
                )
            )
            continue
        sources[f"key_dates.{len(dates)}"] = column
        dates.append({"kind": target, "year": year, "month": month, "day": day})
    if dates:
        patch["key_dates"] = dates


def _kind(value: Any, column_of: dict[str, str], row: int, problems: list[RowProblem]) -> str:
    word = normalize_text(str(value))
    for kind, words in KIND_WORDS.items():
        if word in words:
            return kind
    problems.append(
        RowProblem(
            row,
            column_of.get("kind", "kind"),
            short(value),
            _("must be person or organization"),
            code="party_kind_unknown",
        )
    )
    return ""


def _name(value: Any, patch: dict[str, Any]) -> None:
    text = " ".join(str(value).split())
    if patch.get("kind") == PartyKind.ORGANIZATION:
        patch.setdefault("organization_name", text)
        return
    if "given_name" in patch or "family_name" in patch:
        return
    given, _space, family = text.rpartition(" ")
    patch["given_name"], patch["family_name"] = (given, family) if given else (text, "")


def _address(
    address: dict[str, str], column_of: dict[str, str], row: int, problems: list[RowProblem]
) -> dict[str, Any]:
    point: dict[str, Any] = {"kind": ContactKind.ADDRESS}
    if "street" in address:
        point["street"] = address["street"]
    if "city" in address:
        point["locality"] = address["city"]
    for key in ("region", "postal_code"):
        if key in address:
            point[key] = address[key]
    if "country" in address:
        code = country_code(address["country"])
        if code is None:
            problems.append(
                RowProblem(
                    row,
                    column_of.get("country", "country"),
                    short(address["country"]),
                    _("is not a country name or a two-letter ISO code"),
                    code="country_unknown",
                )
            )
        else:
            point["country"] = code
    point["value"] = address_text(point)
    return point


def row_keys(
    patch: dict[str, Any],
    normalize: Callable[[str, str, str | None], str] = normalize_contact,
) -> list[tuple[str, str, str]]:
    """The row's e-mails and phones: (kind, normal form, value as given), a phone read in its
    point's country (row_patch gives it the row's); each point keeps its normal form as
    "normalized_key" (None when it is not an address: its check says why)."""
    found = []
    for point in patch.get("contact_points", []):
        kind = point.get("kind")
        if kind not in _GUARDED:
            continue
        if "normalized_key" not in point:
            region = str(point.get("country") or "") or None
            try:
                point["normalized_key"] = normalize(str(kind), str(point.get("value", "")), region)
            except ValueError:
                point["normalized_key"] = None
        if point["normalized_key"] is not None:
            found.append((str(kind), point["normalized_key"], str(point.get("value", ""))))
    return found


def row_identity(patch: dict[str, Any]) -> list[tuple[str, str]]:
    """What names the row's party: its e-mails, phones and external id, each with how."""
    keys = [(kind, normal) for kind, normal, _value in row_keys(patch)]
    if patch.get("external_id"):
        keys.append(("external_id", str(patch["external_id"])))
    return keys


# -- the set-based importer's row helpers (party_bulk.py) ---------------------------------


class Skipped(Exception):
    """A row kept out on purpose by the set-based importer, with the notes saying why."""

    def __init__(self, notes: list[RowProblem]) -> None:
        super().__init__("row skipped")
        self.notes = notes


def as_is(_kind: str, normal: str, _region: str | None) -> str:
    """A normal form, which is its own normal form."""
    return normal


def is_pk(value: Any) -> bool:
    try:
        return is_id(int(str(value)))
    except ValueError:
        return False


def repeated_in_file(row: int, column: str, earlier: int) -> RowProblem:
    return RowProblem(
        row,
        column,
        "",
        _("is the same party as row %(earlier)s of this file (same %(how)s)"),
        code="party_repeated_in_file",
        params={"earlier": earlier, "how": column},
    )


def refused_row(row: int) -> RowProblem:
    return RowProblem(row, "", "", _("was refused"), code="row_refused")


def matches_several(matches: dict[str, int], row: int) -> RowProblem:
    """The problem of a row that names different parties (how → which)."""
    described = ", ".join(f"{how} → #{pk}" for how, pk in matches.items())
    return RowProblem(
        row,
        "",
        "",
        _("matches different parties (%(parties)s)"),
        code="matches_several_parties",
        params={"parties": described},
    )
