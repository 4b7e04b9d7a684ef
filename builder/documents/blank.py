"""The blank printable form of a service (level 2 of a public service): the
schema the citizen fills online, laid out for pen and paper, with dotted
lines to write on and boxes to tick.

Dotted lines are text, as on the printed forms people know, so each one is
measured with the DejaVu metrics xhtml2pdf draws with: the dots fill what is
left of the label's last line. A published version never changes, so its PDF
is rendered once and kept in storage (:func:`published_blank_form`)."""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase.ttfonts import TTFont

from builder.documents.render import TEMPLATE_DIR, font_dir, render_pdf
from builder.forms import layout as form_layout
from builder.storage import storage_root, write_atomically

TEMPLATE = "blank_form.html"
FONT_SIZE = 10.5  # the body text of _base.html
# A4 (595.3 pt) less the left and right margins of _base.html (2.2 cm + 1.8 cm)
LINE_WIDTH = 595.3 - 4.0 * 72 / 2.54
# xhtml2pdf wraps words as this module does, with the same widths; a little
# room is kept so that a run of dots never spills onto a line of its own
SLACK = 5.0  # points
MIN_ROOM = 70.0  # points: less room than this after a label, the dots start a new line
DOT = "."
DATE_BLANK = "……/……/…………"
BOX = "☐"
OPTION_GAP = "   "  # the template puts three no-break spaces between options
TABLE_ROWS = 3
NUMBER_COLUMN = 6  # percent of a table: the "STT" column
YES_NO = ("Có", "Không")
ATTACHED = "Kèm theo"  # before the name of a document placed in the form
RECIPIENT_TITLE = "kính gửi"
CACHE_FOLDER = "blank_forms"


@dataclass
class Column:
    title: str
    required: bool
    width: int  # percent of the table
    tick: bool = False  # a box to tick in every cell


@dataclass
class Blank:
    """One thing to fill in: a dotted line (or several), boxes to tick, a
    table of empty rows, or the heading of a nested group."""

    label: str
    kind: str = "line"  # line | choices | tick | table | heading | note | attachment
    required: bool = False
    help: str | None = None
    number: str = ""  # "3. " for an item of the top level
    lines: list[str] = field(default_factory=list)  # the first one follows the label
    options: list[str] = field(default_factory=list)
    inline: bool = True  # the options fit on the label's line
    columns: list[Column] = field(default_factory=list)
    rows: int = 0


@dataclass
class Part:
    """A group of the form (an object of the schema, titled) or a run of
    top-level fields between groups (untitled)."""

    title: str | None
    number: str = ""
    required: bool = False
    help: str | None = None
    items: list[Blank] = field(default_factory=list)


def blank_form_pdf(package: dict, agency) -> bytes:
    """The blank form of ``package`` as an A4 PDF, headed by ``agency``."""
    form = package["form"]
    schema = form["schema"]
    recipient, parts = layout(schema, form.get("ui"), package.get("components"))
    items = [item for part in parts for item in part.items] + ([recipient] if recipient else [])
    return render_pdf(
        TEMPLATE,
        title=schema.get("title") or package["name"],
        description=schema.get("description"),
        procedure_name=package["name"],
        code=package["code"],
        agency=agency,
        agency_lines=_balanced(agency.name.upper()),
        recipient=recipient,
        parts=parts,
        number_width=NUMBER_COLUMN,
        any_required=any(p.required for p in parts) or _any_required(items),
        any_boxes=_any_boxes(items),
        attached=ATTACHED,
        italic=os.path.exists(os.path.join(font_dir(), "DejaVuSans-Oblique.ttf")),
    )


def published_blank_form(version) -> bytes:
    """The blank form of a published :class:`ProcedureVersion`, rendered once
    and then read from storage."""
    path = cache_path(version)
    try:
        with open(path, "rb") as cached:
            return cached.read()
    except FileNotFoundError:
        pass
    pdf = blank_form_pdf(version.package, version.procedure.agency)
    write_atomically(path, pdf)  # two first downloads at once both write the same bytes
    return pdf


def cache_path(version) -> str:
    """Where :func:`published_blank_form` keeps the PDF of ``version``: named
    by a hash of all the PDF depends on, so nothing ever needs invalidating."""
    key = _cache_key(version)
    return os.path.join(storage_root(), CACHE_FOLDER, key[:2], f"{key}.pdf")


