"""Importing parties: each row becomes a PartyCreate, or the update of the party it matches.

A row matches an existing party (one the user may see) by Clientela id, external id, e-mail or
phone. A match whose data the row would not change is "unchanged"; otherwise, with upsert the
party is updated (lists are added to, not replaced), and without it the row is refused as a
duplicate naming the party. Rows are written through parties.services, so the rules, the
search text and the change log are the same as everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from pydantic import ValidationError

from clientela.accounts.models import Team, User
from clientela.core.errors import DomainError, FieldError
from clientela.core.validation import field_errors
from clientela.imports.services.geography import country_code
from clientela.imports.services.mapping import CUSTOM_PREFIX, Mapping
from clientela.imports.services.party_state import (
    SCALARS,
    address_text,
    current_state,
    merge_state,
    parse_key_date,
    split_list,
)
from clientela.imports.services.reading import SourceRow
from clientela.imports.services.rows import (
    CREATED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    BatchResult,
    Outcome,
    RowProblem,
    problems_from,
    row_values,
    short,
)
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyKind
from clientela.parties.queries import with_details
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import create_party, update_party
from clientela.parties.services.identity import normalize_email, normalize_phone

ADDRESS = ("street", "city", "region", "postal_code", "country")
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


class _RowError(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("row refused")
        self.problems = problems


class PartyImporter:
    """Creates or updates parties one row at a time, each row in its own savepoint."""

    def __init__(self, mapping: Mapping, *, by: User, visible: Any, upsert: bool) -> None:
        self.mapping = mapping
        self.by = by
        self.visible = visible
        self.upsert = upsert
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        self.organizations: dict[str, int] = {}

    def finish(self) -> BatchResult:
        """Nothing is left to write: each row is written as it is read."""
        return BatchResult()

    def process(self, rows: list[SourceRow]) -> BatchResult:
        outcomes: list[Outcome] = []
        for row in rows:
            outcome = Outcome(row, REJECTED)
            if row.problems:
                outcome.problems = [
                    RowProblem(row.row, p.column, p.value, p.reason) for p in row.problems
                ]
            else:
                try:
                    with transaction.atomic():
                        outcome.result = self._import(row)
                except _RowError as exc:
                    outcome.result, outcome.problems = REJECTED, exc.problems
            outcomes.append(outcome)
        result = BatchResult()
        for outcome in outcomes:
            result.add(outcome)
        return result

    # -- one row -------------------------------------------------------------------------

    def _import(self, row: SourceRow) -> str:
        values, problems = row_values(row, self.mapping)
        if problems:
            raise _RowError(problems)
        patch, sources = self._patch(values, row.row)
        match = self._match(patch, row.row)
        if match is None:
            return self._create(patch, sources, row.row)
        party, how = match
        return self._update(party, how, patch, sources, row.row)

    def _patch(self, values: dict[str, Any], row: int) -> tuple[dict[str, Any], dict[str, str]]:
        """The row as PartyCreate-shaped data, and which column each part came from."""
        problems: list[RowProblem] = []
        col = self.column_of
        patch: dict[str, Any] = {k: values[k] for k in SCALARS if k in values}
        sources: dict[str, str] = {}
        for key in ("contact_points", "key_dates", "roles"):
            if isinstance(values.get(key), list):
                patch[key] = values[key]
        if "kind" in values:
            patch["kind"] = self._kind(values["kind"], row, problems)
        if "name" in values:
            self._name(values["name"], patch)
        if "company" in values:
            patch["company"] = str(values["company"])
        points = list(patch.get("contact_points", []))
        for target, kind in (
            ("email", ContactKind.EMAIL),
            ("phone", ContactKind.PHONE),
            ("website", ContactKind.WEBSITE),
        ):
            if target in values:
                sources[f"contact_points.{len(points)}"] = col.get(target, target)
                points.append({"kind": kind, "value": str(values[target])})
        address = {k: str(values[k]) for k in ADDRESS if k in values}
        if address:
            sources[f"contact_points.{len(points)}"] = ", ".join(
                col.get(k, k) for k in ADDRESS if k in address
            )
            points.append(self._address(address, row, problems))
        if points:
            patch["contact_points"] = points
        dates = list(patch.get("key_dates", []))
        for target, date_kind in (("birthday", "birthday"), ("customer_since", "customer_since")):
            if target in values:
                try:
                    year, month, day = parse_key_date(values[target])
                except ValueError as exc:
                    problems.append(
                        RowProblem(row, col.get(target, target), short(values[target]), str(exc))
                    )
                    continue
                sources[f"key_dates.{len(dates)}"] = col.get(target, target)
                dates.append({"kind": date_kind, "year": year, "month": month, "day": day})
        if dates:
            patch["key_dates"] = dates
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
            raise _RowError(problems)
        return patch, sources

    def _kind(self, value: Any, row: int, problems: list[RowProblem]) -> str:
        from clientela.parties.services.identity import normalize_text

        word = normalize_text(str(value))
        for kind, words in KIND_WORDS.items():
            if word in words:
                return kind
        problems.append(
            RowProblem(
                row,
                self.column_of.get("kind", "kind"),
                short(value),
                "must be person or organization",
            )
        )
        return ""

    def _name(self, value: Any, patch: dict[str, Any]) -> None:
        text = " ".join(str(value).split())
        if patch.get("kind") == PartyKind.ORGANIZATION:
            patch.setdefault("organization_name", text)
            return
        if "given_name" in patch or "family_name" in patch:
            return
        given, _, family = text.rpartition(" ")
        patch["given_name"], patch["family_name"] = (given, family) if given else (text, "")

    def _address(
        self, address: dict[str, str], row: int, problems: list[RowProblem]
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
                        self.column_of.get("country", "country"),
                        short(address["country"]),
                        "is not a country name or a two-letter ISO code",
                    )
                )
            else:
                point["country"] = code
        point["value"] = address_text(point)
        return point

    # -- matching ------------------------------------------------------------------------

    def _match(self, patch: dict[str, Any], row: int) -> tuple[Party, str] | None:
        """The visible party the row is about, and how it was found; None for a new one."""
        found: dict[str, Party] = {}
        col = self.column_of
        if "clientela_id" in patch:
            # A party of this database that the user may see; an id from another database
            # (or another user's party) is ignored and the row matched in the other ways.
            try:
                pk = int(str(patch["clientela_id"]))
            except ValueError:
                problem = RowProblem(
                    row,
                    col.get("clientela_id", "clientela_id"),
                    short(patch["clientela_id"]),
                    "is not a whole number",
                )
                raise _RowError([problem]) from None
            party = self.visible.filter(pk=pk).first()
            if party is not None:
                found["clientela_id"] = party
        if patch.get("external_id"):
            party = self.visible.filter(external_id=patch["external_id"]).first()
            if party is not None:
                found["external_id"] = party
        for point in patch.get("contact_points", []):
            kind = point.get("kind")
            if kind not in {ContactKind.EMAIL, ContactKind.PHONE}:
                continue
            try:
                normal = (normalize_email if kind == ContactKind.EMAIL else normalize_phone)(
                    str(point.get("value", ""))
                )
            except ValueError:
                continue  # the schema names the problem when the row is checked
            owners = list(
                ContactPoint.objects.filter(kind=kind, normalized=normal, party__in=self.visible)
                .values_list("party_id", flat=True)
                .distinct()[:2]
            )
            if owners:
                found.setdefault(str(kind), self.visible.get(pk=owners[0]))
        parties = {p.pk for p in found.values()}
        if len(parties) > 1:
            described = ", ".join(f"{how} → #{p.pk}" for how, p in found.items())
            raise _RowError([RowProblem(row, "", "", f"matches different parties ({described})")])
        if not found:
            return None
        how, party = next(iter(found.items()))
        return with_details(Party.objects.filter(pk=party.pk)).get(), how

    # -- writing -------------------------------------------------------------------------

    def _create(self, patch: dict[str, Any], sources: dict[str, str], row: int) -> str:
        data = {
            k: v for k, v in patch.items() if k not in {"company", "owner", "team", "clientela_id"}
        }
        if "kind" not in data:
            is_org = "organization_name" in data and not (
                data.get("given_name") or data.get("family_name")
            )
            is_org = is_org or (
                "company" in patch and not (data.get("given_name") or data.get("family_name"))
            )
            data["kind"] = PartyKind.ORGANIZATION if is_org else PartyKind.PERSON
        if data["kind"] == PartyKind.ORGANIZATION and "company" in patch:
            data.setdefault("organization_name", patch["company"])
        self._assignments(patch, data, row)
        if data["kind"] == PartyKind.PERSON and "company" in patch:
            data["affiliations"] = [{"organization_id": self._organization(patch["company"], row)}]
        try:
            schema = PartyCreate.model_validate(data)
            create_party(schema, by=self.by)
        except ValidationError as exc:
            raise _RowError(self._problems(row, field_errors(exc), sources)) from exc
        except DomainError as exc:
            raise _RowError(
                self._problems(row, exc.errors or [FieldError("", "", exc.detail)], sources)
            ) from exc
        return CREATED

    def _update(
        self, party: Party, how: str, patch: dict[str, Any], sources: dict[str, str], row: int
    ) -> str:
        current = current_state(party)
        merged = merge_state(current, patch)
        self._assignments(patch, merged, row)
        if party.kind == PartyKind.PERSON and "company" in patch:
            org = self._organization(patch["company"], row)
            if org not in {a["organization_id"] for a in merged["affiliations"]}:
                merged["affiliations"] = [*merged["affiliations"], {"organization_id": org}]
        changed = {k: v for k, v in merged.items() if current.get(k) != v}
        if not changed:
            return UNCHANGED
        if not self.upsert:
            raise _RowError(
                [
                    RowProblem(
                        row,
                        self._column_for(how),
                        "",
                        f"is a duplicate of party #{party.pk} (same {how}); "
                        "use --upsert to update it",
                    )
                ]
            )
        try:
            update_party(party, PartyUpdate.model_validate(changed), by=self.by)
        except ValidationError as exc:
            raise _RowError(self._problems(row, field_errors(exc), sources)) from exc
        except DomainError as exc:
            raise _RowError(
                self._problems(row, exc.errors or [FieldError("", "", exc.detail)], sources)
            ) from exc
        return UPDATED

    def _column_for(self, how: str) -> str:
        target = {"email": "email", "phone": "phone"}.get(how, how)
        return self.column_of.get(target, target)

    def _assignments(self, patch: dict[str, Any], data: dict[str, Any], row: int) -> None:
        col = self.column_of
        if "owner" in patch:
            owner = User.objects.filter(
                email__iexact=str(patch["owner"]).strip(), is_active=True
            ).first()
            if owner is None:
                raise _RowError(
                    [
                        RowProblem(
                            row,
                            col.get("owner", "owner"),
                            short(patch["owner"]),
                            "is not the e-mail of an active user",
                        )
                    ]
                )
            data["owner_id"] = owner.pk
        if "team" in patch:
            team = Team.objects.filter(name__iexact=str(patch["team"]).strip()).first()
            if team is None:
                raise _RowError(
                    [
                        RowProblem(
                            row, col.get("team", "team"), short(patch["team"]), "is not a team"
                        )
                    ]
                )
            data["team_id"] = team.pk

    def _organization(self, name: str, row: int) -> int:
        """The visible organization of that name, created when there is none."""
        key = " ".join(name.split()).casefold()
        if key in self.organizations:
            return self.organizations[key]
        org = self.visible.filter(
            kind=PartyKind.ORGANIZATION, organization_name__iexact=" ".join(name.split())
        ).first()
        if org is not None:
            # Only organizations that existed before this row are remembered: one created here
            # goes away if the row is refused.
            self.organizations[key] = org.pk
            return int(org.pk)
        if org is None:
            try:
                org = create_party(
                    PartyCreate(
                        kind=PartyKind.ORGANIZATION, organization_name=" ".join(name.split())
                    ),
                    by=self.by,
                )
            except (ValidationError, DomainError) as exc:
                raise _RowError(
                    [
                        RowProblem(
                            row,
                            self.column_of.get("company", "company"),
                            short(name),
                            f"cannot be created: {exc}",
                        )
                    ]
                ) from exc
        return int(org.pk)

    def _problems(
        self, row: int, errors: list[FieldError], sources: dict[str, str]
    ) -> list[RowProblem]:
        column_of = {**self.column_of, **sources}
        column_of.setdefault("affiliations", self.column_of.get("company", "company"))
        column_of.setdefault("owner_id", self.column_of.get("owner", "owner"))
        column_of.setdefault("team_id", self.column_of.get("team", "team"))
        for key, column in list(column_of.items()):
            if key.startswith(CUSTOM_PREFIX):
                column_of[key] = column
        return problems_from(row, errors, column_of)
