"""Schema errors mapped to field paths, in Vietnamese: (schema, data, expected)."""
from __future__ import annotations

import pytest

from builder.forms.validation import validate_data, validator_for

REQ = "This field is required."
NESTED = {"type": "object", "required": ["p", "q"],
          "properties": {"p": {"type": "object", "required": ["x", "y"],
                               "properties": {"x": {"type": "string"}, "y": {"type": "string"}}},
                         "rows": {"type": "array", "minItems": 1, "items": {
                             "type": "object", "required": ["name"],
                             "properties": {"name": {"type": "string", "minLength": 2}}}}}}


@pytest.mark.parametrize("schema, data, expected", [
    ({"type": "object", "required": ["a", "b"]}, {}, {"a": [REQ], "b": [REQ]}),
    (NESTED, {"p": {}}, {"p.x": [REQ], "p.y": [REQ], "q": [REQ]}),
    (NESTED, {"p": {"x": "1", "y": "2"}, "q": 1, "rows": [{"name": "An"}, {}, {"name": "B"}]},
     {"rows.1.name": [REQ], "rows.2.name": ["Must be at least 2 characters long."]}),
    (NESTED, {"p": {"x": 1, "y": "2"}, "q": 1, "rows": []},
     {"p.x": ["Must be text."], "rows": ["Needs at least 1 rows."]}),
    ({"type": "object", "dependentRequired": {"e": ["a"], "c": ["d", "b"]}}, {"b": "x", "c": "1"},
     {"d": [REQ]}),
    ({"type": "object", "properties": {"known": {"type": "boolean"}},
      "if": {"properties": {"known": {"const": True}}, "required": ["known"]},
      "then": {"required": ["father"]}}, {"known": True}, {"father": [REQ]}),
    ({"type": "object", "properties": {"id": {"type": "string", "format": "citizen-id"}}},
     {"id": "003090012345"}, {"id": ["The first three digits of a citizen ID must be a province code."]}),
    ({"type": "object", "properties": {"d": {"type": "string", "format": "date"}}},
     {"d": "2026-02-30"}, {"d": ["Must be a date (YYYY-MM-DD)."]}),
    ({"type": "array"}, {"not": "a list"}, {"": ["Must be a list."]}),
])
def test_errors_land_on_their_fields(schema, data, expected):
    assert validate_data(schema, data) == expected


def test_cached_validators_are_per_key():
    first = validator_for({"type": "string"}, cache_key="version:1:a")
    assert validator_for({"type": "integer"}, cache_key="version:1:a") is first
    assert validator_for({"type": "integer"}, cache_key="version:1:b") is not first


def test_a_remote_ref_is_never_fetched():
    schema = {"$ref": "https://example.invalid/schema.json"}
    with pytest.raises(Exception) as raised:
        validate_data(schema, {})
    assert "example.invalid" in str(raised.value)
