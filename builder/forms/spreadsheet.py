"""Forms from spreadsheets, and the field vocabulary the form designer shares.

A form designer fills one row per field in a CSV or XLSX file (first sheet)
and the designer page turns it into ``{"schema": ..., "ui": {"order": [...]}}``.
The first row names the columns; English or Vietnamese headers, in any order,
letter case and accents ignored:

============  ==============  ===============================================
English       Tiếng Việt      Meaning
============  ==============  ===============================================
key           mã trường       the JSON key: a-z, 0-9 and _, starting with a letter (required)
label         nhãn            what the citizen reads (required)
type          kiểu            one of the types below (default: text)
required      bắt buộc        x, yes, có, 1, true — or empty / no / không / 0
help          hướng dẫn       a help line under the field
options       lựa chọn        choices, one per line or separated by ";": ``value | label``
                              (or only ``label``, which is then the value too)
min           tối thiểu       minimum: characters for text, value for numbers, rows
                              for a repeating group, choices for multiple choice
max           tối đa          maximum, in the same unit
group         nhóm            the key of a group or repeating group defined on an
                              earlier row: the field goes inside it
condition     điều kiện       ``other_key = value``: required only if that field (in
                              the same group) has that value
============  ==============  ===============================================

Types (English code or Vietnamese name): text (chữ, văn bản ngắn), textarea
(văn bản dài), integer (số nguyên), number (số), money (tiền), date (ngày),
choice (một lựa chọn), multi (nhiều lựa chọn), boolean (có/không), email
(thư điện tử), phone (điện thoại), citizen_id (số định danh), tax_code (mã số
thuế), address (địa chỉ: tỉnh/thành phố, xã/phường, số nhà), group (nhóm),
rows (nhóm lặp lại). Every error names its row (as the spreadsheet numbers
it, the header being row 1) and its column.
"""
from __future__ import annotations

import copy
import csv
import io
import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from unidecode import unidecode

from builder.forms.addresses import address_schema

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
PHONE_PATTERN = r"^(0|\+84)[0-9]{9,10}$"
TEXTAREA_FROM = 200

