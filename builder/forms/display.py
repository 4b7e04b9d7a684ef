"""Turn a schema and its data into sections of labelled values, for printing
and for reading on screen. Labels come from the schema's ``title``; choices
show the ``title`` of their ``oneOf`` entry; ``form.ui.order`` orders fields."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _


@dataclass
class Row:
    label: str
    value: str


@dataclass
class Table:
    label: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """A titled (or untitled) run of items: labelled rows and tables."""

    title: str | None
    items: list[Row | Table] = field(default_factory=list)


def _choice_title(schema: dict, value: Any) -> str | None:
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        if isinstance(option, dict) and option.get("const") == value:
            return option.get("title")
    return None


def format_value(schema: dict, value: Any) -> str:
    if value is None or value == "":
        return ""
    title = _choice_title(schema, value)
    if title:
        return title
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if schema.get("format") == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        items = schema.get("items", {})
        return ", ".join(format_value(items, v) for v in value)
    if isinstance(value, int) and schema.get("x-money"):
        return f"{value:,}".replace(",", ".") + " đồng"
    return str(value)


def _ordered(schema: dict, order: list[str] | None) -> list[str]:
    keys = list(schema.get("properties", {}))
    order = order or schema.get("x-order")
    if not order:
        return keys
    ranked = [k for k in order if k in keys]
    return ranked + [k for k in keys if k not in ranked]


def sections(schema: dict, data: dict, ui: dict | None = None) -> list[Section]:
    """The filled form in the order of ``ui.order``: a group (object) field is
    a titled section; the plain fields between groups form untitled ones."""
    result: list[Section] = []
    for key in _ordered(schema, (ui or {}).get("order")):
        sub = schema["properties"][key]
        value = (data or {}).get(key)
        if value is None or value == "" or value == []:
            continue
        if sub.get("type") == "object" and isinstance(value, dict):
            section = Section(title=sub.get("title", key))
            for inner in _ordered(sub, None):
                inner_value = value.get(inner)
                if inner_value not in (None, "", []):
                    _append(section, sub["properties"][inner], inner, inner_value)
            result.append(section)
            continue
        if not result or result[-1].title is not None:
            result.append(Section(title=None))
        _append(result[-1], sub, key, value)
    return [s for s in result if s.items]


def _append(section: Section, schema: dict, key: str, value: Any) -> None:
    label = schema.get("title", key)
    items = schema.get("items", {})
    if schema.get("type") == "array" and items.get("type") == "object":
        columns = _ordered(items, None)
        section.items.append(
            Table(
                label=label,
                columns=[items["properties"][c].get("title", c) for c in columns],
                rows=[
                    [format_value(items["properties"][c], (row or {}).get(c)) for c in columns]
                    for row in value
                ],
            )
        )
    elif schema.get("type") == "object" and isinstance(value, dict):
        for inner in _ordered(schema, None):
            if value.get(inner) not in (None, "", []):
                _append(section, schema["properties"][inner], inner, value[inner])
    else:
        section.items.append(Row(label=label, value=format_value(schema, value)))