def _cache_key(version) -> str:
    # the agency's name is printed, and the layout may change between releases
    agency = version.procedure.agency
    identity = [
        version.id,
        version.published_at.isoformat(),
        version.package,
        agency.code,
        agency.name,
        _layout_digest(),
    ]
    text = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _layout_digest() -> str:
    digest = hashlib.sha256()
    for source in (Path(__file__), TEMPLATE_DIR / TEMPLATE, TEMPLATE_DIR / "_base.html"):
        digest.update(source.read_bytes())
    return digest.hexdigest()


# The layout --------------------------------------------------------------


def layout(schema: dict, ui: dict | None = None,
           components: list[dict] | None = None) -> tuple[Blank | None, list[Part]]:
    """The recipient line (when the schema asks for it, as in form CT01) and
    the parts of the form, in the order of ``ui.order``; items of the top
    level are numbered. Help texts print where they stand, unnumbered, and a
    document the form asks for at some point is a box to tick there."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    recipient_key = next((k for k, s in properties.items() if _is_recipient(s)), None)
    elements = form_layout.elements(ui)
    by_id = {c.get("id"): c for c in components or [] if isinstance(c, dict)}
    parts: list[Part] = []
    number = 0
    for key in form_layout.top_order(schema, ui):
        if key == recipient_key:
            continue
        if key not in properties:
            if not parts or parts[-1].title is not None:
                parts.append(Part(title=None))
            parts[-1].items.append(_element(elements[key], by_id))
            continue
        sub = properties[key]
        number += 1
        prefix = f"{number}. "
        if _type(sub) == "object":
            parts.append(Part(title=sub.get("title", key), number=prefix,
                              required=key in required, help=sub.get("description"),
                              items=_group(sub)))
            continue
        if not parts or parts[-1].title is not None:
            parts.append(Part(title=None))
        parts[-1].items.append(blank(sub, key, key in required, prefix))
    recipient = None
    if recipient_key is not None:
        recipient = blank(properties[recipient_key], recipient_key, recipient_key in required)
    return recipient, parts


def _element(element: dict, components: dict[str, dict]) -> Blank:
    if element["kind"] == form_layout.NOTE:
        text = str(element.get("text") or "")
        return Blank(label=str(element.get("title") or ""), kind="note",
                     lines=[p.strip() for p in text.split("\n\n") if p.strip()])
    component = components.get(element.get("component")) or {}
    return Blank(label=str(element.get("title") or component.get("name") or element.get("component")),
                 kind="attachment", required=bool(component.get("required")))


def _group(schema: dict) -> list[Blank]:
    required = set(schema.get("required", []))
    items: list[Blank] = []
    for key in _ordered(schema.get("properties", {}), None):
        sub = schema["properties"][key]
        if _type(sub) == "object":
            items.append(Blank(label=sub.get("title", key), kind="heading",
                               required=key in required, help=sub.get("description")))
            items.extend(_group(sub))
        else:
            items.append(blank(sub, key, key in required))
    return items


def blank(schema: dict, key: str, required: bool, number: str = "") -> Blank:
    """The blank of one field that is not a group."""
    item = Blank(label=schema.get("title", key), required=required,
                 help=schema.get("description"), number=number)
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    if _type(schema) == "array" and _type(items) == "object":
        item.kind = "table"
        item.columns = _columns(items)
        rows = max(schema.get("minItems", 0), TABLE_ROWS)
        item.rows = min(rows, schema["maxItems"]) if "maxItems" in schema else rows
        return item
    prefix = _prefix(item)
    if _type(schema) == "boolean" and schema.get("const") is True:
        item.kind = "tick"  # a statement to agree to: one box
        return item
    options = _options(schema) or (_options(items) if _type(schema) == "array" else None)
    if options is None and _type(schema) == "boolean":
        options = list(YES_NO)
    if options:
        item.kind = "choices"
        item.options = [f"{BOX} {option}" for option in options]
        needed = sum(_width(o) for o in item.options) + _width(OPTION_GAP) * len(options)
        item.inline = needed <= _room_after(prefix) - SLACK
        return item
    if schema.get("format") == "date":
        item.lines = [DATE_BLANK]
        return item
    item.lines = _dotted(prefix, _line_count(schema))
    return item


def _columns(items: dict) -> list[Column]:
    required = set(items.get("required", []))
    found: list[tuple[str, dict, bool]] = []
    for key in _ordered(items.get("properties", {}), None):
        sub = items["properties"][key]
        if _type(sub) == "object":  # flatten a nested group into its fields
            inner = set(sub.get("required", []))
            for k in _ordered(sub.get("properties", {}), None):
                found.append((sub["properties"][k].get("title", k), sub["properties"][k],
                              key in required and k in inner))
        else:
            found.append((sub.get("title", key), sub, key in required))
    weights = [_column_weight(sub) for _, sub, _ in found]
    share = 100 - NUMBER_COLUMN
    widths = [round(share * w / sum(weights)) for w in weights] if weights else []
    return [
        Column(title=title, required=req, width=width,
               tick=_type(sub) == "boolean" and not _options(sub))
        for (title, sub, req), width in zip(found, widths)
    ]


def _column_weight(schema: dict) -> int:
    kind = _type(schema)
    if kind == "boolean":
        return 9
    if kind in ("integer", "number") or _options(schema):
        return 11
    if schema.get("format") == "date":
        return 13
    longest = schema.get("maxLength", 60)
    return 12 if longest <= 50 else 18 if longest <= 150 else 24


def _line_count(schema: dict) -> int:
    longest = schema.get("maxLength")
    if _type(schema) == "array" or (longest or 0) > 1000:
        return 4
    if longest is None or longest <= 200 or schema.get("format") in ("email", "uri"):
        return 1
    return min(4, max(2, math.ceil(longest / 250)))


def _dotted(prefix: str, count: int) -> list[str]:
    room = _room_after(prefix)
    first = _dots(room) if room >= MIN_ROOM else ""
    return [first] + [_dots(LINE_WIDTH)] * (count - (1 if first else 0))


def _dots(room: float) -> str:
    return DOT * int((room - SLACK) / _width(DOT))


def _prefix(item: Blank) -> str:
    """The text printed before the blank: it decides how much room is left."""
    return f"{item.number}{item.label}{'*' if item.required else ''}: "


def _room_after(text: str) -> float:
    """The room left on the last line of ``text`` wrapped at LINE_WIDTH."""
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        line = word if line and _width(candidate) > LINE_WIDTH else candidate
    return LINE_WIDTH - _width(line + " ")


def _width(text: str) -> float:
    return _metrics(os.path.join(font_dir(), "DejaVuSans.ttf")).stringWidth(text, FONT_SIZE)


@lru_cache(maxsize=2)
def _metrics(path: str) -> TTFont:
    # not registered with reportlab: only its widths are read
    return TTFont("BlankFormMetrics", path)


def _balanced(name: str, longest: int = 24) -> list[str]:
    """A long agency name on two lines of about the same length, as the
    headers of administrative documents print it ("ỦY BAN NHÂN DÂN" over
    "THÀNH PHỐ HÀ NỘI") rather than a full line and one word."""
    words = name.split()
    if len(name) <= longest or len(words) < 2:
        return [name]
    cut = min(range(1, len(words)),
              key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _options(schema: dict) -> list[str] | None:
    entries = schema.get("oneOf") or schema.get("anyOf") or []
    titled = [str(e.get("title", e["const"])) for e in entries
              if isinstance(e, dict) and "const" in e]
    if titled:
        return titled
    if isinstance(schema.get("enum"), list):
        return [str(v) for v in schema["enum"] if v is not None]
    return None


def _type(schema: dict) -> str | None:
    kind: Any = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _is_recipient(schema: dict) -> bool:
    """A field titled "Kính gửi" names the recipient itself (CT01): it takes
    the place of the agency on the "Kính gửi" line."""
    return (_type(schema) == "string" and not _options(schema)
            and str(schema.get("title", "")).strip().lower() == RECIPIENT_TITLE)


def _ordered(properties: dict, order: list[str] | None) -> list[str]:
    keys = list(properties)
    ranked = [k for k in order or [] if k in properties]
    return ranked + [k for k in keys if k not in ranked]


def _any_required(items: list[Blank]) -> bool:
    return any(i.required or any(c.required for c in i.columns) for i in items)


def _any_boxes(items: list[Blank]) -> bool:
    return any(i.kind in ("choices", "tick", "attachment") or any(c.tick for c in i.columns) for i in items)
