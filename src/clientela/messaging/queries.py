"""Read side of messaging: the template list and one template, with their variants."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import NotFound
from clientela.messaging.models import Template, TemplateVariant


def templates(*, archived: bool = False, channel: str = "") -> QuerySet[Template]:
    """Templates with their variants; every staff user sees every template."""
    rows = Template.objects.prefetch_related(
        Prefetch("variants", queryset=TemplateVariant.objects.order_by("language"))
    ).order_by("name", "pk")
    rows = rows.filter(archived_at__isnull=not archived)
    return rows.filter(channel=channel) if channel else rows


def get_template(template_id: int) -> Template:
    found = (
        Template.objects.prefetch_related(
            Prefetch("variants", queryset=TemplateVariant.objects.order_by("language"))
        )
        .filter(pk=template_id)
        .first()
    )
    if found is None:
        raise NotFound(
            _("template %(id)s was not found"),
            code="template_not_found",
            params={"id": template_id},
        )
    return found
