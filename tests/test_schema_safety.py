"""A form schema that could hang, mislead or reach out of the validator is
refused, and the message says where in the package."""
from __future__ import annotations

import copy
import json
import socket
from pathlib import Path

import pytest

from builder.forms.package import package_errors
from builder.forms.schema_safety import schema_problems

LIBRARY = sorted((Path(__file__).resolve().parent.parent / "form_library").glob("*.json"))


def text(**properties) -> dict:
    return {"type": "object", "properties": properties}


def chain(levels: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def bomb(levels: int, width: int) -> dict:
    """Each definition holds ``width`` copies of the one before: width**levels fields."""
    defs = {"l0": text(**{f"p{i}": {"type": "string"} for i in range(width)})}
    for n in range(1, levels + 1):
        defs[f"l{n}"] = text(**{f"p{i}": {"$ref": f"#/$defs/l{n - 1}"} for i in range(width)})
    return {"type": "object", "$defs": defs, "properties": {"x": {"$ref": f"#/$defs/l{levels}"}}}


@pytest.mark.parametrize("schema, where, words", [
    (text(x={"type": "string", "pattern": "(["}), "form.schema.properties.x.pattern",
     "not a valid regular expression"),
    (text(x={"type": "string", "pattern": "a" * 1001}), "form.schema.properties.x.pattern", "at most 1000"),
    ({"type": "object", "patternProperties": {"(?<": {}}}, "form.schema.patternProperties.(?<",
     "not a valid regular expression"),
    (text(x={"type": "strnig"}), "form.schema.properties.x.type", "Unknown type strnig"),
    (text(x={"type": ["string", "datetime"]}), "form.schema.properties.x.type", "Unknown type datetime"),
    (text(x={"type": "string", "format": "cccd"}), "form.schema.properties.x.format", "tax-code"),
    (text(x={"$ref": "https://example.invalid/person.json"}), "form.schema.properties.x.$ref",
     "Only references inside the form schema"),
    (text(x={"$ref": "other.json#/a"}), "form.schema.properties.x.$ref", "Only references inside"),
    (text(x={"$ref": "#person"}), "form.schema.properties.x.$ref", "Only references inside"),
    (text(x={"$ref": "#/$defs/person"}), "form.schema.properties.x.$ref", "points to nothing"),
    ({"$ref": "#"}, "form.schema.$ref", "lead back to themselves"),
    ({"type": "object", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
      "properties": {"x": {"$ref": "#/$defs/a"}}}, "form.schema.$defs", "lead back to themselves"),
    (text(tree={"type": "array", "items": {"$ref": "#"}}), "form.schema.properties.tree.items.$ref",
     "lead back to themselves"),
    (text(x={"type": "object", "$id": "https://example.invalid/x"}), "form.schema.properties.x.$id", "$id"),
    (chain(33), "form.schema" + ".properties.a" * 33, "more than 32 levels"),
    (text(**{f"f{i}": {"type": "string"} for i in range(2001)}), "form.schema", "more than 2000 fields"),
    (bomb(4, 10), "form.schema", "more than 2000 fields"),  # 10,000 fields from 50 definitions
    (bomb(40, 1), "form.schema", "more than 32 levels"),  # 40 levels through references
])
def test_unsafe_schemas_are_refused_where_they_are(birth_package, schema, where, words):
    package = copy.deepcopy(birth_package)
    package["form"]["schema"] = schema
    errors = package_errors(package)
    assert any(path.startswith(where) and any(words in m for m in messages)
               for path, messages in errors.items()), errors


def test_what_is_allowed_passes():
    assert schema_problems(chain(32)) == {}
    assert schema_problems(text(**{f"f{i}": {"type": "string"} for i in range(2000)})) == {}
    assert schema_problems(bomb(2, 10)) == {}  # 100 fields through references
    fine = {"type": "object", "$defs": {"person": text(name={"type": "string", "pattern": "^[^0-9]+$"})},
            "properties": {"father": {"$ref": "#/$defs/person"}, "mother": {"$ref": "#/$defs/person"},
                           "tax": {"type": ["string", "null"], "format": "tax-code"}}}
    assert schema_problems(fine) == {}


def test_known_formats_are_named():
    message = schema_problems(text(x={"format": "phone"}))["form.schema.properties.x.format"][0]
    for known in ("citizen-id", "tax-code", "phone-vn", "address-vn", "date", "email"):
        assert known in message


def test_a_remote_ref_is_never_fetched(birth_package, monkeypatch):
    def no_network(*args, **kwargs):
        pytest.fail(f"a network call was made: {args}")
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    package = copy.deepcopy(birth_package)
    package["form"]["schema"]["properties"]["remote"] = {"$ref": "http://127.0.0.1:9/schema.json"}
    errors = package_errors(package)
    assert "form.schema.properties.remote.$ref" in errors


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_the_form_library_is_safe(path):
    package = json.loads(path.read_text("utf-8"))
    assert package_errors(package) == {}


def test_the_library_has_its_eight_packages():
    assert len(LIBRARY) == 8
