"""Importing parties a chunk at a time: the rows of PartyImporter, checked in plain Python and
matched with one look-up per chunk, written by the parties app's bulk writer (parties/bulk.py).

The rules are the row-by-row importer's (parties.py), through the same functions: a row is read
by `row_patch`, kept out by `kept_out`, matched by external id (or alias), e-mail, phone or
Clientela id among the parties the user may see, merged with `merge_state` and checked by
`services.rows.check_new` (PartyCreate's rules; a refused row is explained by PartyCreate
itself). A value held only by a party the user may not see refuses the row the way
create_party does (`value_unavailable`, nothing said of the party). A row that names a party an
earlier row of the file makes is refused (`party_repeated_in_file`): the file says two things of
one party.

Consent columns: a "yes" is noted on its row, a "no" staged and recorded once the file is final
(consent_stage.py). A company column (organisations made on the way) goes row by row (`is_bulk`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.consent.bulk import withdrawals_in_force
from clientela.core.errors import FieldError, unavailable
from clientela.core.validation import field_errors
from clientela.imports.services import party_rows
from clientela.imports.services.consent_stage import Staged, StagedConsent, row_withdrawals
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.parties import PartyImporter
from clientela.imports.services.party_consent import (
    ImportedFile,
    Wish,
    is_consent_target,
    read_wishes,
)
from clientela.imports.services.party_rows import Skipped, is_pk, row_identity, row_keys, row_patch
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
    read_problems,
    row_values,
)
from clientela.parties.bulk import StagedParties
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyKind
from clientela.parties.queries import parties_by_external_id, with_details
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import kept_out
from clientela.parties.services.changes import state_changes
from clientela.parties.services.custom_fields import validate_custom
from clientela.parties.services.identity import Normals, phones_in_address_country
from clientela.parties.services.relations import apply_relations
from clientela.parties.services.rows import (
    NewParty,
    check_new,
    created_changes,
    custom_fields,
    refusals,
)

_GUARDED = (ContactKind.EMAIL, ContactKind.PHONE)
NOT_BULK = frozenset({"company"})
# The fields of an update checked in plain Python (services.rows.check_new's rules).
UPDATE_CHECKED = frozenset(
    {"language", "timezone", "notes", "external_id", "organization_level", "tags", "custom"}
)


def is_bulk(mapping: Mapping) -> bool:
    """Whether the bulk importer takes a file mapped this way (see the module's docstring)."""
    return not {t for t in mapping.targets if t} & NOT_BULK


class BulkPartyImporter(PartyImporter):
    """PartyImporter's rules, a chunk of rows at a time, staged by the parties bulk writer."""

    def __init__(
        self,
        mapping: Mapping,
        *,
        by: User,
        visible: Any,
        upsert: bool,
        source: ImportedFile | None = None,
    ) -> None:
        super().__init__(mapping, by=by, visible=visible, upsert=upsert)
        source = source or ImportedFile("-", None)
        wanted = any(t and is_consent_target(t) for t in mapping.targets)
        self.consent = StagedConsent(source, by=by) if wanted else None
        self.writer = StagedParties(by=by)
        self.fields = custom_fields()
        self.seen: dict[tuple[str, str], int] = {}  # (how, key) -> row of this file
        self.assigned: dict[tuple[str, str], Any] = {}
        self.normals = Normals()  # each address normalised once per chunk
        self.details: dict[int, Party] = {}

    def close(self) -> None:
        if self.consent is not None:
            self.consent.close()

    def process(self, rows: list[SourceRow]) -> BatchResult:
        result = BatchResult()
        read: list[tuple[SourceRow, dict[str, Any], dict[str, str], list[Wish]]] = []
        for row in rows:
            if row.problems:
                result.reject(row, read_problems(row))
                continue
            values, problems = row_values(row, self.mapping)
            wishes, refused = read_wishes(values, self.column_of, row.row)
            try:
                if problems:
                    raise RowRefused(problems)
                patch, sources = row_patch(values, self.column_of, row.row)
            except RowRefused as exc:
                result.reject(row, exc.problems + refused)
                continue
            if refused:
                result.reject(row, refused)
                continue
            read.append((row, patch, sources, wishes))
        found = self._look_up([patch for _r, patch, _s, _w in read])
        new: list[NewParty] = []
        withdrawals: list[Staged] = []
        for row, patch, sources, wishes in read:
            outcome = Outcome(row, REJECTED)
            try:
                result_, pk = self._one(row.row, patch, sources, found, new)
                named = (result_, pk, self.writer.staged + len(new))  # a new party's stage id
                outcome.result, outcome.notes = row_withdrawals(
                    row.row, named, wishes, found["withdrawn"], withdrawals
                )
            except RowRefused as exc:
                outcome.problems = exc.problems
            except Skipped as exc:
                outcome.result, outcome.notes = SKIPPED, exc.notes
            result.add(outcome)
        self.writer.stage_new(new)
        if self.consent is not None:
            self.consent.stage(withdrawals)
        self.normals.forget()
        return result

    # -- look-ups, one per chunk --------------------------------------------------------------

    def _look_up(self, patches: list[dict[str, Any]]) -> dict[str, Any]:
        """Who holds each key of the chunk: every live party (to refuse those not visible),
        which of them the user sees, and the parties to update, with their details."""
        refs = {str(p["external_id"]) for p in patches if p.get("external_id")}
        keys: dict[str, set[str]] = {ContactKind.EMAIL: set(), ContactKind.PHONE: set()}
        for patch in patches:
            for kind, normal, _value in row_keys(patch, self.normals):
                keys[kind].add(normal)
        live = Party.objects.filter(archived_at=None)
        by_ref = parties_by_external_id(live, refs)
        by_key: dict[tuple[str, str], set[int]] = {}
        for kind, wanted in keys.items():
            ordered = sorted(wanted)
            for start in range(0, len(ordered), 500):
                held = ContactPoint.objects.filter(
                    kind=kind, normalized__in=ordered[start : start + 500], party__in=live
                ).values_list("normalized", "party_id")
                for normal, pk in held:
                    by_key.setdefault((kind, normal), set()).add(pk)
        ids = {*by_ref.values(), *(pk for found in by_key.values() for pk in found)}
        ids |= {int(p["clientela_id"]) for p in patches if is_pk(p.get("clientela_id"))}
        visible: set[int] = set()
        ordered_ids = sorted(ids)
        for start in range(0, len(ordered_ids), 500):
            chunk = ordered_ids[start : start + 500]
            visible |= set(self.visible.filter(pk__in=chunk).values_list("pk", flat=True))
        self.details = {}  # the parties this chunk may update, with all update_party reads
        for start in range(0, len(matched := sorted(visible)), 500):
            rows = with_details(Party.objects.filter(pk__in=matched[start : start + 500]))
            self.details.update((p.pk, p) for p in rows)
        return {
            "ref": by_ref,
            "key": by_key,
            "visible": visible,
            "withdrawn": withdrawals_in_force(visible) if self.consent is not None else set(),
            "refused": kept_out(  # of the normal forms, each phone read in its row's region
                [(kind, normal) for kind, normals in keys.items() for normal in normals],
                normalize=party_rows.as_is,
            ),
        }

    # -- one row ------------------------------------------------------------------------------

    def _one(
        self,
        row: int,
        patch: dict[str, Any],
        sources: dict[str, str],
        found: dict[str, Any],
        new: list[NewParty],
    ) -> tuple[str, int | None]:
        """What becomes of the row, and the stored party it names (None for a new one)."""
        matches, hidden = self._matches(patch, found, row)
        notes = [
            RowProblem(
                row, self._column_for(kind), "", why.message, code=why.code, params=why.params
            )
            for kind, normal, _value in row_keys(patch)
            if (why := found["refused"].get((kind, normal))) is not None
            and not (found["key"].get((kind, normal), set()) & found["visible"])
        ]
        if notes:
            raise Skipped(notes)
        if len(set(matches.values())) > 1:
            raise RowRefused([party_rows.matches_several(matches, row)])
        if matches:
            how, pk = next(iter(matches.items()))
            return self._update_one(pk, how, patch, sources, row), pk
        if hidden:
            raise RowRefused(self._problems(row, hidden, sources))
        party = self._new(patch, sources, row)
        for how, key in row_identity(patch):
            self.seen[(how, key)] = row
        new.append(party)
        return CREATED, None

    def _matches(
        self, patch: dict[str, Any], found: dict[str, Any], row: int
    ) -> tuple[dict[str, int], list[FieldError]]:
        """The visible parties the row names, by how; and the errors of values that only
        parties the user may not see hold."""
        matches: dict[str, int] = {}
        hidden: list[FieldError] = []
        visible = found["visible"]
        for how, key in row_identity(patch):
            if (how, key) in self.seen:
                raise RowRefused(
                    [party_rows.repeated_in_file(row, self._column_for(how), self.seen[(how, key)])]
                )
        if is_pk(patch.get("clientela_id")) and int(patch["clientela_id"]) in visible:
            matches["clientela_id"] = int(patch["clientela_id"])
        elif patch.get("clientela_id") is not None and not is_pk(patch["clientela_id"]):
            super()._match({"clientela_id": patch["clientela_id"]}, row)  # refuses it
        ref = patch.get("external_id")
        if ref and str(ref) in found["ref"]:
            pk = found["ref"][str(ref)]
            if pk in visible:
                matches["external_id"] = pk
            else:
                hidden.append(unavailable("external_id", ref))
        for i, point in enumerate(patch.get("contact_points", [])):
            kind, normal = point.get("kind"), point.get("normalized_key")
            if kind not in _GUARDED or normal is None:
                continue
            holders = found["key"].get((kind, normal), set())
            seen = sorted(holders & visible)
            if seen:
                matches.setdefault(str(kind), seen[0])
            elif holders:
                hidden.append(unavailable(f"contact_points.{i}.value", point.get("value")))
        return matches, hidden

    def _new(self, patch: dict[str, Any], sources: dict[str, str], row: int) -> NewParty:
        data = {k: v for k, v in patch.items() if k not in {"owner", "team", "clientela_id"}}
        data["contact_points"] = [
            {k: v for k, v in p.items() if k != "normalized_key"}
            for p in data.get("contact_points", [])
        ] or None
        if data["contact_points"] is None:
            del data["contact_points"]
        if "kind" not in data:
            is_org = "organization_name" in data and not (
                data.get("given_name") or data.get("family_name")
            )
            data["kind"] = PartyKind.ORGANIZATION if is_org else PartyKind.PERSON
        self._assignments(patch, data, row)
        assigned = {k: data.pop(k) for k in ("owner_id", "team_id") if k in data}
        party = check_new(data, self.fields, self.normals)
        errors: list[FieldError] = []
        if assigned:
            apply_relations(
                Party(kind=data["kind"]),
                PartyCreate.model_construct(**assigned),
                by=self.by,
                errors=errors,
            )
        if party is None:
            try:
                PartyCreate.model_validate({**data, **assigned})
                errors += refusals(data["kind"], dict(data.get("custom") or {}), data)
            except ValidationError as exc:
                errors += field_errors(exc)
        if errors or party is None:
            raise RowRefused(self._problems(row, errors, sources) or [party_rows.refused_row(row)])
        if self.by.can_assign:
            party.owner_id, party.team_id = assigned.get("owner_id"), assigned.get("team_id")
        else:  # sales and support keep what they create, as create_party says
            party.owner_id, party.team_id = self.by.pk, self.by.team_id
        if party.owner_id is not None or party.team_id is not None:
            party.changes = json.dumps(created_changes(party), default=str)
        return party

    def _update_one(
        self, pk: int, how: str, patch: dict[str, Any], sources: dict[str, str], row: int
    ) -> str:
        current = current_state(self.details[pk])
        clean = {**patch}
        if "contact_points" in clean:
            clean["contact_points"] = [
                {k: v for k, v in p.items() if k != "normalized_key"}
                for p in clean["contact_points"]
            ]
        merged = merge_state(current, clean)
        self._assignments(patch, merged, row)
        changed = {k: v for k, v in merged.items() if current.get(k) != v}
        if not changed:
            return UNCHANGED
        if "contact_points" in changed:  # as PartyUpdate reads them for update_party
            changed["contact_points"] = phones_in_address_country(changed["contact_points"])
        if not self.upsert:
            problem = RowProblem(
                row,
                self._column_for(how),
                "",
                _("is a duplicate of party #%(party)s (same %(how)s)"),  # how to update: per edge
                code="duplicate_party",
                params={"party": pk, "how": how},
            )
            raise RowRefused([problem])
        self._check_update(self.details[pk], changed, patch, sources, row)
        before = {k: current.get(k) for k in changed}
        self.writer.stage_update(pk, changed, before, state_changes(before, changed))
        return UPDATED

    def _check_update(
        self,
        party: Party,
        changed: dict[str, Any],
        patch: dict[str, Any],
        sources: dict[str, str],
        row: int,
    ) -> None:
        """RowRefused unless update_party would take these changes: the plain ones checked
        in Python (check_new, beside a stand-in name), the others by PartyUpdate itself."""
        errors: list[FieldError] = []
        assigned = {k: changed[k] for k in ("owner_id", "team_id") if k in changed}
        if assigned:
            apply_relations(
                party, PartyUpdate.model_construct(**assigned), by=self.by, errors=errors
            )
        plain = {k: v for k, v in changed.items() if k in UPDATE_CHECKED}
        if len(plain) == len(changed) - len(assigned):
            probe = {"kind": party.kind, "given_name": "-", "organization_name": "-", **plain}
            if party.kind == PartyKind.PERSON:
                del probe["organization_name"]
            if check_new(probe, self.fields, self.normals) is not None and not errors:
                return
        try:
            PartyUpdate.model_validate({k: v for k, v in changed.items() if k not in assigned})
        except ValidationError as exc:
            errors += field_errors(exc)
        if "custom" in changed:
            custom = validate_custom(party.kind, patch.get("custom", {}), current=party.custom)
            errors += custom if isinstance(custom, list) else []
        if errors:
            raise RowRefused(self._problems(row, errors, sources))

    def _assignments(self, patch: dict[str, Any], data: dict[str, Any], row: int) -> None:
        """The owner and team named, looked up once per name."""
        wanted = {k: str(patch[k]).strip().casefold() for k in ("owner", "team") if k in patch}
        key = (wanted.get("owner", ""), wanted.get("team", ""))
        if key not in self.assigned:
            got: dict[str, Any] = {}
            try:
                super()._assignments(patch, got, row)
            except RowRefused as exc:
                got = {"refused": exc.problems}
            self.assigned[key] = got
        got = self.assigned[key]
        if "refused" in got:
            raise RowRefused([replace(p, row=row) for p in got["refused"]])
        data.update(got)
