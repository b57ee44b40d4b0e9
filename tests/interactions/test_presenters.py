"""How the timeline's entries are named on the pages, from what each feature registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clientela.core import registries
from clientela.core.registries import TimelineLabels
from clientela.core.timeline import Entry
from clientela.interactions.presenters import (
    channel_filter_choices,
    channel_label,
    kind_label,
    timeline_rows,
)


@pytest.fixture
def labels() -> Iterator[None]:
    """The registered labels as the apps left them, again after the test."""
    saved = dict(registries.TIMELINE_LABELS)
    yield
    registries.TIMELINE_LABELS.clear()
    registries.TIMELINE_LABELS.update(saved)


def entry(kind: str, channel: str = "", **data: str) -> Entry:
    return Entry(kind=kind, id=1, at=timezone.now(), title="", channel=channel, data=data)


def test_an_entry_is_labelled_by_what_its_feature_registered(labels: None) -> None:
    registries.register_timeline_labels(
        "survey",
        TimelineLabels(
            kind=_("Order"), channels={"phone": _("Store")}, statuses={"sent": _("Completed")}
        ),
    )

    with translation.override("pt"):
        (row,) = timeline_rows([entry("survey", "phone", status="sent")])
        kind = str(row["kind_label"])

    assert (kind, row["channel_label"], row["status_label"]) == ("Encomenda", "Loja", "Concluída")


def test_a_kind_without_labels_borrows_the_contact_channels_names() -> None:
    (row,) = timeline_rows([entry("survey", "email", status="granted")])

    assert (row["kind_label"], row["channel_label"], row["status_label"]) == (
        "survey",
        "E-mail",
        "",
    )


def test_a_contact_channel_keeps_its_name_where_a_sales_channel_has_the_same_code() -> None:
    assert channel_label("phone") == "Phone"
    assert channel_label("web", kind="order") == "Web shop"
    assert channel_label("web") == "Web shop"  # no contact channel has that code
    assert channel_label("pigeon") == "pigeon"
    assert str(kind_label("order")) == "Order"


def test_the_channel_filter_offers_each_code_once_contact_channels_first() -> None:
    codes = [code for code, _label in channel_filter_choices()]

    assert codes.index("toll_free") < codes.index("web")
    assert len(codes) == len(set(codes))
    assert {"email", "phone", "web", "store", "marketplace"} <= set(codes)
