"""Use cases of consent and privacy, by noun; the names callers need are re-exported here.

Everything that sends (campaigns, greetings, surveys) asks `may_contact` at the moment of
sending and calls `record_contact` after.
"""

from clientela.consent.services.archive import (
    archive_file,
    export_party,
    json_file,
    write_archive,
    write_json,
)
from clientela.consent.services.gate import (
    REASONS,
    Decision,
    contact_point_for,
    gate_overview,
    is_existing_customer,
    may_contact,
    record_contact,
)
from clientela.consent.services.gate_batch import may_contact_many
from clientela.consent.services.preferences import (
    customer_language,
    get_preferences,
    party_zone,
    update_preferences,
)
from clientela.consent.services.privacy import (
    act_on_request,
    erase_party,
    is_erased,
    open_request,
    purge_erased_data,
    visible_requests,
)
from clientela.consent.services.records import (
    Proof,
    consent_history,
    current_consents,
    object_to_marketing,
    record_consent,
    unsubscribe,
    withdraw_all,
)
from clientela.consent.services.return_check import suppression_standing as suppression_standing
from clientela.consent.services.signup import confirm_signup, send_confirmation, start_signup
from clientela.consent.services.suppression import lift_suppression, suppress
from clientela.consent.services.tokens import (
    issue_token,
    preference_centre_url,
    resolve_token,
    unsubscribe_headers,
)
from clientela.consent.services.wordings import store_wording

__all__ = [
    "REASONS",
    "Decision",
    "Proof",
    "act_on_request",
    "archive_file",
    "confirm_signup",
    "consent_history",
    "contact_point_for",
    "current_consents",
    "customer_language",
    "erase_party",
    "export_party",
    "gate_overview",
    "get_preferences",
    "is_erased",
    "is_existing_customer",
    "issue_token",
    "json_file",
    "lift_suppression",
    "may_contact",
    "may_contact_many",
    "object_to_marketing",
    "open_request",
    "party_zone",
    "preference_centre_url",
    "purge_erased_data",
    "record_consent",
    "record_contact",
    "resolve_token",
    "send_confirmation",
    "start_signup",
    "store_wording",
    "suppress",
    "unsubscribe",
    "unsubscribe_headers",
    "update_preferences",
    "visible_requests",
    "withdraw_all",
    "write_archive",
    "write_json",
]
