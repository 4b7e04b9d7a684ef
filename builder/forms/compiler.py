"""Compile a form's JSON Schema (and its UI description) to a WTForms form.

The form renders and parses; it never decides validity. ``form_to_data``
turns a parsed form into the JSON the schema judges (keeping what cannot be
converted as typed, so the schema's own error is shown), and ``apply_errors``
puts the schema validator's errors, keyed by field path (``child.full_name``,
``residence_history.1.to``), back onto the fields. A compiled class is
cached by a key that names a published version, which never changes.

Help texts and placed attachments (``form.ui.elements``, see layout.py) are
compiled to :class:`ElementInfo` entries in the form's order, never to
WTForms fields: they render, but hold no data."""
from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass, field as dc_field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    DateField, DecimalField, FieldList, FormField, IntegerField, RadioField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from builder.forms import layout
from builder.inputs import whole_number

TEXTAREA_FROM = 200  # a maxLength above this asks for several lines
RADIO_UP_TO = 4  # this many choices or fewer show as radio buttons
_RESERVED = set(dir(Form)) | set(dir(FlaskForm)) | {"csrf_token"}


@dataclass
class FieldInfo:
    """What the template and the converters need to know of one field."""

    key: str  # the JSON key
    schema: dict
    kind: str  # text, integer, number, boolean, date, choice, multi, group, rows, list
    title: str
    required: bool = False
    help: str | None = None
    # (title of the field the condition is on, title of its value or None for "filled in")
    conditions: list[tuple[str, str | None]] = dc_field(default_factory=list)
    # the same conditions for the browser: (WTForms short name of the field the
    # condition is on, the value that field posts when the condition holds, or
    # None for "filled in"); the template turns the name into the posted one
    show_if: list[tuple[str, str | None]] = dc_field(default_factory=list)
    item: FieldInfo | None = None  # rows / list: the item of a repeating group
    widget: str | None = None  # "address": a group with ``"format": "address-vn"``

    @property
    def min_rows(self) -> int:
        return max(int(self.schema.get("minItems", 0)), 1)


@dataclass
class ElementInfo:
    """A help text or a placed attachment: shown between the fields, bound to
    no data. An attachment's title, help and ``required`` are its component's."""

    key: str
    kind: str  # "note" or "attachment"
    name: str = ""  # its name among the form's fields (what ``_pages`` lists)
    title: str = ""
    text: str = ""  # a note's paragraphs, separated by blank lines
    component: str | None = None  # an attachment's component id
    required: bool = False
    help: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


class SchemaForm:
    """Methods shared by the compiled top-level and nested forms."""

    _schema: dict = {}
    _info: dict[str, FieldInfo] = {}
    _elements: dict[str, ElementInfo] = {}
    _order: list[str] = []  # names of fields and elements, in the citizen's order
    _pages: list[tuple[str, list[str]]] = []

    def fields_in_order(self):
        return [(self[name], info) for name, info in self._info.items()]

    def items_in_order(self):
        """(field, FieldInfo) of the fields and (None, ElementInfo) of the
        elements, in the order they show."""
        for name in self._order or list(self._info):
            if name in self._elements:
                yield None, self._elements[name]
            else:
                yield self[name], self._info[name]

    @classmethod
    def components_placed(cls, names=None) -> list[str]:
        """Component ids of the attachments placed in the form (or among ``names``)."""
        return [e.component for n, e in cls._elements.items()
                if e.kind == layout.ATTACHMENT and (names is None or n in names)]

    @property
    def pages(self) -> list[tuple[str, list[str]]]:
        return self._pages

    @classmethod
    def from_data(cls, data: dict | None, **kwargs):
        return data_to_form(cls, data, **kwargs)


# --- compiling ---------------------------------------------------------------