# type code -> label shown in the designer
FIELD_TYPES: dict[str, Any] = {
    "text": _l("Short text"),
    "textarea": _l("Long text"),
    "integer": _l("Whole number"),
    "number": _l("Number"),
    "money": _l("Money (VND)"),
    "date": _l("Date"),
    "choice": _l("Single choice"),
    "multi": _l("Multiple choice"),
    "boolean": _l("Yes / no"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "citizen_id": _l("Citizen ID"),
    "tax_code": _l("Tax code"),
    "address": _l("Address (province, commune, street)"),
    "group": _l("Group"),
    "rows": _l("Repeating group"),
}
CONTAINERS = ("group", "rows")
TEXTUAL = ("text", "textarea", "email", "phone", "citizen_id", "tax_code")
NUMERIC = ("integer", "number", "money")

TYPE_NAMES = {
    "text": "text", "chu": "text", "van ban": "text", "van ban ngan": "text", "string": "text",
    "textarea": "textarea", "van ban dai": "textarea", "doan van": "textarea",
    "integer": "integer", "so nguyen": "integer",
    "number": "number", "so": "number",
    "money": "money", "tien": "money", "so tien": "money",
    "date": "date", "ngay": "date",
    "choice": "choice", "mot lua chon": "choice", "lua chon": "choice",
    "multi": "multi", "nhieu lua chon": "multi",
    "boolean": "boolean", "yes/no": "boolean", "co/khong": "boolean", "co khong": "boolean",
    "email": "email", "e-mail": "email", "thu dien tu": "email",
    "phone": "phone", "dien thoai": "phone", "so dien thoai": "phone",
    "citizen_id": "citizen_id", "citizen id": "citizen_id", "so dinh danh": "citizen_id",
    "cccd": "citizen_id", "so dinh danh ca nhan": "citizen_id",
    "tax_code": "tax_code", "tax code": "tax_code", "ma so thue": "tax_code", "mst": "tax_code",
    "address": "address", "dia chi": "address",
    "group": "group", "nhom": "group", "object": "group",
    "rows": "rows", "nhom lap lai": "rows", "bang": "rows", "repeating group": "rows",
}
COLUMNS = {
    "key": "key", "ma truong": "key", "ma": "key",
    "label": "label", "title": "label", "nhan": "label", "ten truong": "label",
    "type": "type", "kieu": "type", "loai": "type",
    "required": "required", "bat buoc": "required",
    "help": "help", "description": "help", "huong dan": "help", "mo ta": "help",
    "options": "options", "lua chon": "options", "cac lua chon": "options",
    "min": "min", "toi thieu": "min",
    "max": "max", "toi da": "max",
    "group": "group", "nhom": "group",
    "condition": "condition", "dieu kien": "condition",
}
YES = {"x", "yes", "y", "co", "1", "true", "dung"}
NO = {"", "no", "n", "khong", "0", "false", "sai"}


def fold(text: Any) -> str:
    return re.sub(r"\s+", " ", unidecode(str(text if text is not None else "")).strip().lower())


class SpreadsheetError(Exception):
    """The spreadsheet cannot be used; ``errors`` say where and why."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


# --- the field vocabulary ------------------------------------------------------

def parse_options(text: str) -> list[dict]:
    options = []
    for line in filter(None, (part.strip() for part in re.split(r"[\n;]", text or ""))):
        value, _sep, label = line.partition("|")
        value, label = value.strip(), label.strip()
        options.append({"const": value, "title": label or value})
    return options


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o['const']} | {o.get('title', o['const'])}" if o.get("title", o["const"]) != o["const"]
                     else str(o["const"]) for o in options)


def field_type(schema: dict) -> str:
    """The designer's type of a field schema."""
    if schema.get("format") == "address-vn":
        return "address"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or (kind is None and "properties" in schema):
        return "group"
    if kind == "array":
        items = schema.get("items") or {}
        return "rows" if items.get("type") == "object" or "properties" in items else "multi"
    if schema.get("oneOf") or schema.get("enum"):
        return "choice"
    if kind == "boolean":
        return "boolean"
    if kind == "integer":
        return "money" if schema.get("x-money") else "integer"
    if kind == "number":
        return "number"
    fmt = schema.get("format")
    if fmt == "date":
        return "date"
    if fmt == "email":
        return "email"
    if fmt == "citizen-id":
        return "citizen_id"
    if fmt == "tax-code":
        return "tax_code"
    if schema.get("pattern") == PHONE_PATTERN or fmt == "phone-vn":
        return "phone"
    if schema.get("x-widget") == "textarea" or schema.get("maxLength", 0) > TEXTAREA_FROM:
        return "textarea"
    return "text"


def field_options(schema: dict) -> list[dict]:
    source = schema.get("items", {}) if field_type(schema) == "multi" else schema
    if source.get("oneOf"):
        return [dict(o) for o in source["oneOf"] if isinstance(o, dict) and "const" in o]
    return [{"const": v, "title": str(v)} for v in source.get("enum", [])]


def limits(schema: dict) -> tuple[Any, Any]:
    kind = field_type(schema)
    names = {"multi": ("minItems", "maxItems"), "rows": ("minItems", "maxItems")}.get(
        kind, ("minimum", "maximum") if kind in NUMERIC else ("minLength", "maxLength"))
    return schema.get(names[0]), schema.get(names[1])


def build_field(kind: str, title: str, help_text: str = "", options: list[dict] | None = None,
                low: Any = None, high: Any = None, previous: dict | None = None) -> dict:
    """The JSON Schema of a field; ``previous`` keeps what the designer does
    not manage (and a group's fields when it stays a group)."""
    previous = copy.deepcopy(previous or {})
    same = previous and field_type(previous) == kind
    schema: dict = {}
    if same:
        schema = previous
        for name in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
                     "oneOf", "enum", "description"):
            schema.pop(name, None)
        if kind == "multi":
            schema.get("items", {}).pop("oneOf", None)
            schema.get("items", {}).pop("enum", None)
    else:
        inner = None
        if kind in CONTAINERS and previous:
            old = field_type(previous)
            inner = previous if old == "group" else previous.get("items") if old == "rows" else None
        obj = {"type": "object", "properties": {}, "additionalProperties": False}
        if inner:
            obj = {k: v for k, v in inner.items() if k not in ("title", "description", "minItems", "maxItems")}
        schema = {
            "text": {"type": "string"}, "textarea": {"type": "string", "x-widget": "textarea"},
            "integer": {"type": "integer"}, "number": {"type": "number"},
            "money": {"type": "integer", "x-money": True}, "date": {"type": "string", "format": "date"},
            "choice": {"type": "string"}, "multi": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "boolean": {"type": "boolean"}, "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "pattern": PHONE_PATTERN},
            "citizen_id": {"type": "string", "format": "citizen-id"},
            "tax_code": {"type": "string", "format": "tax-code"},
            "group": obj, "rows": {"type": "array", "items": obj},
        }[kind] if kind != "address" else address_schema(title)
    schema["title"] = title
    if help_text:
        schema["description"] = help_text
    if kind == "choice":
        schema["oneOf"] = options or []
    if kind == "multi":
        schema["items"]["oneOf"] = options or []
    if kind in CONTAINERS + ("date", "boolean", "choice", "address"):
        names = ("minItems", "maxItems") if kind == "rows" else (None, None)
    elif kind == "multi":
        names = ("minItems", "maxItems")
    elif kind in NUMERIC:
        names = ("minimum", "maximum")
    else:
        names = ("minLength", "maxLength")
    for name, value in zip(names, (low, high)):
        if name and value is not None:
            schema[name] = value
    return schema


