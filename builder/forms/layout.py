"""The layout of a form beyond its schema, read from ``form.ui``: the pages of
a form in steps, and the elements placed between the fields that hold no
data (so they are never in the submitted data nor validated)::

    "ui": {
      "order": ["intro", "child", "birth_certificate_file", "mother"],
      "pages": [{"title": "Người được khai sinh", "fields": ["intro", "child", "birth_certificate_file"]},
                {"title": "Cha, mẹ", "fields": ["mother"]}],
      "elements": {
        "intro": {"kind": "note", "title": "Lưu ý", "text": "Ghi đúng như trong Giấy chứng sinh."},
        "birth_certificate_file": {"kind": "attachment", "component": "birth_certificate"}
      }
    }

A **note** is a paragraph of guidance (an optional title and its text). An
**attachment** is the upload of one of the package's components placed at
that point of the form: the file goes to the same component as the list of
documents at the end, so which files are required is still decided by the
components, in one place. Elements live at the top level of the form; their
keys share the names of the top-level fields. ``page.fields`` and
``ui.order`` name fields and elements alike."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

NOTE = "note"
ATTACHMENT = "attachment"
KINDS = (NOTE, ATTACHMENT)
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_NOTE = 2000  # characters of a note's text


def elements(ui: dict | None) -> dict[str, dict]:
    """The well-formed elements of ``ui`` by key (what :func:`ui_problems`
    accepts; anything else is left out rather than guessed at)."""
    found = (ui or {}).get("elements")
    if not isinstance(found, dict):
        return {}
    return {key: element for key, element in found.items()
            if isinstance(element, dict) and element.get("kind") in KINDS}


def top_order(schema: dict, ui: dict | None) -> list[str]:
    """The fields and elements of the form's top level (or of a group, with
    no ``ui``) in the order the citizen meets them: ``ui.order`` (or the
    schema's ``x-order``) first, then fields it does not name, then elements."""
    keys = [k for k, v in (schema.get("properties") or {}).items() if isinstance(v, dict)]
    keys += [k for k in elements(ui) if k not in keys]
    order = (ui or {}).get("order") or schema.get("x-order")
    ranked = [k for k in order if k in keys] if isinstance(order, list) else []
    ranked = list(dict.fromkeys(ranked))
    return ranked + [k for k in keys if k not in ranked]


def pages(schema: dict, ui: dict | None) -> list[tuple[str, list[str]]]:
    """(title, keys) of each page, keys in :func:`top_order`; a key no page
    names goes on the last page, a key named twice stays on its first page.
    Empty when the form is on one page."""
    listed = (ui or {}).get("pages")
    if not isinstance(listed, list):
        return []
    listed = [p for p in listed if isinstance(p, dict)]
    if not listed:
        return []
    order = top_order(schema, ui)
    page_of: dict[str, int] = {}
    for index, page in enumerate(listed):
        for key in page.get("fields") or []:
            if key in order and key not in page_of:
                page_of[key] = index
    last = len(listed) - 1
    return [(str(page.get("title") or ""), [k for k in order if page_of.get(k, last) == index])
            for index, page in enumerate(listed)]


def attachment_components(ui: dict | None) -> dict[str, str]:
    """Component id -> key of the attachment element that places it."""
    return {element["component"]: key for key, element in elements(ui).items()
            if element["kind"] == ATTACHMENT and isinstance(element.get("component"), str)}


def ui_problems(form: dict, components: list[dict]) -> dict[str, list[str]]:
    """What is wrong with the pages and elements of ``form.ui``, by path
    (``form.ui.elements.intro.text``); empty when nothing is."""
    ui = form.get("ui") or {}
    schema = form.get("schema") or {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    problems: dict[str, list[str]] = {}
    found = ui.get("elements", {})
    if not isinstance(found, dict):
        return {"form.ui.elements": [_("Must be an object of elements by key.")]}
    ids = {c.get("id"): c for c in components if isinstance(c, dict)}
    placed: dict[str, str] = {}
    for key, element in found.items():
        where = f"form.ui.elements.{key}"
        if not KEY.match(key):
            problems.setdefault(where, []).append(
                _("The key must start with a letter and use only a-z, 0-9 and _."))
        elif key in properties:
            problems.setdefault(where, []).append(_("A field of the form already has the key %(key)s.", key=key))
        if not isinstance(element, dict) or element.get("kind") not in KINDS:
            problems.setdefault(f"{where}.kind", []).append(_("Must be note or attachment."))
            continue
        for name in ("title", "help"):
            if name in element and not isinstance(element[name], str):
                problems.setdefault(f"{where}.{name}", []).append(_("Must be text."))
        if element["kind"] == NOTE:
            text = element.get("text")
            if not isinstance(text, str) or not text.strip():
                problems.setdefault(f"{where}.text", []).append(_("The help text is empty."))
            elif len(text) > MAX_NOTE:
                problems.setdefault(f"{where}.text", []).append(
                    _("The help text is longer than %(n)s characters.", n=MAX_NOTE))
            continue
        component = element.get("component")
        if component not in ids:
            problems.setdefault(f"{where}.component", []).append(
                _("The service has no document to attach with the id %(id)s.", id=component))
        elif component in placed:
            problems.setdefault(f"{where}.component", []).append(
                _("The document %(name)s is already placed at %(key)s.",
                  name=ids[component].get("name", component), key=placed[component]))
        else:
            placed[component] = key
    problems.update(_page_problems(ui, set(properties) | set(found)))
    return problems


def _page_problems(ui: dict, keys: set[str]) -> dict[str, list[str]]:
    listed = ui.get("pages")
    if listed is None:
        return {}
    if not isinstance(listed, list):
        return {"form.ui.pages": [_("Must be a list of pages.")]}
    problems: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, page in enumerate(listed):
        where = f"form.ui.pages.{index}"
        if not isinstance(page, dict):
            problems[where] = [_("A page is an object with a title and its fields.")]
            continue
        if not isinstance(page.get("title"), str) or not page["title"].strip():
            problems.setdefault(f"{where}.title", []).append(_("The page needs a title."))
        names: Any = page.get("fields", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.setdefault(f"{where}.fields", []).append(_("Must be a list of keys."))
            continue
        for name in names:
            if name not in keys:
                problems.setdefault(f"{where}.fields", []).append(
                    _("No field or element has the key %(key)s.", key=name))
            elif name in seen:
                problems.setdefault(f"{where}.fields", []).append(
                    _("%(key)s is already on page %(n)s.", key=name, n=seen[name] + 1))
            else:
                seen[name] = index
    return problems
