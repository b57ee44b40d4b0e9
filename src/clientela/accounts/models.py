"""Staff users, their teams and roles, invitations, API tokens, and the throttle's recent hits."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    SUPPORT = "support", _("Support")
    VIEWER = "viewer", _("Viewer")


# Roles that see every party; the others see what they or their team own.
SEES_ALL = frozenset({Role.ADMIN, Role.MANAGER, Role.MARKETING, Role.VIEWER})


class Right(models.TextChoices):
    """What a role may do beyond reading what it sees (docs/access.md has the matrix)."""

    WRITE = "write", _("Change records")
    ASSIGN = "assign", _("Assign owners and teams")
    EXPORT = "export", _("Export customer data")
    IMPORT = "import", _("Import files")
    MERGE = "merge", _("Merge duplicates")
    ARCHIVE = "archive", _("Archive parties")
    ADMINISTER = "administer", _("Administer users, teams and settings")
    AUDIT = "audit", _("Read the audit log")
    TEMPLATE_EDITOR = "template_editor", _("Use loops and conditions in message templates")


# The matrix of rights per role: one place, the same for the web, the API and the command line.
# Exporting every customer's e-mail and phone is for managers, admins and marketing; merging
# (which archives a record) for managers and admins; support answers customers, it does not
# archive them. Loops and conditions in message templates (the template editor right) are for
# admins and marketing, who write the campaigns; the others may use variables and filters.
RIGHTS: dict[str, frozenset[Right]] = {
    Role.ADMIN: frozenset(Right),
    Role.MANAGER: frozenset(Right) - {Right.ADMINISTER, Right.TEMPLATE_EDITOR},
    Role.MARKETING: frozenset(
        {Right.WRITE, Right.EXPORT, Right.IMPORT, Right.ARCHIVE, Right.TEMPLATE_EDITOR}
    ),
    Role.SALES: frozenset({Right.WRITE, Right.IMPORT, Right.ARCHIVE}),
    Role.SUPPORT: frozenset({Right.WRITE}),
    Role.VIEWER: frozenset(),
}


def validate_time_zone(value: str) -> None:
    """An IANA time zone name (Europe/Lisbon), as activities read due times in it."""
    if value and value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone such as Europe/Lisbon"),
            code="time_zone_invalid",
            params={"value": value},
        )


class Team(models.Model):
    """A group of staff who share the parties they own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    """A member of staff who signs in with an e-mail address."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Empty: follow the browser's language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the company's time zone. An IANA name such as Europe/Lisbon."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # the base class declares it as ClassVar[list[str]]

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        """Only admins reach Django's admin site."""
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    @property
    def sees_all_parties(self) -> bool:
        return self.role in SEES_ALL

    def may(self, right: Right) -> bool:
        """True when this user's role has the right (RIGHTS) and the user is active."""
        return self.is_active and right in RIGHTS.get(self.role, frozenset())

    @property
    def can_write(self) -> bool:
        return self.may(Right.WRITE)

    @property
    def can_assign(self) -> bool:
        return self.may(Right.ASSIGN)

    @property
    def can_export(self) -> bool:
        return self.may(Right.EXPORT)

    @property
    def can_import(self) -> bool:
        return self.may(Right.IMPORT)

    @property
    def can_merge(self) -> bool:
        return self.may(Right.MERGE)

    @property
    def can_archive(self) -> bool:
        return self.may(Right.ARCHIVE)

    @property
    def can_administer(self) -> bool:
        return self.may(Right.ADMINISTER)

    @property
    def can_audit(self) -> bool:
        return self.may(Right.AUDIT)

    @property
    def can_edit_template_logic(self) -> bool:
        return self.may(Right.TEMPLATE_EDITOR)


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """An invitation sent by e-mail to join as a staff user with a role (and a team). The link
    carries a random token of which only the SHA-256 digest is stored; it works once, until
    `expires_at` (CLIENTELA_INVITE_DAYS). The user is created when the link is used."""

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # When the link was used (the user exists from then) or withdrawn by a newer invitation.
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class ThrottleHit(models.Model):
    """One counted attempt at a door (a failed sign-in, a bad API token, a public page), kept
    briefly to throttle guessing and floods; the key is a keyed hash of the account or address."""

    door = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["door", "key", "at"])]
        verbose_name = _("throttling hit")
        verbose_name_plural = _("throttling hits")

    def __str__(self) -> str:
        return f"{self.door} {self.key[:8]} {self.at:%Y-%m-%d %H:%M}"


class Company(models.Model):
    """The company using Clientela: one row, whose blank fields fall back to the environment
    (accounts.services.company_settings)."""

    # The one row's key: a second row cannot be made (the check constraint below).
    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    name = models.CharField(_("name"), max_length=150, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    reporting_currency = models.CharField(_("reporting currency"), max_length=3, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Printed in the footer of every public page and marketing message (the law asks for it).
    postal_address = models.TextField(_("postal address"), blank=True)
    # The logo is a file under CLIENTELA_HOME/company/ (accounts.services.logo): its type as
    # found in its content, and the start of its SHA-256, which names the file and its URL.
    logo_type = models.CharField(max_length=20, blank=True)
    logo_digest = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="company_is_one_row"),
        ]
        verbose_name = _("company")
        verbose_name_plural = _("company")

    def __str__(self) -> str:
        return self.name or str(_("company"))


class AuditEntry(models.Model):
    """One change made by a staff user to the staff's own settings or many records at once:
    a user invited or given another role, a team renamed, a custom field defined, the company's
    settings, a bulk action on a selection of parties. Written in the same transaction as the
    change (accounts.services.record_audit), never edited. `details` holds ids, codes, counts
    and the before and after of staff settings, never a customer's own words: an erasure has
    nothing to blank here."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was when the entry was written (the user may be renamed or removed later).
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_kind = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_kind", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"