def number(text: Any, whole: bool) -> Any:
    """A number typed in Vietnamese or English style; ValueError if it is none."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = text
    else:
        value = float(str(text).strip().replace(" ", "").replace(",", "."))
    if whole or float(value).is_integer():
        if not float(value).is_integer():
            raise ValueError(text)
        return int(value)
    return value


def condition_value(schema: dict, text: str) -> Any:
    """The value of a condition, typed as the field it is on: ValueError if
    it cannot be one of its values."""
    kind = field_type(schema)
    text = str(text).strip()
    if kind == "boolean":
        folded = fold(text)
        if folded in YES - {"x"}:
            return True
        if folded in NO - {""}:
            return False
        raise ValueError(text)
    if kind in ("choice", "multi"):
        for option in field_options(schema):
            if str(option["const"]) == text or fold(option.get("title")) == fold(text):
                return option["const"]
        raise ValueError(text)
    if kind in NUMERIC:
        return number(text, kind != "number")
    return text


def conditions_of(obj: dict) -> dict[str, tuple[str, Any]]:
    """key -> (other key, value) for the "required only if" rules of an object schema."""
    found = {}
    for rule in [obj] + [r for r in obj.get("allOf", []) if isinstance(r, dict)]:
        test, then = rule.get("if"), rule.get("then")
        if not isinstance(test, dict) or not isinstance(then, dict):
            continue
        for on, cond in (test.get("properties") or {}).items():
            if isinstance(cond, dict) and "const" in cond:
                for key in then.get("required", []):
                    found[key] = (on, cond["const"])
    return found


def set_condition(obj: dict, key: str, on: str | None, value: Any = None) -> None:
    """Make ``key`` of an object schema required only if ``on`` equals
    ``value`` (or drop its condition when ``on`` is None)."""
    rules = [obj] + [r for r in obj.get("allOf", []) if isinstance(r, dict)]
    for rule in rules:
        then = rule.get("then")
        if isinstance(then, dict) and key in then.get("required", []):
            then["required"] = [k for k in then["required"] if k != key]
            if not then["required"]:
                then.pop("required")
            if not then and isinstance(rule.get("if"), dict):
                rule.pop("if")
                rule.pop("then")
    if "allOf" in obj:
        obj["allOf"] = [r for r in obj["allOf"] if r]
        if not obj["allOf"]:
            obj.pop("allOf")
    if on:
        obj.setdefault("allOf", []).append({
            "if": {"properties": {on: {"const": value}}, "required": [on]},
            "then": {"required": [key]},
        })


def forget_key(obj: dict, key: str) -> None:
    """Remove every mention of ``key`` from an object schema's rules."""
    set_condition(obj, key, None)
    obj["required"] = [k for k in obj.get("required", []) if k != key]
    if not obj["required"]:
        obj.pop("required")
    for rule in [obj] + [r for r in obj.get("allOf", []) if isinstance(r, dict)]:
        test = rule.get("if")
        if isinstance(test, dict) and key in (test.get("properties") or {}):
            rule.pop("if", None)
            rule.pop("then", None)
    if "allOf" in obj:
        obj["allOf"] = [r for r in obj["allOf"] if r]
        if not obj["allOf"]:
            obj.pop("allOf")


def inner_object(schema: dict) -> dict:
    """The object schema holding the fields of a group or a repeating group."""
    return schema["items"] if field_type(schema) == "rows" else schema


# --- reading a spreadsheet -----------------------------------------------------

