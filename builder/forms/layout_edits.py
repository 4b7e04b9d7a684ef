"""Changes the form designer makes to a form's layout (layout.py): pages
added, renamed, moved and deleted, fields moved between pages, and help
texts and attachments added, edited and deleted.

Each function changes ``form`` (a package's ``form``: ``schema`` and ``ui``)
in place and leaves it in order: ``ui.order`` lists every top-level field
and element once and, when the form has pages, page after page, every key on
exactly one page (see :func:`tidy`). Those that can refuse a change return
its errors, keyed by what the designer sees, and change nothing then."""
from __future__ import annotations

from flask_babel import gettext as _

from builder.forms import layout


def top_keys(form: dict) -> list[str]:
    return layout.top_order(form.get("schema") or {}, form.get("ui"))


def page_list(form: dict) -> list[dict]:
    """The pages of ``ui.pages`` (empty for a form on one page)."""
    listed = (form.get("ui") or {}).get("pages")
    return [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []


def page_of(form: dict, key: str) -> int | None:
    for index, page in enumerate(page_list(form)):
        if key in page.get("fields", []):
            return index
    return None


def tidy(form: dict) -> None:
    """Every top-level key once in ``ui.order`` and, with pages, on exactly
    one page (a key no page names goes on the last), ``ui.order`` page by
    page; keys of nothing are dropped. The schema's properties follow."""
    ui = form.setdefault("ui", {})
    order = top_keys(form)
    pages = page_list(form)
    if pages:
        known, seen = set(order), set()
        for page in pages:
            fields = page.get("fields") if isinstance(page.get("fields"), list) else []
            page["fields"] = []
            for key in fields:
                if key in known and key not in seen:
                    page["fields"].append(key)
                    seen.add(key)
        pages[-1]["fields"] += [k for k in order if k not in seen]
        order = [k for page in pages for k in page["fields"]]
        ui["pages"] = pages
    else:
        ui.pop("pages", None)
    ui["order"] = order
    schema = form.get("schema") or {}
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["properties"] = {k: properties[k] for k in order if k in properties} | properties


# --- pages ------------------------------------------------------------------------

def _title_problem(title: str) -> dict[str, list[str]]:
    return {_("Page"): [_("The page needs a title.")]} if not title.strip() else {}


def add_page(form: dict, title: str) -> dict[str, list[str]]:
    """A new last page; the first page added holds the whole form so far."""
    problems = _title_problem(title)
    if problems:
        return problems
    ui = form.setdefault("ui", {})
    pages = page_list(form)
    ui["pages"] = pages + [{"title": title.strip(), "fields": [] if pages else top_keys(form)}]
    tidy(form)
    return {}


def rename_page(form: dict, index: int, title: str) -> dict[str, list[str]]:
    problems = _title_problem(title)
    if problems:
        return problems
    page_list(form)[index]["title"] = title.strip()  # IndexError: no such page
    tidy(form)
    return {}


def move_page(form: dict, index: int, to: int) -> None:
    pages = page_list(form)
    page = pages.pop(index)
    pages.insert(max(0, min(to, len(pages))), page)
    form["ui"]["pages"] = pages
    tidy(form)


def delete_page(form: dict, index: int) -> None:
    """Its fields join the page before it (the next one, for the first
    page); deleting the only page makes the form a single page again."""
    pages = page_list(form)
    page = pages.pop(index)
    if pages:
        target = pages[index - 1] if index > 0 else pages[0]
        if index > 0:
            target["fields"] = target.get("fields", []) + page.get("fields", [])
        else:
            target["fields"] = page.get("fields", []) + target.get("fields", [])
    form["ui"]["pages"] = pages
    tidy(form)


def move_item(form: dict, key: str, position: int, page: int | None = None) -> None:
    """Put the top-level field or element ``key`` at ``position`` (0-based)
    among the items of its page (of page ``page``, when given), or of the
    form when it has no pages. KeyError if there is no such item."""
    if key not in top_keys(form):
        raise KeyError(key)
    pages = page_list(form)
    if pages:
        target = page_of(form, key) if page is None else page
        if target is None or not 0 <= target < len(pages):
            raise KeyError(key)
        for each in pages:
            each["fields"] = [k for k in each.get("fields", []) if k != key]
        items = pages[target]["fields"]
    else:
        items = [k for k in top_keys(form) if k != key]
    items.insert(max(0, min(position, len(items))), key)
    if not pages:
        form.setdefault("ui", {})["order"] = items
    tidy(form)


# --- help texts and attachments ---------------------------------------------------

def _new_key(form: dict, stem: str) -> str:
    taken = set(top_keys(form)) | set((form.get("schema") or {}).get("properties") or {})
    key, n = stem, 1
    while key in taken:
        n += 1
        key = f"{stem}_{n}"
    return key


def save_element(form: dict, values, components: list[dict]) -> dict[str, list[str]]:
    """Add a help text or an attachment (``values["original"]`` empty), or
    change the one named there. ``values``: ``kind`` (note or attachment),
    ``title``, ``text`` (a note's), ``component`` (an attachment's), and for
    a new one the ``page`` (index) it goes on, the last by default."""
    ui = form.setdefault("ui", {})
    found = ui.setdefault("elements", {})
    original = (values.get("original") or "").strip()
    if original and original not in found:
        return {_("Form field"): [_("The field %(field)s no longer exists.", field=original)]}
    kind = found[original]["kind"] if original else values.get("kind")
    title = (values.get("title") or "").strip()
    if kind == layout.NOTE:
        text = (values.get("text") or "").strip()
        where = _("Help text")
        if not text:
            return {where: [_("The help text is empty.")]}
        if len(text) > layout.MAX_NOTE:
            return {where: [_("The help text is longer than %(n)s characters.", n=layout.MAX_NOTE)]}
        element = {"kind": layout.NOTE, "text": text}
        stem = "note"
    elif kind == layout.ATTACHMENT:
        where = _("Attachment")
        component = (values.get("component") or "").strip()
        names = {c["id"]: c["name"] for c in components}
        if component not in names:
            return {where: [_("Choose one of the documents to attach.")]}
        placed = layout.attachment_components(ui).get(component)
        if placed is not None and placed != original:
            return {where: [_("The document %(name)s is already placed at %(key)s.",
                              name=names[component], key=placed)]}
        element = {"kind": layout.ATTACHMENT, "component": component}
        stem = f"file_{component}"
    else:
        return {_("Form field"): [_("Unknown type %(type)s.", type=kind)]}
    if title:
        element["title"] = title
    if original:
        found[original] = element
        tidy(form)
        return {}
    key = _new_key(form, stem)[:64]
    found[key] = element
    ui["order"] = top_keys(form)  # the new element last
    pages = page_list(form)
    if pages:
        try:
            target = int(values.get("page") or len(pages) - 1)
        except ValueError:
            target = len(pages) - 1
        pages[max(0, min(target, len(pages) - 1))]["fields"].append(key)
    tidy(form)
    return {}


def delete_element(form: dict, key: str) -> None:
    found = (form.get("ui") or {}).get("elements") or {}
    if key not in found:
        raise KeyError(key)
    del found[key]
    if not found:
        form["ui"].pop("elements")
    tidy(form)


def rename_key(form: dict, old: str, new: str) -> None:
    """A top-level field's key changed: its place in the order and on its page stays."""
    ui = form.get("ui") or {}
    if isinstance(ui.get("order"), list):
        ui["order"] = [new if k == old else k for k in ui["order"]]
    for page in page_list(form):
        page["fields"] = [new if k == old else k for k in page.get("fields", [])]
