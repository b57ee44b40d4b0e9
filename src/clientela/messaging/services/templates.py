"""Writing templates: create, change, archive, each checked whole and audited."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import record_audit, require_write
from clientela.core.errors import Conflict, FieldError, Invalid
from clientela.messaging.models import Channel, Template, TemplateVariant
from clientela.messaging.schemas import TemplateCreate, TemplateUpdate, VariantIn
from clientela.messaging.services.checking import check_variant


def _check(
    channel: str, default_language: str, variants: list[VariantIn], *, by: User
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, variant in enumerate(variants):
        prefix = f"variants.{index}."
        if variant.language.lower() in seen:
            errors.append(
                FieldError(
                    prefix + "language", variant.language, _("is given twice"),
                    code="variant_language_twice",
                )
            )  # fmt: skip
        seen.add(variant.language.lower())
        errors += check_variant(channel, variant.model_dump(), by=by, prefix=prefix)
    if default_language.lower() not in seen:
        errors.append(
            FieldError(
                "default_language", default_language,
                _("is not the language of one of the variants"), code="default_language_missing",
            )
        )  # fmt: skip
    return errors


def _refuse_taken_name(name: str, other_than: Template | None = None) -> None:
    taken = Template.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise Conflict(
            _("a template named “%(name)s” already exists"),
            code="template_name_taken",
            params={"name": name},
        )


def _write_variants(template: Template, variants: list[VariantIn]) -> None:
    template.variants.all().delete()
    now = timezone.now()
    email = template.channel == Channel.EMAIL  # only an e-mail has a subject and a text part
    TemplateVariant.objects.bulk_create(
        TemplateVariant(
            template=template, language=v.language, subject=v.subject if email else "",
            body=v.body, text_body=v.text_body if email else "", updated_at=now,
        )
        for v in variants
    )  # fmt: skip


def create_template(data: TemplateCreate, *, by: User) -> Template:
    """A new template with its variants, every variable, filter and tag checked first."""
    require_write(by)
    errors = _check(data.channel, data.default_language, data.variants, by=by)
    if errors:
        raise Invalid(errors)
    _refuse_taken_name(data.name)
    template = Template.objects.create(
        name=data.name, channel=data.channel, purpose=data.purpose,
        default_language=data.default_language, created_by=by,
    )  # fmt: skip
    _write_variants(template, data.variants)
    record_audit(
        by, "template.created", target_kind="template", target_id=template.pk,
        details={"name": template.name, "languages": [v.language for v in data.variants]},
    )  # fmt: skip
    return template


def update_template(template: Template, data: TemplateUpdate, *, by: User) -> Template:
    """Change what was sent; `variants`, when sent, replaces every variant."""
    require_write(by)
    _refuse_archived(template)
    sent = data.model_fields_set
    variants = data.variants if data.variants is not None else _current(template)
    default_language = data.default_language or template.default_language
    errors = _check(template.channel, default_language, variants, by=by)
    if errors:
        raise Invalid(errors)
    if data.name is not None:
        _refuse_taken_name(data.name, other_than=template)
    changed: dict[str, Any] = {}
    for field in ("name", "purpose", "default_language"):
        value = getattr(data, field)
        if field in sent and value is not None and value != getattr(template, field):
            changed[field] = [getattr(template, field), value]
            setattr(template, field, value)
    template.updated_at = timezone.now()
    template.save()
    if data.variants is not None:
        _write_variants(template, data.variants)
        changed["languages"] = [v.language for v in data.variants]
    record_audit(
        by, "template.changed", target_kind="template", target_id=template.pk,
        details={"name": template.name, **changed},
    )  # fmt: skip
    return template


def _current(template: Template) -> list[VariantIn]:
    return [
        VariantIn(language=v.language, subject=v.subject, body=v.body, text_body=v.text_body)
        for v in template.variants.all()
    ]


def _refuse_archived(template: Template) -> None:
    if template.archived_at is not None:
        raise Conflict(
            _("the template “%(name)s” is archived"),
            code="template_archived",
            params={"name": template.name},
        )


def archive_template(template: Template, *, by: User) -> Template:
    """Archive: no new message uses it; the messages that did keep it."""
    require_write(by)
    if template.archived_at is None:
        template.archived_at = timezone.now()
        template.save(update_fields=["archived_at"])
        record_audit(
            by, "template.archived", target_kind="template", target_id=template.pk,
            details={"name": template.name},
        )  # fmt: skip
    return template
