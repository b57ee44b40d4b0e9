"""Every free-text column is either blanked by a registered eraser or says why it need not be.

A feature that adds a text column fails this test until its eraser lists the column
(`register_eraser(..., columns=(...))`) or the column is added below with the reason it holds
nothing that names one person.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import CharField, GenericIPAddressField, JSONField, Model, TextField

from clientela.core.registries import ERASED_COLUMNS

# "table.column": why erasure leaves it.
NOT_ABOUT_ONE_PERSON = {
    # Staff accounts, their teams, tokens and throttling keys (hashes): not the customers.
    "accounts_team.name": "a team of the staff",
    "accounts_user.password": "a staff user's password hash",
    "accounts_user.email": "a staff user",
    "accounts_user.full_name": "a staff user",
    "accounts_user.language": "a staff user",
    "accounts_user.time_zone": "a staff user",
    "accounts_apitoken.name": "a staff user's token",
    "accounts_apitoken.prefix": "a staff user's token",
    "accounts_apitoken.digest": "a keyed hash",
    "accounts_throttlehit.door": "which door was knocked on",
    "accounts_throttlehit.key": "a keyed hash of an account or an address, kept a day",
    "messaging_signedcallback.webhook_id": "an SMS gateway's id for one callback, kept a day",
    "imports_importrun.date_format": "how a file writes its dates (a format's name)",
    "imports_importrun.locale": "how a file writes its amounts (a locale code)",
    "accounts_company.name": "the company's own settings (one row)",
    "accounts_company.country": "the company's own settings (one row)",
    "accounts_company.time_zone": "the company's own settings (one row)",
    "accounts_company.reporting_currency": "the company's own settings (one row)",
    "accounts_company.language": "the company's own settings (one row)",
    "accounts_company.postal_address": "the company's own address (one row)",
    "accounts_company.logo_type": "an image type",
    "accounts_company.logo_digest": "a hash naming the company's logo file",
    "accounts_auditentry.actor_email": "a staff user",
    "accounts_auditentry.action": "a code (user.invited, parties.bulk_tagged…)",
    "accounts_auditentry.target_kind": "a code (user, team, parties…)",
    "accounts_auditentry.target_id": "an id",
    "accounts_auditentry.details": "ids, counts, codes and staff settings (docs/access.md)",
    "accounts_invitation.email": "a staff user to be (an invitation to join the staff)",
    "accounts_invitation.digest": "the hash of an invitation link's token",
    # Shared vocabulary and definitions: the erasure unlinks the person's tags.
    "parties_tag.name": "a label shared by many parties",
    "parties_tag.key": "a label shared by many parties, folded",
    "parties_customfield.key": "a field's definition",
    "parties_customfield.label": "a field's definition",
    "parties_customfield.choices": "a field's definition",
    "parties_customfield.labels": "a field's definition (its label in each language)",
    "parties_partychange.action": "a code (created, updated, erased…)",
    # Identifiers of the source systems, kept so that a re-import recognises the row.
    "interactions_interaction.external_id": "the source system's id",
    "commerce_order.external_id": "the shop's order number",
    "commerce_order.currency": "an ISO 4217 code",
    "commerce_exchangerate.currency": "an ISO 4217 code",
    "commerce_exchangerate.base": "an ISO 4217 code",
    "commerce_exchangerate.source": "a rates file's name, manual, api or command",
    # Codes, hashes and counts.
    "imports_publishedslice.undo": "row ids and stored orders' content, kept only while an "
    "import publishes (deleted when it ends)",
    "dedupe_duplicatecandidate.reasons": "codes and scores",
    "dedupe_mergerecord.choices": "which side each field came from",
    "dedupe_mergerecord.moved": "counts of rows moved",
    "consent_consentwording.sha256": "the hash that proves the text",
    "consent_consentwording.language": "a language code",
    "consent_suppressedcontact.kind": "email or phone",
    "consent_suppressedcontact.digest": "a keyed hash, kept so the address stays suppressed",
    "consent_preferencetoken.digest": "a keyed hash (the links are deleted)",
    "consent_signuprequest.email_digest": "a keyed hash (the sign-ups are deleted)",
    "consent_signuprequest.token_digest": "a keyed hash (the sign-ups are deleted)",
    "consent_signuprequest.ip_digest": "a keyed hash (the sign-ups are deleted)",
    "analytics_customermetrics.currency": "an ISO 4217 code",
    "analytics_customermetrics.tier": "a value tier's code",
    "analytics_refreshrun.currency": "an ISO 4217 code",
    "analytics_refreshrun.bgnbd": "the fitted model's parameters",
    "analytics_refreshrun.gamma_gamma": "the fitted model's parameters",
    "analytics_refreshrun.timings": "durations",
    "analytics_refreshrun.unconverted": "counts and sums of orders per currency",
    "analytics_refreshrun.cutoffs": "score and tier cut-offs over all customers: numbers",
    # Written by staff about audiences, not about one person.
    "segments_segment.name": "an audience's name",
    "segments_segment.description": "an audience's description",
    "segments_segment.rules": "an audience's rules",
    "segments_savedview.name": "a staff user's name for a way of looking at the list",
    "segments_savedview.filters": "a list's filters, like an audience's rules",
    "segments_savedview.columns": "column codes",
    "segments_savedview.sort": "a column code",
    # Imports: what staff chose and what the server recorded, not a person's data (the imports
    # eraser blanks the problems and deletes the kept files that name them).
    "imports_importrun.file_name": "the uploaded file's name, chosen by staff",
    "imports_importrun.folder": "the server's folder for the run's files",
    "imports_importrun.format": "csv or ndjson",
    "imports_importrun.encoding": "a character encoding's name",
    "imports_importrun.mapping": "column names mapped to fields",
    "imports_importrun.host": "the server that ran it",
    # Activities: a staff user's calendar feed (the activities themselves are deleted).
    "activities_calendarfeed.digest": "a hash of a staff user's feed token",
    # Call lists: written by staff about an audience (the person's items are deleted).
    "activities_calllist.name": "a call list's name",
    "activities_calllist.script": "a call list's script, the same for every customer",
    # Message templates: written by staff, the same for every customer (values are filled in
    # only when a message is made, and the outbox keeps those).
    "messaging_template.name": "a template's name",
    "messaging_template.default_language": "a language tag",
    "messaging_templatevariant.language": "a language tag",
    "messaging_templatevariant.subject": "a template's text, the same for every customer",
    "messaging_templatevariant.body": "a template's text, the same for every customer",
    "messaging_templatevariant.text_body": "a template's text, the same for every customer",
    # The outbox: the rows stay for campaign counts (address, subject and bodies are blanked).
    "messaging_message.language": "a BCP 47 tag, the variant a message was written in",
    "messaging_message.token": "a random id of the message, in return paths and receipts",
    "messaging_message.reason": "a stable code: the gate's reason or the sender's error class",
    "messaging_message.leased_by": "the worker (host:pid) that held the message",
}


def _free_text_columns() -> set[str]:
    """Every column of the product's own tables that can hold free text or an IP address."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if not _is_the_products(model):
            continue
        for field in model._meta.concrete_fields:
            is_text = isinstance(field, CharField | TextField | JSONField | GenericIPAddressField)
            if is_text and not field.choices and not field.primary_key:
                found.add(f"{model._meta.db_table}.{field.column}")
    return found | {"django_admin_log.object_repr", "django_admin_log.change_message"}


def _is_the_products(model: type[Model]) -> bool:
    return model.__module__.startswith("clientela.")


def test_every_free_text_column_is_erased_or_says_why_not() -> None:
    erased = {column for columns in ERASED_COLUMNS.values() for column in columns}
    unaccounted = _free_text_columns() - erased - set(NOT_ABOUT_ONE_PERSON)
    assert unaccounted == set(), "list them in an eraser's columns, or say why not here"


def test_the_lists_name_real_columns_and_never_both_ways() -> None:
    erased = {column for columns in ERASED_COLUMNS.values() for column in columns}
    known = _free_text_columns()
    assert erased - known == set()
    assert set(NOT_ABOUT_ONE_PERSON) - known == set()
    assert erased & set(NOT_ABOUT_ONE_PERSON) == set()
