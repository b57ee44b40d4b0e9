"""Templates made through the service, as staff make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from clientela.accounts.models import Role, User
from clientela.messaging.models import Template
from clientela.messaging.schemas import TemplateCreate
from clientela.messaging.services import create_template
from tests.factories import make_user

MakeTemplate = Callable[..., Template]


@pytest.fixture
def marketer(db: None) -> User:
    return make_user(role=Role.MARKETING, email="marketer@example.com")


@pytest.fixture
def make_template(marketer: User) -> MakeTemplate:
    """A template saved by a marketer; `variants` maps a language to its body (or to a dict of
    subject/body/text_body)."""

    def make(
        *,
        name: str = "Welcome",
        channel: str = "email",
        purpose: str = "marketing",
        default_language: str = "en",
        variants: dict[str, Any] | None = None,
        by: User | None = None,
    ) -> Template:
        given = variants or {"en": {"subject": "Welcome", "body": "<p>Hello</p>"}}
        rows = [
            {"language": tag, **(value if isinstance(value, dict) else {"body": value})}
            for tag, value in given.items()
        ]
        data = TemplateCreate.model_validate(
            {
                "name": name,
                "channel": channel,
                "purpose": purpose,
                "default_language": default_language,
                "variants": rows,
            }
        )
        return create_template(data, by=by or marketer)

    return make
