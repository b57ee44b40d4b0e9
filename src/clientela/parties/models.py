"""Persons and organizations, their roles, contact points, key dates and custom fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class RelationshipRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    PARTNER = "partner", _("Partner")
    SUPPLIER = "supplier", _("Supplier")
    DISTRIBUTOR = "distributor", _("Distributor")
    AGENCY = "agency", _("Agency")
    INTERMEDIARY = "intermediary", _("Intermediary")
    EMPLOYEE = "employee", _("Employee")
    INVESTOR = "investor", _("Investor")
    ANALYST = "analyst", _("Analyst")
    OTHER = "other", _("Other")


class OrganizationLevel(models.TextChoices):
    NONE = "", _("—")
    GLOBAL_ACCOUNT = "global_account", _("Global account")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    LOCATION = "location", _("Location")


class Tag(models.Model):
    """A free label put on parties: one per name as the search folds it (case, accents and
    spacing do not count), shown as it was first written."""

    name = models.CharField(_("name"), max_length=50)
    # normalize_text(name): "VIP", "vip" and "Vip " are one tag (parties.services.tags).
    key = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A tag saved one at a time (the admin, a test) gets its key like tags_named's."""
        # Imported here: parties.services.identity reads this module's models.
        from clientela.parties.services.tags import tag_key

        self.key = tag_key(self.name)
        super().save(*args, **kwargs)


class Party(models.Model):
    """A person or an organization the company has a relationship with."""

    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    organization_name = models.CharField(_("organization name"), max_length=200, blank=True)
    display_name = models.CharField(_("name"), max_length=250, db_index=True)
    # Lower-case, accent-free, single-spaced name and contacts, for search and matching.
    search_text = models.TextField(blank=True, default="")
    # The name's folded words in alphabetical order (identity.name_key), legal forms left
    # out: what duplicate detection blocks and compares on.
    name_key = models.CharField(max_length=300, blank=True, default="", db_index=True)
    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, null=True, blank=True
    )
    language = models.CharField(_("preferred language"), max_length=8, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_parties",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parties",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    organization_level = models.CharField(
        _("organization level"),
        max_length=20,
        choices=OrganizationLevel.choices,
        blank=True,
        default="",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="parties")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [
            models.Index(fields=["owner", "team"]),
            models.Index(fields=["team"]),
            models.Index(fields=["kind"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartyKind.values), name="party_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON


class PartyAlias(models.Model):
    """Another external id that names the party: that of a party merged into it, which
    files and other systems may still use. No party and no other alias has it."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    external_id = models.CharField(_("external id"), max_length=100, unique=True)

    class Meta:
        ordering = ["external_id"]
        verbose_name = _("external-id alias")
        verbose_name_plural = _("external-id aliases")

    def __str__(self) -> str:
        return self.external_id


class PartyRole(models.Model):
    """A relationship role the party holds, optionally over a period."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=RelationshipRole.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["role", "since"]
        indexes = [models.Index(fields=["role", "party"])]

    def __str__(self) -> str:
        return self.get_role_display()


class Affiliation(models.Model):
    """A person's place in an organization, with a title."""

    person = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="members")
    title = models.CharField(_("title"), max_length=150, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["organization__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="affiliation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Postal address")
    SOCIAL = "social", _("Social handle")
    WEBSITE = "website", _("Website")


class ContactPoint(models.Model):
    """A way to reach the party: e-mail, phone, postal address, social handle or website."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    label = models.CharField(_("label"), max_length=50, blank=True)
    value = models.CharField(_("value"), max_length=500)
    # E-mails lower-cased, phones in E.164, others trimmed: what matching and look-ups use.
    normalized = models.CharField(max_length=500, db_index=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    street = models.CharField(_("street"), max_length=200, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        indexes = [models.Index(fields=["kind", "normalized"])]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind"],
                condition=Q(is_primary=True),
                name="one_primary_contact_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.value


class KeyDateKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    WEDDING_ANNIVERSARY = "wedding_anniversary", _("Wedding anniversary")
    CUSTOMER_SINCE = "customer_since", _("Customer since")
    CUSTOM = "custom", _("Other date")


class KeyDate(models.Model):
    """A date that matters to the party; the year may be unknown."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="key_dates")
    kind = models.CharField(_("kind"), max_length=30, choices=KeyDateKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))

    class Meta:
        ordering = ["month", "day"]
        indexes = [models.Index(fields=["month", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="key_date_month_day_valid",
            ),
        ]

    def __str__(self) -> str:
        year = f"{self.year:04d}-" if self.year else "--"
        return f"{year}{self.month:02d}-{self.day:02d}"


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class CustomField(models.Model):
    """An admin-defined field stored on every party under its key."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    # The label in each language ({"pt": "Cartão de cliente", ...}); a language without one
    # shows `label`, the default.
    labels = models.JSONField(_("labels by language"), default=dict, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    applies_to = models.CharField(
        _("applies to"),
        max_length=12,
        choices=PartyKind.choices,
        blank=True,
        help_text=_("Empty: persons and organizations."),
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.shown_label

    def label_in(self, language: str | None) -> str:
        """The label in `language` ("pt", "pt-br"), else the default label."""
        code = (language or "").split("-")[0].lower()
        own = self.labels.get(code) if isinstance(self.labels, dict) else None
        return str(own) if own else self.label

    @property
    def shown_label(self) -> str:
        """The label in the reader's (active) language."""
        return self.label_in(get_language())


class PartyChange(models.Model):
    """Who changed a party, when, and each field's value before and after."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