def _rows(data: bytes, filename: str) -> list[list[Any]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file says the same
            raise SpreadsheetError([_("The file is not a readable XLSX workbook.")]) from exc
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if filename.lower().endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError([_("Save the CSV file as UTF-8.")]) from exc
        try:
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    raise SpreadsheetError([_("Upload a CSV or XLSX file.")])


def read_spreadsheet(data: bytes, filename: str) -> dict:
    """``{"schema": ..., "ui": {"order": [...]}}`` of a spreadsheet; raises
    :class:`SpreadsheetError` naming each bad row and column."""
    rows = _rows(data, filename)
    while rows and not any(str(c or "").strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise SpreadsheetError([_("The spreadsheet is empty.")])
    header = rows[0]
    columns: dict[str, tuple[int, str]] = {}
    errors: list[str] = []
    for index, name in enumerate(header):
        if name is None or not str(name).strip():
            continue
        column = COLUMNS.get(fold(name))
        if column is None:
            errors.append(_("Row %(row)s, column %(column)s: unknown column.", row=1, column=str(name).strip()))
        else:
            columns[column] = (index, str(name).strip())
    for needed in ("key", "label"):
        if needed not in columns:
            errors.append(_("Row %(row)s: the column %(column)s is missing.", row=1, column=needed))
    if errors:
        raise SpreadsheetError(errors)

    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    containers: dict[str, dict] = {}  # group key -> its object schema
    conditions: list[tuple[int, str, dict, str, str]] = []
    for number_, row in enumerate(rows[1:], start=2):
        def cell(name: str) -> str:
            if name not in columns or columns[name][0] >= len(row):
                return ""
            value = row[columns[name][0]]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return "" if value is None else str(value).strip()

        def bad(name: str, why: str) -> None:
            errors.append(_("Row %(row)s, column %(column)s: %(why)s", row=number_,
                            column=columns.get(name, (0, name))[1], why=why))

        if not any(str(c or "").strip() for c in row):
            continue
        key, label = cell("key"), cell("label")
        if not KEY.match(key):
            bad("key", _("the key must start with a letter and use only a-z, 0-9 and _."))
            continue
        if not label:
            bad("label", _("the label is empty."))
        kind = TYPE_NAMES.get(fold(cell("type")) or "text")
        if kind is None:
            bad("type", _("unknown type %(type)s.", type=cell("type")))
            continue
        required = fold(cell("required"))
        if required not in YES | NO:
            bad("required", _("write x (or yes, có) for a required field, or leave it empty."))
        bounds = []
        for name in ("min", "max"):
            try:
                bounds.append(number(cell(name), kind != "number") if cell(name) else None)
            except ValueError:
                bad(name, _("%(value)s is not a number.", value=cell(name)))
                bounds.append(None)
        options = parse_options(cell("options"))
        if kind in ("choice", "multi") and not options:
            bad("options", _("a choice needs its options."))
        parent = schema
        if cell("group"):
            parent = containers.get(cell("group"))
            if parent is None:
                bad("group", _("no group %(group)s on an earlier row.", group=cell("group")))
                continue
        if key in parent["properties"]:
            bad("key", _("the key %(key)s is used twice.", key=key))
            continue
        field = build_field(kind, label, cell("help"), options, *bounds)
        parent["properties"][key] = field
        if required in YES:
            parent.setdefault("required", []).append(key)
        if kind in CONTAINERS:
            containers[key] = inner_object(field)
        if cell("condition"):
            on, sep, value = cell("condition").partition("=")
            if not sep or not on.strip():
                bad("condition", _("write the condition as: field = value."))
            else:
                conditions.append((number_, key, parent, on.strip(), value.strip()))
    for number_, key, parent, on, value in conditions:
        column = columns["condition"][1]
        if on not in parent["properties"]:
            errors.append(_("Row %(row)s, column %(column)s: %(why)s", row=number_, column=column,
                            why=_("no field %(key)s in the same group.", key=on)))
            continue
        try:
            typed = condition_value(parent["properties"][on], value)
        except ValueError:
            errors.append(_("Row %(row)s, column %(column)s: %(why)s", row=number_, column=column,
                            why=_("%(value)s is not a value of %(key)s.", value=value, key=on)))
            continue
        set_condition(parent, key, on, typed)
    if not schema["properties"] and not errors:
        errors.append(_("The spreadsheet has no fields."))
    if errors:
        raise SpreadsheetError(errors)
    return {"schema": schema, "ui": {"order": list(schema["properties"])}}
