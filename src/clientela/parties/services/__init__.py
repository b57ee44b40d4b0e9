"""Use cases for parties: create, update, archive, search, and the change log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from clientela.accounts.models import Team, User
from clientela.accounts.services import require_write
from clientela.core.errors import Conflict, FieldError, Invalid
from clientela.parties.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    CustomField,
    CustomFieldType,
    KeyDate,
    Party,
    PartyChange,
    PartyKind,
    PartyRole,
    Tag,
)
from clientela.parties.queries import MAX_ID, visible_parties
from clientela.parties.schemas import PartyCreate, PartyFields, PartyUpdate
from clientela.parties.services.identity import (
    find_exact_matches,
    name_key,
    normalize_contact,
    normalize_text,
)

SCALAR_FIELDS = (
    "given_name",
    "family_name",
    "organization_name",
    "external_id",
    "language",
    "timezone",
    "organization_level",
    "notes",
)
RELATION_FIELDS = ("owner_id", "team_id", "parent_id")
LIST_FIELDS = ("tags", "custom", "roles", "contact_points", "key_dates", "affiliations")
MAX_CUSTOM_NUMBER = Decimal("1e15")


def create_party(data: PartyCreate, *, by: User) -> Party:
    """Create a party with its nested data; the adapter wraps this in a transaction."""
    require_write(by)
    refuse_exact_duplicates(data, by=by)
    party = Party(kind=data.kind, created_by=by)
    if not by.can_assign:
        # Sales and support keep what they create: it is theirs and their team's.
        party.owner = by
        party.team_id = by.team_id
    _apply(party, data, by=by, creating=True)
    return party


def refuse_exact_duplicates(data: PartyFields, *, by: User) -> None:
    """Conflict when a live party already has one of these e-mails or phones.

    The answer names the party only when `by` may see it; otherwise it only says that one
    exists, so other teams' parties are not revealed.
    """
    points = list(enumerate(data.contact_points or []))
    matches = find_exact_matches(
        [p.value for _, p in points if p.kind == ContactKind.EMAIL],
        [p.value for _, p in points if p.kind == ContactKind.PHONE],
    )
    if not matches:
        return
    ids = {i for found in matches.values() for i in found}
    visible = set(visible_parties(by).filter(pk__in=ids).values_list("pk", flat=True))
    errors = []
    for i, point in points:
        if point.kind not in {ContactKind.EMAIL, ContactKind.PHONE}:
            continue
        found = matches.get(normalize_contact(point.kind, point.value), [])
        shown = [pk for pk in found if pk in visible]
        if shown:
            errors.append(
                FieldError(f"contact_points.{i}.value", point.value, f"is used by party {shown[0]}")
            )
        elif found:
            errors.append(
                FieldError(f"contact_points.{i}.value", point.value, "is used by another party")
            )
    raise Conflict("a party with this e-mail or phone already exists", errors=errors)


def update_party(party: Party, data: PartyUpdate, *, by: User) -> Party:
    """Change the fields that were sent; lists sent replace the whole list."""
    require_write(by)
    _apply(party, data, by=by, creating=False)
    return party


def archive_party(party: Party, *, by: User) -> None:
    """Hide the party from lists and searches; its history is kept."""
    from django.utils import timezone

    require_write(by)
    before = snapshot(party)
    party.archived_at = timezone.now()
    party.save(update_fields=["archived_at", "updated_at"])
    record_change(party=party, actor=by, action="archived", changes=_diff(before, snapshot(party)))


def _apply(party: Party, data: PartyFields, *, by: User, creating: bool) -> None:
    sent = data.model_fields_set
    errors: list[FieldError] = []
    before = {} if creating else snapshot(party)
    for name in SCALAR_FIELDS:
        if name in sent:
            value = getattr(data, name)
            if name == "external_id":
                value = value or None
            setattr(party, name, value if value is not None or name == "external_id" else "")
    if "kind" in sent and not creating:
        errors.append(FieldError("kind", data.kind, "cannot be changed"))  # type: ignore[attr-defined]
    _check_name(party, errors)
    _apply_relations(party, data, by=by, errors=errors)
    if party.external_id:
        clash = Party.objects.filter(external_id=party.external_id).exclude(pk=party.pk)
        if clash.exists():
            errors.append(FieldError("external_id", party.external_id, "is already used"))
    custom = None
    if "custom" in sent or creating:
        custom = validate_custom(
            party.kind, data.custom or {}, current=party.custom if not creating else {}
        )
        if isinstance(custom, list):
            errors.extend(custom)
            custom = None
    affiliations = (
        _check_affiliations(party, data, errors, by=by) if "affiliations" in sent else None
    )
    if errors:
        raise Invalid(errors)
    if custom is not None:
        party.custom = custom
    party.display_name = display_name(party)
    party.save()
    if data.tags is not None:
        party.tags.set([Tag.objects.get_or_create(name=name)[0] for name in data.tags])
    if data.roles is not None:
        party.roles.all().delete()
        PartyRole.objects.bulk_create(
            PartyRole(party=party, role=r.role, since=r.since, until=r.until) for r in data.roles
        )
    if data.contact_points is not None:
        replace_contact_points(party, [p.model_dump() for p in data.contact_points])
    if data.key_dates is not None:
        party.key_dates.all().delete()
        KeyDate.objects.bulk_create(KeyDate(party=party, **k.model_dump()) for k in data.key_dates)
    if affiliations is not None:
        party.affiliations.all().delete()
        Affiliation.objects.bulk_create(affiliations)
    refresh_search_text(party)
    changes = _diff(before, snapshot(party))
    if creating or changes:  # a change that changed nothing is not worth a line in the log
        record_change(
            party=party, actor=by, action="created" if creating else "updated", changes=changes
        )


def _check_name(party: Party, errors: list[FieldError]) -> None:
    if party.kind == PartyKind.PERSON and not (party.given_name or party.family_name):
        errors.append(FieldError("given_name", party.given_name, "a person needs a name"))
    if party.kind == PartyKind.ORGANIZATION and not party.organization_name:
        errors.append(
            FieldError("organization_name", party.organization_name, "an organization needs a name")
        )


def _apply_relations(
    party: Party, data: PartyFields, *, by: User, errors: list[FieldError]
) -> None:
    sent = data.model_fields_set
    for name in ("owner_id", "team_id"):
        if name not in sent:
            continue
        value = getattr(data, name)
        if not by.can_assign:
            errors.append(
                FieldError(name, value, "only managers and admins may assign owner or team")
            )
            continue
        model = User if name == "owner_id" else Team
        if value is not None and (
            not 0 < value <= MAX_ID
            or not model.objects.filter(
                pk=value, **({"is_active": True} if model is User else {})
            ).exists()
        ):
            errors.append(FieldError(name, value, "does not exist"))
            continue
        setattr(party, name, value)
    if "parent_id" in sent:
        value = data.parent_id
        if value is not None and party.kind != PartyKind.ORGANIZATION:
            errors.append(
                FieldError("parent_id", value, "only organizations have a parent organization")
            )
            return
        if value is not None:
            parent = (
                visible_parties(by).filter(pk=value, kind=PartyKind.ORGANIZATION).first()
                if 0 < value <= MAX_ID
                else None
            )
            if parent is None:
                errors.append(FieldError("parent_id", value, "is not a visible organization"))
                return
            if party.pk and _is_descendant(parent, party):
                errors.append(FieldError("parent_id", value, "would make a loop in the hierarchy"))
                return
        party.parent_id = value


def _is_descendant(candidate: Party, root: Party) -> bool:
    seen: set[int] = set()
    node: Party | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == root.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _check_affiliations(
    party: Party, data: PartyFields, errors: list[FieldError], *, by: User
) -> list[Affiliation]:
    items = data.affiliations or []
    if items and party.kind != PartyKind.PERSON:
        errors.append(FieldError("affiliations", len(items), "only persons are affiliated"))
        return []
    ids = {a.organization_id for a in items if 0 < a.organization_id <= MAX_ID}
    orgs = visible_parties(by).filter(pk__in=ids, kind=PartyKind.ORGANIZATION) if ids else None
    found = set(orgs.values_list("pk", flat=True)) if orgs is not None else set()
    result = []
    for i, item in enumerate(items):
        if item.organization_id not in found:
            errors.append(
                FieldError(
                    f"affiliations.{i}.organization_id",
                    item.organization_id,
                    "is not a visible organization",
                )
            )
            continue
        result.append(
            Affiliation(
                person=party,
                organization_id=item.organization_id,
                title=item.title,
                since=item.since,
                until=item.until,
            )
        )
    return result


def replace_contact_points(party: Party, points: Iterable[dict[str, Any]]) -> None:
    """Replace the contact points, normalising each value; one primary per kind."""
    party.contact_points.all().delete()
    rows = []
    has_primary: set[str] = set()
    for point in points:
        row = ContactPoint(party=party, **point)
        row.normalized = normalize_contact(row.kind, row.value)
        if row.is_primary:
            has_primary.add(row.kind)
        rows.append(row)
    for row in rows:  # the first of each kind is primary when none was chosen
        if row.kind not in has_primary:
            row.is_primary = True
            has_primary.add(row.kind)
    ContactPoint.objects.bulk_create(rows)


def display_name(party: Party) -> str:
    if party.kind == PartyKind.ORGANIZATION:
        return party.organization_name
    return " ".join(n for n in (party.given_name, party.family_name) if n)


def refresh_search_text(party: Party) -> None:
    """Recompute the folded text that search matches: names, e-mails, phones, handles."""
    parts = [party.display_name, party.given_name, party.family_name, party.organization_name]
    parts += [
        p.normalized
        for p in party.contact_points.all()
        if p.kind in {ContactKind.EMAIL, ContactKind.PHONE, ContactKind.SOCIAL}
    ]
    text = " | ".join(normalize_text(p) for p in parts if p)
    key = name_key(party.kind, party.given_name, party.family_name, party.organization_name)
    Party.objects.filter(pk=party.pk).update(search_text=text, name_key=key)
    party.search_text = text
    party.name_key = key


def validate_custom(
    kind: str, values: dict[str, Any], *, current: dict[str, Any]
) -> dict[str, Any] | list[FieldError]:
    """Check values against the admin's field definitions; returns the merged values or errors."""
    fields = {f.key: f for f in CustomField.objects.all()}
    merged = dict(current)
    errors: list[FieldError] = []
    for key, value in values.items():
        field = fields.get(key)
        if field is None or (field.applies_to and field.applies_to != kind):
            errors.append(FieldError(f"custom.{key}", value, "is not a custom field"))
            continue
        if value is None or value == "":
            merged.pop(key, None)
            continue
        try:
            merged[key] = coerce_custom(field, value)
        except ValueError as exc:
            errors.append(FieldError(f"custom.{key}", value, str(exc)))
    for key, field in fields.items():
        if (
            field.required
            and (not field.applies_to or field.applies_to == kind)
            and key not in merged
        ):
            errors.append(FieldError(f"custom.{key}", None, "is required"))
    return errors or merged


