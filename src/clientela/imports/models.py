"""The record of each import: who, when, which file, how it was read, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PARTIES = "parties", _("Parties")
    ORDERS = "orders", _("Orders")
    INTERACTIONS = "interactions", _("Interactions")
    ACTIVITIES = "activities", _("Activities")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, not started")
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    PUBLISHING = "publishing", _("Publishing the checked rows")
    DONE = "done", _("Imported")
    INVALID = "invalid", _("Not imported: invalid rows")
    CHECKED = "checked", _("Checked only (dry run)")
    FAILED = "failed", _("Failed")  # the run's error says why: the file, a kill, a fault


class ImportSource(models.TextChoices):
    WEB = "web", _("Web app")
    CLI = "cli", _("Command line")


class ImportRun(models.Model):
    """One import of one file, from the web app or the command line, and its outcome."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    # Where the uploaded file and its rejects are kept, relative to CLIENTELA_HOME.
    folder = models.CharField(max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    skip_invalid = models.BooleanField(
        _("import the valid rows, set the others aside"), default=False
    )
    upsert = models.BooleanField(_("update parties that match"), default=False)
    # How the file writes dates and amounts (imports/services/formats.py); blank: found in it.
    date_format = models.CharField(_("date format"), max_length=12, blank=True)
    locale = models.CharField(_("number format"), max_length=16, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # Rows kept out on purpose (an erased or suppressed address): reported, neither written
    # nor rejected.
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # The first problems, for the result page (each RowProblem.as_record: code, untranslated
    # message and parameters); every problem is in the rejects file.
    problems = models.JSONField(default=list, blank=True)
    # Why it failed, in English for the record; `error_detail` keeps it untranslated (code,
    # message id, parameters, field errors) to be shown in each reader's language.
    error = models.TextField(_("error"), blank=True)
    error_detail = models.JSONField(default=dict, blank=True)
    rejects_file = models.CharField(max_length=500, blank=True)
    # When the kept upload and rejects were deleted, CLIENTELA_UPLOAD_RETENTION_DAYS after the
    # upload (tasks.expire_uploads_task); a run whose files are gone can no longer be run.
    files_expired_at = models.DateTimeField(_("files deleted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The process running it: a run whose process has ended without finishing it was
    # interrupted (killed, say), and is then marked failed; its transaction wrote nothing.
    pid = models.PositiveIntegerField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in {
            ImportStatus.DONE,
            ImportStatus.INVALID,
            ImportStatus.CHECKED,
            ImportStatus.FAILED,
        }


class PublishedSlice(models.Model):
    """What one slice of an import being published wrote (how to take it back), kept until the
    import is done, so that an import whose process ended half-way can be taken back."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    undo = models.JSONField(default=dict)  # commerce.services.Undo.as_record()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"import {self.run_id}, slice {self.pk}"
