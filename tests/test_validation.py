"""Schema errors mapped to field paths, in Vietnamese: (schema, data, expected)."""
from __future__ import annotations

import copy
import json
import random

import pytest
from jsonschema import Draft202012Validator

from builder.cli import DEFAULT_LIBRARY
from builder.forms.validation import (_REGISTRY, format_checker, make_validator, quick_check, validate_data,
                                      validator_for)

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


# --- FormValidator gives exactly jsonschema's errors --------------------------

EDGE_SCHEMA = {  # what the in-place check must leave to jsonschema's descend
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"code": {"type": "string", "pattern": "^[0-9]{3}$"}},
    "properties": {
        "by_ref": {"$ref": "#/$defs/code"},
        "with_id": {"$id": "https://example.invalid/with-id", "type": "integer", "minimum": 1},
        "hinted": {"type": "string", "maxLength": 3, "x-widget": "textarea", "title": "Ghi chú"},
        "flag": {"enum": [1, "1", None]},
        "plate": {"type": "string", "pattern": "^[0-9]{2}[A-Z]$", "minLength": 3},
        "maybe": {"type": ["string", "null"], "maxLength": 2},
        "count": {"type": "integer", "minimum": 0, "exclusiveMaximum": 5},
        "exact": {"const": 1},
        "anything": True,
        "nothing": False,
        "amount": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5, "maximum": 10},
        "choice": {"type": "string", "oneOf": [{"const": "a"}, {"const": "b"}]},
        "rows": {"type": "array", "items": {"type": "object", "required": ["n"],
                                            "properties": {"n": {"type": "string", "minLength": 2},
                                                           "d": {"type": "string", "format": "date"}}}},
        "person": {"type": "object", "additionalProperties": False,
                   "properties": {"id": {"type": "string", "format": "citizen-id"},
                                  "phone": {"type": "string", "format": "phone-vn"}}},
    },
    "if": {"properties": {"exact": {"const": 1}}, "required": ["exact"]},
    "then": {"properties": {"hinted": {"minLength": 2}}},
}
EDGE_EXAMPLE = {"by_ref": "123", "with_id": 2, "hinted": "abc", "flag": 1, "plate": "29A", "maybe": None,
                "count": 4, "exact": 1, "anything": {},
                "amount": 2.5, "choice": "a", "rows": [{"n": "An", "d": "2026-01-02"}],
                "person": {"id": "001090012345", "phone": "0912345678"}}
ODD_VALUES = [None, 0, 1, 1.5, -3, True, False, "", "x" * 300, "12", "abc", "2026-02-30", "001090012345",
              [], [1], {}, {"n": 1},
              # for the patterns: a phone number, the same in Arabic-Indic digits, a month, a name
              "0912345678", "٠٩١٢٣٤٥٦٧٨", "12/2020", "Hộ kinh doanh An"]


def _signature(error) -> tuple:
    return (tuple(error.absolute_path), tuple(error.absolute_schema_path), error.validator,
            repr(error.validator_value), error.message, repr(error.instance),
            tuple(_signature(sub) for sub in error.context))


def _mutations(example: dict, rng: random.Random, count: int):
    """``count`` copies of ``example``, each with one to four values replaced,
    removed or added, anywhere in it."""
    def places(value, path=()):
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            yield path + (key,)
            yield from places(child, path + (key,))

    for _ in range(count):
        data = copy.deepcopy(example)
        for _ in range(rng.randint(1, 4)):
            spots = list(places(data))
            if not spots:
                break
            *parent_path, key = rng.choice(spots)
            parent = data
            for step in parent_path:
                parent = parent[step]
            action = rng.random()
            if action < 0.15 and isinstance(parent, dict):
                del parent[key]
            elif action < 0.25 and isinstance(parent, dict):
                parent["khong_co_trong_mau"] = rng.choice(ODD_VALUES)
            else:
                parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        yield data


def _schemas_with_examples(edge_schema=EDGE_SCHEMA):
    """The forms of the library, then ``edge_schema``, each with its example."""
    for path in sorted(DEFAULT_LIBRARY.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))["form"]["schema"]
        yield pytest.param(path.stem, schema, schema["examples"][0], id=path.stem)
    yield pytest.param("edge", edge_schema, EDGE_EXAMPLE, id="edge")


@pytest.mark.parametrize("name, schema, example", list(_schemas_with_examples()))
def test_the_form_validator_gives_exactly_the_stock_validators_errors(name, schema, example):
    stock = Draft202012Validator(schema, format_checker=format_checker, registry=_REGISTRY)
    ours = make_validator(schema)
    assert type(ours) is not Draft202012Validator  # the in-place properties are what is compared
    assert list(ours.iter_errors(example)) == [] == list(stock.iter_errors(example))
    rng = random.Random(name)  # the same payloads on every run
    errors_seen = 0
    for data in _mutations(example, rng, 300):
        expected = [_signature(error) for error in stock.iter_errors(data)]
        assert [_signature(error) for error in ours.iter_errors(data)] == expected, data
        errors_seen += len(expected)
    assert errors_seen > 300  # the mutations did reach the fields


