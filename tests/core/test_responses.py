"""core.responses: an answer checked against its schema's plain twin in one pass is the answer
ninja renders through the schema, byte for byte, and a broken one is still refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

import pytest
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import BeforeValidator, ValidationError, field_validator

from clientela.core.responses import CONTENT_TYPE, encode, twin, validated_json


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


Day = Annotated[date, BeforeValidator(_day)]


class Ref(Schema):
    id: int
    name: str


class Item(Schema):
    id: int
    party: Ref
    owner: Ref | None
    due: Day
    at: datetime
    at_time: time | None
    amount: Decimal | None
    tags: list[str]


class Page(Schema):
    user: Ref
    items: list[Item]
    extra: list[Ref] | None


def _data() -> dict[str, Any]:
    moment = datetime(2026, 12, 7, 18, 5, 6, 123456, tzinfo=UTC)
    items = [
        {"id": n, "party": {"id": n, "name": f"Ana {n} \u00e7\u00e3o"},
         "owner": {"id": 1, "name": "Rep"} if n % 2 else None, "due": f"2026-12-0{n + 1}",
         "at": moment, "at_time": time(9, 30) if n else None,
         "amount": Decimal("12.50") if n else None, "tags": ["a", "b"][:n]}
        for n in range(3)
    ]  # fmt: skip
    return {"user": {"id": 1, "name": "Rep"}, "items": items, "extra": None}


def _as_ninja_renders(schema: type[Schema], data: Any) -> str:
    """What a route with `response=schema` answers for `data` (operation._result_to_response)."""
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder)


def test_the_twin_renders_what_ninja_renders_byte_for_byte() -> None:
    data = _data()
    assert encode(Page, data) == _as_ninja_renders(Page, data)
    data["extra"] = [{"id": 2, "name": "Queue"}]
    assert encode(Page, data) == _as_ninja_renders(Page, data)


def test_the_twin_still_checks_the_data() -> None:
    data = _data()
    data["items"][1]["party"] = {"id": "not a number", "name": "x"}
    with pytest.raises(ValidationError):
        encode(Page, data)
    del data["items"][1]["party"]
    with pytest.raises(ValidationError):
        encode(Page, data)


def test_a_twin_is_built_once_and_keeps_the_nested_twins() -> None:
    assert twin(Page) is twin(Page)
    assert twin(Page).model_fields["user"].annotation is twin(Ref)


def test_a_schema_with_its_own_validators_has_no_twin() -> None:
    class Checked(Schema):
        name: str

        @field_validator("name")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    with pytest.raises(TypeError, match="validators"):
        twin(Checked)


def test_the_response_is_the_apis_json() -> None:
    answer = validated_json(Ref, {"id": 3, "name": "Ana"}, status=201)
    assert answer.status_code == 201
    assert answer["Content-Type"] == CONTENT_TYPE
    assert json.loads(answer.content) == {"id": 3, "name": "Ana"}
