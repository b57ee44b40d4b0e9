"""Use cases for parties, the only writers of the parties tables, split by noun:

- records: create, update and archive a party (every write is checked whole first)
- contacts: contact points in normal form; exact duplicates refused
- relations: owner, team, parent organization, affiliations
- custom_fields: values of the admin-defined fields
- definitions: the admin-defined fields themselves (labels in each language)
- names: display name and search text
- changes: the change log and its one writer, `record_change`
- selection: tagging, untagging and assigning many parties at once (bulk actions)
- identity: normal forms of e-mails, phones and names, exact matching
- erasure: what erasing a person removes from the parties tables
- admission: the addresses no new party may be made from (erased, suppressed)

Other apps import the public writers from here (`from clientela.parties.services import
create_party`). They are loaded when first asked for, not when this package is: the read side
(`parties.queries`) and the schemas need `services.identity`, and importing any module of a
package runs its `__init__` first, so an `__init__` that imported the writers (which read the
queries and schemas) would make those two import each other.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clientela.parties.services.admission import kept_out, refuse_kept_out
    from clientela.parties.services.changes import record_change, snapshot
    from clientela.parties.services.contacts import (
        refuse_exact_duplicates,
        replace_contact_points,
    )
    from clientela.parties.services.custom_fields import coerce_custom, validate_custom
    from clientela.parties.services.definitions import (
        change_custom_field,
        define_custom_field,
        delete_custom_field,
        find_custom_field,
    )
    from clientela.parties.services.names import display_name, refresh_search_text
    from clientela.parties.services.records import (
        archive_party,
        create_party,
        create_prospect,
        update_party,
    )
    from clientela.parties.services.selection import (
        assign_parties,
        tag_parties,
        untag_parties,
    )

# Each public writer and the module it lives in.
_HOMES = {
    "create_party": "records",
    "create_prospect": "records",
    "update_party": "records",
    "archive_party": "records",
    "refuse_exact_duplicates": "contacts",
    "kept_out": "admission",
    "refuse_kept_out": "admission",
    "replace_contact_points": "contacts",
    "validate_custom": "custom_fields",
    "coerce_custom": "custom_fields",
    "define_custom_field": "definitions",
    "change_custom_field": "definitions",
    "delete_custom_field": "definitions",
    "find_custom_field": "definitions",
    "display_name": "names",
    "refresh_search_text": "names",
    "snapshot": "changes",
    "record_change": "changes",
    "tag_parties": "selection",
    "untag_parties": "selection",
    "assign_parties": "selection",
}

__all__ = [
    "archive_party",
    "assign_parties",
    "change_custom_field",
    "coerce_custom",
    "create_party",
    "create_prospect",
    "define_custom_field",
    "delete_custom_field",
    "display_name",
    "find_custom_field",
    "kept_out",
    "record_change",
    "refresh_search_text",
    "refuse_exact_duplicates",
    "refuse_kept_out",
    "replace_contact_points",
    "snapshot",
    "tag_parties",
    "untag_parties",
    "update_party",
    "validate_custom",
]


def __getattr__(name: str) -> Any:
    """A public writer, imported from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