def coerce_custom(field: CustomField, value: Any) -> Any:
    """The value in the field's type (stored as JSON), or ValueError with the reason."""
    if field.type == CustomFieldType.TEXT:
        if not isinstance(value, str) or len(value) > 1000:
            raise ValueError("must be text of at most 1000 characters")
        return value
    if field.type == CustomFieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("must be a number") from exc
        if not number.is_finite():
            raise ValueError("must be a finite number")
        if abs(number) >= MAX_CUSTOM_NUMBER:
            raise ValueError("is too large")
        return int(number) if number == number.to_integral_value() else float(number)
    if field.type == CustomFieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date as YYYY-MM-DD") from exc
    if field.type == CustomFieldType.CHOICE:
        if value not in field.choices:
            raise ValueError(f"must be one of {', '.join(map(str, field.choices))}")
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "yes", "1", "false", "no", "0"}:
        return value.lower() in {"true", "yes", "1"}
    raise ValueError("must be true or false")


def snapshot(party: Party) -> dict[str, Any]:
    """The party's fields as plain JSON values, for the change log."""
    data: dict[str, Any] = {
        name: getattr(party, name) for name in (*SCALAR_FIELDS, *RELATION_FIELDS)
    }
    data["archived"] = party.archived_at is not None
    if party.pk:
        data["custom"] = party.custom
        data["tags"] = sorted(party.tags.values_list("name", flat=True))
        data["roles"] = sorted(party.roles.values_list("role", flat=True))
        data["contact_points"] = sorted(party.contact_points.values_list("normalized", flat=True))
        data["key_dates"] = sorted(str(k) for k in party.key_dates.all())
        data["affiliations"] = sorted(party.affiliations.values_list("organization_id", flat=True))
    return data


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value
        and not (before.get(key) in (None, "", [], {}) and value in (None, "", [], {}))
    }


def record_change(
    party: Party, *, actor: User | None, action: str, changes: dict[str, Any] | None = None
) -> PartyChange:
    """Add a line to the party's change log: the one writer of PartyChange rows."""
    return PartyChange.objects.create(
        party=party, actor=actor, action=action, changes=changes or {}
    )