def _kind(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or (kind is None and "properties" in schema):
        return "group"
    if kind == "array":
        items = schema.get("items") or {}
        if _choices(items):
            return "multi"
        return "rows" if _kind(items) == "group" else "list"
    if _choices(schema):
        return "choice"
    if kind == "boolean":
        return "boolean"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if schema.get("format") == "date":
        return "date"
    return "text"


def _choices(schema: dict) -> list[tuple[Any, str]]:
    options = [o for o in schema.get("oneOf", []) + schema.get("anyOf", []) if isinstance(o, dict)]
    if options and all("const" in o for o in options):
        return [(o["const"], o.get("title", str(o["const"]))) for o in options]
    if "enum" in schema:
        return [(v, str(v)) for v in schema["enum"]]
    return []


def _field_name(key: str, taken: set[str]) -> str:
    name = key
    if not key.isidentifier() or key.startswith("_") or key in _RESERVED:
        name = "f_" + re.sub(r"\W", "_", key)
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _rules(schema: dict) -> list[tuple[str, str, tuple[Any] | None]]:
    """Each ``(key, on, (value,))`` of an ``if``/``then`` ("``key`` is required
    if ``on`` is ``value``") and ``(key, on, None)`` of a ``dependentRequired``
    ("``key`` is required if ``on`` is filled in")."""
    found: list[tuple[str, str, tuple[Any] | None]] = []
    rules = [schema] + [s for s in schema.get("allOf", []) if isinstance(s, dict)]
    for rule in rules:
        test, then = rule.get("if"), rule.get("then")
        if not isinstance(test, dict) or not isinstance(then, dict):
            continue
        for on, cond in (test.get("properties") or {}).items():
            if isinstance(cond, dict) and "const" in cond:
                for key in then.get("required", []):
                    found.append((key, on, (cond["const"],)))
    for present, needed in (schema.get("dependentRequired") or {}).items():
        for key in needed:
            found.append((key, present, None))
    return found


def _conditions(schema: dict) -> dict[str, list[tuple[str, str | None]]]:
    """For each key an ``if``/``then`` or ``dependentRequired`` may require:
    what makes it required, in titles a citizen reads."""
    props = schema.get("properties", {})
    found: dict[str, list[tuple[str, str | None]]] = {}

    def title_of(key: str) -> str:
        return props.get(key, {}).get("title", key)

    def value_title(key: str, value: Any) -> str:
        for const, title in _choices(props.get(key, {})):
            if const == value:
                return title
        if isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        return str(value)

    for key, on, value in _rules(schema):
        found.setdefault(key, []).append((title_of(on), None if value is None else value_title(on, value[0])))
    return found


def _show_if(schema: dict, names: dict[str, str]) -> dict[str, list[tuple[str, str | None]]]:
    """The conditions of ``_conditions`` for the browser, keyed like it:
    ``(field name, posted value or None)``. A condition on a key the form has
    no field for is left out: the browser could not tell, so the field shows."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for key, on, value in _rules(schema):
        if on in names:
            posted = None if value is None else _choice_coerce(value[0])
            found.setdefault(key, []).append((names[on], posted))
    return found


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _bool_coerce(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _choice_coerce(value: Any) -> str:
    return "" if value is None else _bool_coerce(value) if isinstance(value, bool) else str(value)


def _unbound(info: FieldInfo, widget_hint: str | None):
    schema, label, kind = info.schema, info.title, info.kind
    common = {"label": label, "description": info.help or ""}
    if "default" in schema and kind not in ("group", "rows", "list", "multi"):
        common["default"] = _default_for(info, schema["default"])
    if kind == "group":
        return FormField(_compile_object(schema, None, SchemaSubForm), label=label,
                         description=info.help or "")
    if kind == "rows":
        return FieldList(FormField(_compile_object(schema["items"], None, SchemaSubForm)),
                         label=label, description=info.help or "", min_entries=info.min_rows,
                         max_entries=schema.get("maxItems"))
    if kind == "list":
        inner = _unbound(info.item, None)
        return FieldList(inner, label=label, description=info.help or "", min_entries=info.min_rows,
                         max_entries=schema.get("maxItems"))
    if kind == "multi":
        choices = [SelectChoice(_choice_coerce(v), t) for v, t in _choices(schema["items"])]
        return SelectMultipleField(choices=choices, widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), validate_choice=False, **common)
    if kind == "choice":
        choices = [SelectChoice(_choice_coerce(v), t) for v, t in _choices(schema)]
        if widget_hint == "radio" or (widget_hint != "select" and len(choices) <= RADIO_UP_TO):
            return RadioField(choices=choices, coerce=_choice_coerce, validate_choice=False, **common)
        return SelectField(choices=[SelectChoice("", _l("— Choose —"))] + choices, coerce=_choice_coerce,
                           validate_choice=False, **common)
    if kind == "boolean":
        return RadioField(choices=[SelectChoice("true", _l("Yes")), SelectChoice("false", _l("No"))], coerce=_bool_coerce,
                          validate_choice=False, **common)
    if kind == "integer":
        return IntegerField(**common)
    if kind == "number":
        return DecimalField(places=None, **common)
    if kind == "date":
        return DateField(format="%Y-%m-%d", **common)
    render_kw = {}
    if isinstance(schema.get("maxLength"), int):
        render_kw["maxlength"] = schema["maxLength"]
    if widget_hint == "textarea" or schema.get("maxLength", 0) > TEXTAREA_FROM:
        return TextAreaField(filters=[_strip], render_kw={**render_kw, "rows": 3}, **common)
    return StringField(filters=[_strip], render_kw=render_kw, **common)


def _info_for(key: str, schema: dict, required: bool, ui_field: dict) -> FieldInfo:
    info = FieldInfo(
        key=key, schema=schema, kind=_kind(schema), title=ui_field.get("title") or schema.get("title", key),
        required=required, help=ui_field.get("help") or schema.get("description"),
    )
    if info.kind == "group" and schema.get("format") == "address-vn":
        info.widget = "address"
    if info.kind == "list":
        items = schema.get("items") or {}
        info.item = _info_for(key, items, False, {})
        info.item.title = items.get("title", info.title)
    elif info.kind == "rows":
        info.item = FieldInfo(key=key, schema=schema["items"], kind="group",
                              title=schema["items"].get("title", info.title))
    return info


def _element_info(key: str, element: dict, components: dict[str, dict]) -> ElementInfo:
    if element["kind"] == layout.NOTE:
        return ElementInfo(key=key, kind=layout.NOTE, title=str(element.get("title") or ""),
                           text=str(element.get("text") or ""))
    component = components.get(element.get("component")) or {}
    return ElementInfo(
        key=key, kind=layout.ATTACHMENT, component=element.get("component"),
        title=str(element.get("title") or component.get("name") or element.get("component")),
        required=bool(component.get("required")), help=element.get("help") or component.get("note"),
    )


def _compile_object(schema: dict, ui: dict | None, base: type,
                    components: list[dict] | None = None) -> type:
    """``ui`` is given for the top level only: its pages and elements."""
    ui = ui or {}
    widgets = ui.get("widgets") or {}
    fields_ui = ui.get("fields") or {}
    required = set(schema.get("required", []))
    conditions = _conditions(schema)
    attrs: dict[str, Any] = {}
    info: dict[str, FieldInfo] = {}
    elements: dict[str, ElementInfo] = {}
    placed = layout.elements(ui)
    by_id = {c.get("id"): c for c in components or [] if isinstance(c, dict)}
    taken: set[str] = set()
    by_key: dict[str, str] = {}
    for key in layout.top_order(schema, ui):
        if key in placed and key not in (schema.get("properties") or {}):
            by_key[key] = name = _field_name(key, taken)
            elements[name] = _element_info(key, placed[key], by_id)
            elements[name].name = name
            continue
        sub = schema["properties"][key]
        if not isinstance(sub, dict):
            continue
        field_ui = fields_ui.get(key) or {}
        hint = field_ui.get("widget") or widgets.get(key) or sub.get("x-widget")
        by_key[key] = name = _field_name(key, taken)
        info[name] = _info_for(key, sub, key in required, field_ui)
        info[name].conditions = conditions.get(key, [])
        attrs[name] = _unbound(info[name], hint)
    fields_by_key = {i.key: name for name, i in info.items()}
    for key, rules in _show_if(schema, fields_by_key).items():
        if key in fields_by_key:
            info[fields_by_key[key]].show_if = rules
    # a page with nothing on it has nothing to show: the citizen never sees it
    pages = [(title, [by_key[k] for k in keys]) for title, keys in layout.pages(schema, ui) if keys]
    attrs.update(_schema=schema, _info=info, _elements=elements, _order=list(by_key.values()),
                 _pages=pages)
    return type(str(schema.get("title") or "CompiledForm")[:60], (base,), attrs)


class SchemaSubForm(SchemaForm, Form):
    """A nested group: a plain WTForms form (no CSRF token of its own)."""


class SchemaFlaskForm(SchemaForm, FlaskForm):
    """The top-level form, with Flask-WTF's CSRF protection."""


_CACHE: dict[str, type] = {}
_MAX_CACHED = 256


def compile_form(schema: dict, ui: dict | None = None, cache_key: str | None = None,
                 components: list[dict] | None = None) -> type[FlaskForm]:
    """The WTForms form class of a form schema; ``components`` (the package's)
    name the documents of attachments placed in the form. Give ``cache_key``
    only for a form that never changes under it (a published version)."""
    if cache_key is not None and cache_key in _CACHE:
        return _CACHE[cache_key]
    form_class = _compile_object(schema, ui, SchemaFlaskForm, components)
    if cache_key is not None:
        if len(_CACHE) >= _MAX_CACHED:
            _CACHE.clear()
        _CACHE[cache_key] = form_class
    return form_class


# --- form -> data ------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _raw(field) -> str | None:
    raw = getattr(field, "raw_data", None)
    if raw and isinstance(raw[0], str) and raw[0].strip():
        return raw[0].strip()
    return None


def _const_of(schema: dict, value: str) -> Any:
    for const, _title in _choices(schema):
        if _choice_coerce(const) == value:
            return const
    return value  # not a choice: the schema will say so


def _field_value(field, info: FieldInfo) -> Any:
    kind = info.kind
    if kind == "group":
        return _object_value(field.form, info.required)
    if kind == "rows":
        rows = [_object_value(entry.form, True) for entry in field.entries]
        return _trim_rows(rows, info)
    if kind == "list":
        values = [_field_value(entry, info.item) for entry in field.entries]
        return [v for v in values if not _empty(v)]
    if kind == "multi":
        return [_const_of(info.schema["items"], v) for v in (field.data or []) if v != ""]
    if kind in ("choice", "boolean"):
        value = field.data
        if value in (None, "", "None"):
            return None
        if kind == "boolean":
            return {"true": True, "false": False}.get(value, value)
        return _const_of(info.schema, value)
    if kind == "integer":
        return field.data if field.data is not None else _raw(field)
    if kind == "number":
        if field.data is None:
            return _raw(field)
        number = decimal.Decimal(field.data)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        if isinstance(field.data, datetime.date):
            return field.data.isoformat()
        return _raw(field)
    return field.data


def _trim_rows(rows: list[dict], info: FieldInfo) -> list[dict]:
    """Empty rows at the end are dropped (down to ``minItems``); an empty row
    in the middle stays, so error paths keep pointing at the right row."""
    keep = int(info.schema.get("minItems", 0))
    while len(rows) > keep and _empty(rows[-1]):
        rows.pop()
    return rows


def _object_value(form, keep_empty: bool) -> dict | None:
    data = {}
    for name, info in form._info.items():
        value = _field_value(form[name], info)
        # a required group stays, even empty, so each of its fields says it is missing
        if not _empty(value) or (info.kind == "group" and info.required and value == {}):
            data[info.key] = value
    return data if data or keep_empty else None


def form_to_data(form) -> dict:
    """The JSON data of a parsed form: empty values left out, dates as ISO
    strings, numbers as int/float, yes/no as booleans. A value that cannot be
    converted stays as typed, for the schema to reject with its own words."""
    return _object_value(form, True)


# --- data -> form ------------------------------------------------------------

def _default_for(info: FieldInfo, value: Any) -> Any:
    if info.kind in ("choice", "boolean"):
        return _choice_coerce(value)
    if info.kind == "date" and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if info.kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    return value


def _to_field_data(info: FieldInfo, value: Any, form_class=None) -> Any:
    if info.kind == "group" and isinstance(value, dict):
        return _to_form_data(form_class, value)
    if info.kind == "rows" and isinstance(value, list):
        return [_to_form_data(form_class, row) if isinstance(row, dict) else {} for row in value]
    if info.kind == "list" and isinstance(value, list):
        return [_default_for(info.item, v) for v in value]
    if info.kind == "multi" and isinstance(value, list):
        return [_choice_coerce(v) for v in value]
    return _default_for(info, value)


def _to_form_data(form_class, data: dict) -> dict:
    result = {}
    for name, info in form_class._info.items():
        if info.key not in data:
            continue
        unbound = getattr(form_class, name)
        sub_class = None
        if info.kind == "group":
            sub_class = unbound.kwargs.get("form_class") or unbound.args[0]
        elif info.kind == "rows":
            inner = unbound.args[0]
            sub_class = inner.kwargs.get("form_class") or inner.args[0]
        result[name] = _to_field_data(info, data[info.key], sub_class)
    return result


def data_to_form(form_class, data: dict | None, **kwargs):
    """A form of ``form_class`` prefilled with JSON ``data`` (a draft)."""
    values = _to_form_data(form_class, data or {})
    if issubclass(form_class, FlaskForm):
        kwargs.setdefault("formdata", None)
    return form_class(data=values, **kwargs)


# --- errors -> fields ----------------------------------------------------------

def _locate(form, parts: list[str]):
    """The field a path names, or None. A path ending on a group gives the
    group's nested form."""
    target: Any = form
    for part in parts:
        if isinstance(target, Form):
            name = next((n for n, i in target._info.items() if i.key == part), None)
            if name is None:
                return None
            target = target[name]
        elif isinstance(target, FieldList):
            index = whole_number(part)
            if index is None or index >= len(target.entries):
                return None
            target = target.entries[index]
        else:
            return None
        if isinstance(target, FormField):
            target = target.form
    return target


def _add_errors(target, messages: list[str]) -> None:
    if isinstance(target, Form):
        target.form_errors = list(target.form_errors) + list(messages)
    else:
        target.errors = list(target.errors or []) + list(messages)


def apply_errors(form, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put each error on the field its path names; return those that name
    none (shown at the top of the form). The empty path is the whole form."""
    unplaced: dict[str, list[str]] = {}
    for path, messages in errors.items():
        target = _locate(form, path.split(".")) if path else None
        if target is None or target is form:
            unplaced.setdefault(path, []).extend(messages)
        else:
            _add_errors(target, messages)
    return unplaced


def error_summary(form, trail: tuple[str, ...] = ()) -> list[tuple[str, str, list[str]]]:
    """(anchor id, label with its groups, messages) of every field with an
    error, in the order of the form: the summary at the top links to them."""
    found = []
    for field, info in form.fields_in_order():
        label = trail + (str(info.title),)
        if info.kind == "group":
            if field.form.form_errors:
                found.append((_first_id(field), " › ".join(label), list(field.form.form_errors)))
            found += error_summary(field.form, label)
        elif info.kind in ("rows", "list"):
            own = [e for e in (field.errors or []) if isinstance(e, str)]
            if own:
                found.append((_first_id(field), " › ".join(label), own))
            for index, entry in enumerate(field.entries, start=1):
                row = label + (str(_l("Row %(n)s", n=index)),)
                if info.kind == "rows":
                    if entry.form.form_errors:
                        found.append((_first_id(entry), " › ".join(row), list(entry.form.form_errors)))
                    found += error_summary(entry.form, row)
                elif entry.errors:
                    found.append((entry.id, " › ".join(row), list(entry.errors)))
        elif field.errors:
            found.append((field.id, " › ".join(label), list(field.errors)))
    return found


def _first_id(field) -> str:
    """Where a link to a group lands: its fieldset's id."""
    return field.id


# --- repeating groups without JavaScript ---------------------------------------

def _lists(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _lists(field.form)
        elif isinstance(field, FieldList):
            yield field
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from _lists(entry.form)


def add_row(form, list_id: str) -> bool:
    """Append an empty row to the repeating group whose id is ``list_id``
    (the value of its "add a row" button)."""
    for field in _lists(form):
        if field.id == list_id and (not field.max_entries or len(field.entries) < field.max_entries):
            field.append_entry()
            return True
    return False


def remove_row(form, entry_id: str) -> bool:
    """Remove the row whose id is ``entry_id`` (the value of its "remove"
    button), never below the group's minimum."""
    for field in _lists(form):
        for index, entry in enumerate(field.entries):
            if entry.id == entry_id and len(field.entries) > field.min_entries:
                del field.entries[index]
                return True
    return False