# --- jsonschema-rs's quick check gives jsonschema's answer ---------------------

def _without_different_answers(schema):
    """EDGE_SCHEMA without what the quick check leaves to jsonschema (its
    multipleOf of 0.5)."""
    if isinstance(schema, list):
        return [_without_different_answers(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: _without_different_answers(value) for key, value in schema.items()
            if not (key == "multipleOf" and value == 0.5)}


QUICK_EDGE_SCHEMA = _without_different_answers(EDGE_SCHEMA)


@pytest.mark.parametrize("name, schema, example", list(_schemas_with_examples(QUICK_EDGE_SCHEMA)))
def test_the_quick_check_answers_as_jsonschema_does(name, schema, example):
    """A payload the quick check finds valid skips jsonschema: it must be one
    jsonschema finds valid too. Both answers, on every form of the library
    and 300 altered payloads each, must be the same."""
    quick = quick_check(schema)
    assert quick is not None, name  # every form of the library is checked quickly
    stock = Draft202012Validator(schema, format_checker=format_checker, registry=_REGISTRY)
    assert quick(example) and not list(stock.iter_errors(example))
    rng = random.Random(name + "-quick")
    valid = invalid = 0
    for data in _mutations(example, rng, 300):
        expected = not list(stock.iter_errors(data))
        assert quick(data) is expected, data
        valid, invalid = valid + expected, invalid + (not expected)
    assert invalid > 100  # the mutations did reach the fields


@pytest.mark.parametrize("schema", [
    EDGE_SCHEMA,  # its multipleOf of 0.5
    {"type": "object", "properties": {"n": {"type": "number", "multipleOf": 0.1}}},
    {"type": "object", "properties": {"n": {"type": "string", "pattern": "^\\d+$"}}},  # Unicode digits
    {"type": "object", "properties": {"n": {"type": "string", "pattern": "^\\w+$"}}},  # and word characters
    {"type": "object", "properties": {"n": {"type": "string", "pattern": "(?i)^ab$"}}},
    {"type": "object", "properties": {"where": {"type": "object", "format": "address-vn"}}},
    {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
])
def test_a_schema_where_the_answers_could_differ_is_left_to_jsonschema(schema):
    assert quick_check(schema) is None


def test_an_address_is_checked_by_jsonschema_though_jsonschema_rs_checks_formats_on_strings_only():
    schema = {"type": "object", "properties": {
        "where": {"type": "object", "format": "address-vn"}}}
    bad = {"where": {"province": "01", "commune": "99999", "street": "1 Phố Huế"}}
    errors = validate_data(schema, bad, cache_key="version:address:1")
    assert list(errors) == ["where.commune"], errors


def test_a_payload_the_quick_check_cannot_take_goes_to_jsonschema():
    schema = {"type": "object", "properties": {"n": {"type": "number", "maximum": 5}}}
    assert quick_check(schema) is not None
    assert validate_data(schema, {"n": float("nan")}, cache_key="version:nan:1") == {}  # NaN > 5 is false
    assert validate_data(schema, {"n": 6}, cache_key="version:nan:1") == {"n": ["Must be at most 5."]}
    assert validate_data(schema, {"n": "\ud800"}, cache_key="version:nan:1") == {"n": ["Must be a number."]}


def test_where_the_answers_differ_the_quick_check_is_the_stricter_and_jsonschema_decides():
    schema = {"type": "object", "properties": {"phone": {"type": "string", "pattern": "^0[0-9]{9}$"}}}
    quick = quick_check(schema)
    assert quick({"phone": "0912345678"}) and not quick({"phone": "091234567"})
    # Python's $ matches before a final newline, Rust's does not: jsonschema's answer stands
    assert not quick({"phone": "0912345678\n"})
    assert validate_data(schema, {"phone": "0912345678\n"}, cache_key="version:phone:1") == \
        validate_data(schema, {"phone": "0912345678\n"}) == {}


def test_a_multiple_of_a_fraction_is_left_to_jsonschema_where_rust_would_accept_it():
    # 0.3 / 0.1 is 2.9999999999999996 for jsonschema, a multiple for jsonschema-rs
    schema = {"type": "object", "properties": {"n": {"type": "number", "multipleOf": 0.1}}}
    assert validate_data(schema, {"n": 0.3}, cache_key="version:fraction:1") == {"n": ["Is not valid."]}
