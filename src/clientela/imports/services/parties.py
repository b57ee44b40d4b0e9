"""Importing parties: each row becomes a PartyCreate, or the update of the party it matches.

A row matches an existing party (one the user may see) by Clientela id, external id, e-mail or
phone. A match whose data the row would not change is "unchanged"; otherwise, with upsert the
party is updated (lists are added to, not replaced), and without it the row is refused as a
duplicate naming the party. Rows are written through parties.services, so the rules, the
search text and the change log are the same as everywhere else.

A row holding an e-mail or phone that no new party may be made from (an erased or suppressed
address whose person has not come back: parties.services.kept_out asks consent) is skipped and
reported, whatever else it holds, unless a party the user sees already has that address.
Consent columns: see party_consent.py.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.accounts.models import Team, User
from clientela.core.errors import DomainError, FieldError
from clientela.core.validation import PYDANTIC_MESSAGES, field_errors
from clientela.imports.services.geography import country_code
from clientela.imports.services.mapping import CUSTOM_PREFIX, Mapping
from clientela.imports.services.party_consent import (
    ConsentImporter,
    ImportedFile,
    read_wishes,
)
from clientela.imports.services.party_rows import row_patch
from clientela.imports.services.party_state import current_state, merge_state
from clientela.imports.services.reading import SourceRow
from clientela.imports.services.rows import (
    CREATED,
    REJECTED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    BatchResult,
    Outcome,
    RowProblem,
    RowRefused,
    RowSkipped,
    problems_from,
    read_problems,
    row_values,
    short,
)
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyKind
from clientela.parties.queries import parties_by_external_id, with_details
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import create_party, kept_out, update_party
from clientela.parties.services.identity import (
    normalize_contact,
    normalize_email,
    normalize_phone,
    phone_region,
)


def _errors(exc: ValidationError | DomainError) -> list[FieldError]:
    """A refusal's field errors; a domain error without any is an error of the whole row."""
    if isinstance(exc, ValidationError):
        return field_errors(exc)
    return exc.errors or [FieldError("", "", exc.message, code=exc.code, params=exc.params)]


