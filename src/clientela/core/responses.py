"""Large API answers checked against their schema once, instead of item by item.

django-ninja checks a route's answer through its response schema: every nested `Schema` runs a
wrapping validator that reads each field through a getter object (so that a model instance can
be read like a dict). My day's answer has about 130 items and 3,000 fields; that reading cost
4-5 ms a call, more than the rest of ninja's work and the JSON encoding together
(docs/benchmarks.md). A hot route whose presenter already builds plain dicts can instead return
`validated_json(Schema, data)`: the same schema, as a plain Pydantic model (its "twin", built
once per schema), checks the dicts in pydantic-core, and the answer is encoded exactly as ninja
encodes it (its JSON encoder: the same dates, decimals and key order). The route keeps
`response=Schema`, so the OpenAPI document does not change; tests compare both renderings.

Only plain output schemas have twins: fields and their annotations (nested schemas, lists,
optionals, `Annotated` types with their validators). A schema with its own validators,
serializers or computed fields is refused when its twin is built, as those would be skipped.
"""

from __future__ import annotations

import json
import threading
import types
import typing
from typing import Any

from django.http import HttpResponse
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, ConfigDict, create_model

CONTENT_TYPE = "application/json; charset=utf-8"  # ninja's JSONRenderer, as the API serves it
_FROM_SCHEMA = {"_run_root_validator"}  # ninja's own getter validator: what the twin leaves out

_twins: dict[type[Schema], type[BaseModel]] = {}
_lock = threading.Lock()


def _twin_type(annotation: Any) -> Any:
    """The annotation with each nested Schema replaced by its twin."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return twin(annotation)
    origin = typing.get_origin(annotation)
    if origin is None or origin is typing.Annotated:
        return annotation
    args = tuple(_twin_type(a) for a in typing.get_args(annotation))
    if origin is types.UnionType or origin is typing.Union:
        return typing.Union[args]  # noqa: UP007  (built from a tuple of types at run time)
    return origin[args if len(args) > 1 else args[0]]


def _check_plain(schema: type[Schema]) -> None:
    decorators = schema.__pydantic_decorators__
    own = [
        *decorators.field_validators,
        *decorators.field_serializers,
        *decorators.model_serializers,
        *decorators.computed_fields,
        *(name for name in decorators.model_validators if name not in _FROM_SCHEMA),
    ]
    if own:
        raise TypeError(f"{schema.__name__} has its own validators or serializers: {own}")


def twin(schema: type[Schema]) -> type[BaseModel]:
    """The plain Pydantic model with `schema`'s fields (built once per schema)."""
    found = _twins.get(schema)
    if found is not None:
        return found
    _check_plain(schema)
    config = ConfigDict(**schema.model_config)
    config.pop("from_attributes", None)  # the twin reads dicts, not objects
    base = type(f"{schema.__name__}Twin", (BaseModel,), {"model_config": config})
    fields: dict[str, Any] = {
        name: (_twin_type(info.annotation), info) for name, info in schema.model_fields.items()
    }
    made: type[BaseModel] = create_model(schema.__name__, __base__=base, **fields)
    with _lock:
        return _twins.setdefault(schema, made)


def encode(schema: type[Schema], data: Any) -> str:
    """`data` (dicts, lists and plain values) checked against `schema`, as the API's JSON."""
    checked = twin(schema).model_validate(data).model_dump()
    return json.dumps(checked, cls=NinjaJSONEncoder)


def validated_json(schema: type[Schema], data: Any, *, status: int = 200) -> HttpResponse:
    """The answer ninja would give for `data` through `response=schema`, checked in one pass
    (a pydantic ValidationError, a server error, if the presenter broke the schema)."""
    return HttpResponse(encode(schema, data), status=status, content_type=CONTENT_TYPE)
