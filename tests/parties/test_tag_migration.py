"""The migration that merges the case-variants of tags written before tags were folded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("parties", "0006_tag_key")]
AFTER = [("parties", "0008_tag_key_unique")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The parties tables as they were before the merge; migrated forward again at the end."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_case_variants_become_the_first_written_tag_with_each_link_once(
    executor: MigrationExecutor,
) -> None:
    apps = executor.loader.project_state(BEFORE).apps
    party_model, tag_model = apps.get_model("parties", "Party"), apps.get_model("parties", "Tag")
    link = party_model.tags.through

    def party(name: str) -> int:
        return int(party_model.objects.create(kind="person", given_name=name, display_name=name).pk)

    first = tag_model.objects.create(name="Trade-Fair")
    lower = tag_model.objects.create(name="trade-fair")
    upper = tag_model.objects.create(name="TRADE-FAIR")
    vip = tag_model.objects.create(name="vip")
    ana, bea, cid = party("Ana"), party("Bea"), party("Cid")
    link.objects.bulk_create(
        [
            link(party_id=ana, tag_id=first.pk),
            link(party_id=ana, tag_id=lower.pk),  # both spellings: one link stays
            link(party_id=bea, tag_id=lower.pk),
            link(party_id=bea, tag_id=upper.pk),  # two later spellings: one link stays
            link(party_id=cid, tag_id=upper.pk),
            link(party_id=cid, tag_id=vip.pk),
        ]
    )

    executor.loader.build_graph()
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    tag_model = apps.get_model("parties", "Tag")
    link = apps.get_model("parties", "Party").tags.through
    assert sorted(tag_model.objects.values_list("pk", "name", "key")) == [
        (first.pk, "Trade-Fair", "trade-fair"),
        (vip.pk, "vip", "vip"),
    ]
    assert sorted(link.objects.values_list("party_id", "tag_id")) == [
        (ana, first.pk),
        (bea, first.pk),
        (cid, first.pk),
        (cid, vip.pk),
    ]