class PartyImporter:
    """Creates or updates parties one row at a time, each row in its own savepoint."""

    def __init__(
        self,
        mapping: Mapping,
        *,
        by: User,
        visible: Any,
        upsert: bool,
        source: ImportedFile | None = None,
    ) -> None:
        self.mapping = mapping
        self.by = by
        self.visible = visible
        self.upsert = upsert
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        self.organizations: dict[str, int] = {}
        self.consents = ConsentImporter(source or ImportedFile("-", None), by=by)

    def finish(self) -> BatchResult:
        """Nothing is left to write: each row is written as it is read."""
        return BatchResult()

    def process(self, rows: list[SourceRow]) -> BatchResult:
        outcomes: list[Outcome] = []
        for row in rows:
            outcome = Outcome(row, REJECTED)
            if row.problems:
                outcome.problems = read_problems(row)
            else:
                try:
                    with transaction.atomic():
                        outcome.result, outcome.notes = self._import(row)
                except RowRefused as exc:
                    outcome.result, outcome.problems = REJECTED, exc.problems
                except RowSkipped as exc:
                    outcome.result, outcome.notes = SKIPPED, exc.notes
            outcomes.append(outcome)
        result = BatchResult()
        for outcome in outcomes:
            result.add(outcome)
        return result

    # -- one row -------------------------------------------------------------------------

    def _import(self, row: SourceRow) -> tuple[str, list[RowProblem]]:
        """What became of the row, and its notes; RowRefused or RowSkipped say why not."""
        values, problems = row_values(row, self.mapping)
        if problems:
            raise RowRefused(problems)
        self._keep_out(values, row.row)
        wishes, refused = read_wishes(values, self.column_of, row.row)
        try:
            patch, sources = row_patch(values, self.column_of, row.row)
        except RowRefused as exc:
            raise RowRefused(exc.problems + refused) from None
        if refused:
            raise RowRefused(refused)
        match = self._match(patch, row.row)
        if match is None:
            party, result = self._create(patch, sources, row.row)
        else:
            party, how = match
            result = self._update(party, how, patch, sources, row.row)
        withdrawn, notes = self.consents.apply(party, wishes, row.row)
        return UPDATED if withdrawn and result == UNCHANGED else result, notes

    def _keep_out(self, values: dict[str, Any], row: int) -> None:
        """RowSkipped when the row holds an address no new party may be made from, and no
        party the user sees has it (such a row is about that party, and goes on)."""
        points: list[tuple[str, str, str]] = []  # (kind, value, column)
        for target in (ContactKind.EMAIL, ContactKind.PHONE):
            if target in values:
                points.append((target, str(values[target]), self.column_of.get(target, target)))
        nested = values.get("contact_points")
        for i, point in enumerate(nested if isinstance(nested, list) else []):
            if isinstance(point, dict) and "value" in point:
                kind, value = str(point.get("kind", "")), str(point["value"])
                points.append(
                    (kind, value, f"{self.column_of.get('contact_points', 'contact_points')}.{i}")
                )
        region = (
            country_code(str(values["country"]))
            if "country" in values
            else phone_region([p for p in nested if isinstance(p, dict)])
            if isinstance(nested, list)
            else None
        )
        refused = kept_out((kind, value, region) for kind, value, _column in points)
        notes = [
            RowProblem(row, column, "", why.message, code=why.code, params=why.params)
            for kind, value, column in points
            if (why := refused.get((kind, value))) is not None
            and not self._held(kind, value, region)
        ]
        if notes:
            raise RowSkipped(notes)  # the address itself is not repeated in the report

    def _held(self, kind: str, value: str, region: str | None = None) -> bool:
        normal = normalize_contact(kind, value, region)
        held = ContactPoint.objects.filter(kind=kind, normalized=normal, party__in=self.visible)
        return held.exists()

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
                    PYDANTIC_MESSAGES["int_parsing"],
                    code="int_parsing",
                )
                raise RowRefused([problem]) from None
            party = self.visible.filter(pk=pk).first()
            if party is not None:
                found["clientela_id"] = party
        if patch.get("external_id"):
            ref = str(patch["external_id"])
            named = parties_by_external_id(self.visible, [ref]).get(ref)
            if named is not None:
                found["external_id"] = self.visible.get(pk=named)
        for point in patch.get("contact_points", []):
            kind = point.get("kind")
            if kind not in {ContactKind.EMAIL, ContactKind.PHONE}:
                continue
            try:
                value = str(point.get("value", ""))
                normal = (
                    normalize_email(value)
                    if kind == ContactKind.EMAIL
                    else normalize_phone(value, point.get("country") or None)
                )
            except ValueError:  # a Problem too: the schema names it when the row is checked
                continue
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
            problem = RowProblem(
                row,
                "",
                "",
                _("matches different parties (%(parties)s)"),
                code="matches_several_parties",
                params={"parties": described},
            )
            raise RowRefused([problem])
        if not found:
            return None
        how, party = next(iter(found.items()))
        return with_details(Party.objects.filter(pk=party.pk)).get(), how

    # -- writing -------------------------------------------------------------------------

    def _create(
        self, patch: dict[str, Any], sources: dict[str, str], row: int
    ) -> tuple[Party, str]:
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
            party = create_party(schema, by=self.by)
        except (ValidationError, DomainError) as exc:
            raise RowRefused(self._problems(row, _errors(exc), sources)) from exc
        return party, CREATED

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
            problem = RowProblem(
                row,
                self._column_for(how),
                "",
                _("is a duplicate of party #%(party)s (same %(how)s)"),  # how to update: per edge
                code="duplicate_party",
                params={"party": party.pk, "how": how},
            )
            raise RowRefused([problem])
        try:
            update_party(party, PartyUpdate.model_validate(changed), by=self.by)
        except (ValidationError, DomainError) as exc:
            raise RowRefused(self._problems(row, _errors(exc), sources)) from exc
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
                problem = RowProblem(
                    row,
                    col.get("owner", "owner"),
                    short(patch["owner"]),
                    _("is not the e-mail of an active user"),
                    code="owner_unknown",
                )
                raise RowRefused([problem])
            data["owner_id"] = owner.pk
        if "team" in patch:
            team = Team.objects.filter(name__iexact=str(patch["team"]).strip()).first()
            if team is None:
                problem = RowProblem(
                    row,
                    col.get("team", "team"),
                    short(patch["team"]),
                    _("is not a team"),
                    code="team_unknown",
                )
                raise RowRefused([problem])
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
                # Each reason the organization is refused, said of the company column.
                column = self.column_of.get("company", "company")
                problems = [
                    RowProblem(row, column, short(name), e.message, code=e.code, params=e.params)
                    for e in _errors(exc)
                ]
                raise RowRefused(problems) from exc
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
