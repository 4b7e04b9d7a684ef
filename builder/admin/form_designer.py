"""The form designer: a service's form as an ordered list of fields (inside
groups and repeating groups too), each added, edited, deleted and moved by
plain HTML forms (drag and drop is a small script on top), with a preview
rendered by the same compiler the portal uses, a JSON tab for experts, an
import from a spreadsheet, and publication. Every change is checked with
``package_errors`` and saved with ``save_draft``: an invalid form is never
saved, and a published version is never changed (changes make a new draft)."""
from __future__ import annotations

import copy
import json
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from builder.admin.designer import CsrfForm, editable_procedures
from builder.database import write_transaction
from builder.errors import BuilderError
from builder.forms import layout, layout_edits
from builder.forms.compiler import compile_form, data_to_form
from builder.forms.package import package_errors, publish, save_draft
from builder.forms.spreadsheet import (
    CONTAINERS, FIELD_TYPES, KEY, NUMERIC, SpreadsheetError, build_field, condition_value, conditions_of,
    field_options, field_type, forget_key, inner_object, limits, number, options_text, parse_options,
    read_spreadsheet, set_condition,
)
from builder.inputs import whole_number
from builder.models import Procedure

MAX_UPLOAD = 2 * 1024 * 1024
PAGE_OPS = ("add_page", "rename_page", "page_up", "page_down", "delete_page")


def _index(text: str) -> int:
    """A page or position number from the request; ValueError if it is none."""
    number = whole_number(str(text))
    if number is None:
        raise ValueError(text)
    return number


# --- the form as a list of fields ------------------------------------------------

def container(schema: dict, group: str) -> dict:
    """The object schema holding the fields of ``group`` ("" is the form)."""
    obj = schema
    for key in filter(None, group.split(".")):
        field = obj.get("properties", {}).get(key)
        if not isinstance(field, dict) or field_type(field) not in CONTAINERS:
            raise KeyError(group)
        obj = inner_object(field)
    return obj


def ordered_keys(form: dict, group: str) -> list[str]:
    """The keys of a group in order: for the form itself, its fields and
    elements (help texts, attachments) in ``ui.order``; for a group, its
    ``x-order`` annotation (PostgreSQL's JSONB keeps no key order)."""
    if not group:
        return layout_edits.top_keys(form)
    obj = container(form["schema"], group)
    keys = list(obj.get("properties", {}))
    ranked = [k for k in obj.get("x-order") or [] if k in keys]
    return ranked + [k for k in keys if k not in ranked]


def set_order(form: dict, group: str, keys: list[str]) -> None:
    obj = container(form["schema"], group)
    if group:
        obj["properties"] = {k: obj["properties"][k] for k in keys}
        obj["x-order"] = list(keys)
    else:
        form.setdefault("ui", {})["order"] = list(keys)
        layout_edits.tidy(form)


def siblings(form: dict, path: str) -> list[str]:
    """The keys among which a field moves up and down: its group's, or for
    a top-level item of a form in pages, its page's."""
    group, _dot, key = path.rpartition(".")
    page = None if group else layout_edits.page_of(form, key)
    if page is not None:
        return list(layout_edits.page_list(form)[page]["fields"])
    return ordered_keys(form, group)


def _element_row(form: dict, key: str, element: dict, components: dict[str, dict]) -> dict:
    if element["kind"] == layout.NOTE:
        label, title = _("Help text"), element.get("title") or element["text"][:60]
    else:
        component = components.get(element.get("component")) or {}
        label = _("Attachment: %(name)s", name=component.get("name", element.get("component")))
        title = element.get("title") or component.get("name", element.get("component"))
    return {"path": key, "group": "", "key": key, "depth": 0, "kind": element["kind"],
            "type_label": label, "title": title, "help": element.get("text", ""),
            "required": element["kind"] == layout.ATTACHMENT and bool(
                (components.get(element.get("component")) or {}).get("required")),
            "condition": None, "low": None, "high": None, "element": element}


def field_rows(form: dict, group: str = "", depth: int = 0, components: list[dict] | None = None) -> list[dict]:
    """Every field (and, at the top, help text and attachment) in the order
    the citizen sees them, groups followed by their fields; a top-level row
    of a form in pages says its page."""
    obj = container(form["schema"], group)
    required = set(obj.get("required", []))
    conditions = conditions_of(obj)
    keys = ordered_keys(form, group)
    placed = layout.elements(form.get("ui")) if not group else {}
    by_id = {c["id"]: c for c in components or []}
    rows = []
    for key in keys:
        path = f"{group}.{key}" if group else key
        schema = obj.get("properties", {}).get(key)
        if not isinstance(schema, dict):
            if key in placed:
                rows.append(_element_row(form, key, placed[key], by_id))
            continue
        kind = field_type(schema)
        low, high = limits(schema)
        rows.append({
            "path": path, "group": group, "key": key, "depth": depth, "kind": kind,
            "type_label": FIELD_TYPES[kind], "title": schema.get("title", key),
            "help": schema.get("description", ""), "required": key in required,
            "condition": conditions.get(key), "low": low, "high": high,
            "options": options_text(field_options(schema)) if kind in ("choice", "multi") else "",
            "schema": schema,
        })
        if kind in CONTAINERS:
            rows.extend(field_rows(form, path, depth + 1))
    pages = layout_edits.page_list(form) if not group else []
    page_of = {k: i for i, page in enumerate(pages) for k in page.get("fields", [])}
    for row in rows:
        if row["depth"] == depth:
            row["page"] = page_of.get(row["key"])
            around = keys if row["page"] is None else pages[row["page"]]["fields"]
            row["first"], row["last"] = around[:1] == [row["key"]], around[-1:] == [row["key"]]
    return rows


def _rename_in_rules(obj: dict, old: str, new: str) -> None:
    obj["required"] = [new if k == old else k for k in obj.get("required", [])]
    if not obj["required"]:
        obj.pop("required")
    for rule in [obj] + [r for r in obj.get("allOf", []) if isinstance(r, dict)]:
        test, then = rule.get("if"), rule.get("then")
        if isinstance(test, dict):
            props = test.get("properties") or {}
            if old in props:
                test["properties"] = {new if k == old else k: v for k, v in props.items()}
                test["required"] = [new if k == old else k for k in test.get("required", [])]
        if isinstance(then, dict) and old in then.get("required", []):
            then["required"] = [new if k == old else k for k in then["required"]]


def save_field(form: dict, values: dict) -> dict[str, list[str]]:
    """Add or change one field from the editor's values; errors name the field."""
    original = values.get("original", "").strip()
    group = values.get("group", "").strip()
    if original:
        group = original.rpartition(".")[0]
    key = values.get("key", "").strip()
    title = values.get("title", "").strip()
    kind = values.get("type", "text")
    name = title or key or "?"
    where = _("Field %(field)s", field=name)
    problems: list[str] = []
    try:
        obj = container(form["schema"], group)
    except KeyError:
        return {where: [_("There is no group %(group)s.", group=group)]}
    props = obj.setdefault("properties", {})
    old_key = original.rpartition(".")[2] if original else None
    if old_key is not None and old_key not in props:
        return {where: [_("The field %(field)s no longer exists.", field=original)]}
    if not KEY.match(key):
        problems.append(_("The key must start with a letter and use only a-z, 0-9 and _."))
    elif key != old_key and (key in props or (not group and key in layout.elements(form.get("ui")))):
        problems.append(_("Another field in the same group has the key %(key)s.", key=key))
    if not title:
        problems.append(_("The label is empty."))
    if kind not in FIELD_TYPES:
        problems.append(_("Unknown type %(type)s.", type=kind))
        kind = "text"
    bounds = []
    for part, label in (("low", _("minimum")), ("high", _("maximum"))):
        text = (values.get(part) or "").strip()
        try:
            bounds.append(number(text, kind != "number") if text else None)
        except ValueError:
            problems.append(_("The %(which)s must be a number.", which=label))
            bounds.append(None)
    if None not in bounds and bounds[0] > bounds[1]:
        problems.append(_("The minimum is larger than the maximum."))
    options = parse_options(values.get("options", ""))
    if kind in ("choice", "multi") and not options:
        problems.append(_("A choice needs its options, one per line: value | label."))
    on = (values.get("cond_on") or "").strip()
    typed = None
    if on:
        if on == key or on == old_key or on not in props:
            problems.append(_("The condition must name another field of the same group."))
        else:
            try:
                typed = condition_value(props[on], values.get("cond_value", ""))
            except ValueError:
                problems.append(_("%(value)s is not a value of the field %(field)s.",
                                  value=values.get("cond_value", ""), field=props[on].get("title", on)))
    if problems:
        return {where: problems}

    previous = props.get(old_key) if old_key else None
    field = build_field(kind, title, (values.get("help") or "").strip(), options, *bounds, previous=previous)
    if old_key is None:
        props[key] = field
        set_order(form, group, ordered_keys(form, group))  # the new key goes last
        page = (values.get("page") or "").strip()
        page_index = whole_number(page)
        if not group and page_index is not None and page_index < len(layout_edits.page_list(form)):
            layout_edits.move_item(form, key, len(props), page_index)
    else:
        order = ordered_keys(form, group)
        props[old_key] = field
        if key != old_key:
            _rename_in_rules(obj, old_key, key)
            ui = form.get("ui") or {}
            for part in ("fields", "widgets"):
                if isinstance(ui.get(part), dict) and old_key in ui[part] and not group:
                    ui[part][key] = ui[part].pop(old_key)
            obj["properties"] = {(key if k == old_key else k): v for k, v in props.items()}
            order = [key if k == old_key else k for k in order]
            if not group:
                layout_edits.rename_key(form, old_key, key)
        set_order(form, group, order)
    required = [k for k in obj.get("required", []) if k != key]
    if values.get("required") and not on:
        required.append(key)
    obj["required"] = required
    if not required:
        obj.pop("required")
    set_condition(obj, key, on or None, typed)
    return {}


def delete_field(form: dict, path: str) -> None:
    group, _dot, key = path.rpartition(".")
    if not group and key in layout.elements(form.get("ui")):
        layout_edits.delete_element(form, key)
        return
    obj = container(form["schema"], group)
    if key not in obj.get("properties", {}):
        raise KeyError(path)
    order = [k for k in ordered_keys(form, group) if k != key]
    del obj["properties"][key]
    forget_key(obj, key)
    set_order(form, group, order)
    ui = form.get("ui") or {}
    if not group:
        for part in ("fields", "widgets"):
            if isinstance(ui.get(part), dict):
                ui[part].pop(key, None)
        layout_edits.tidy(form)  # off its page too


def move_field(form: dict, path: str, position: int, page: int | None = None) -> None:
    """Put the field at ``position`` (0-based) among the fields of its group
    or, at the top of a form in pages, among the items of its page (of
    ``page``, when given: a move to another page)."""
    group, _dot, key = path.rpartition(".")
    if not group:
        layout_edits.move_item(form, key, position, page)
        return
    order = ordered_keys(form, group)
    if key not in order:
        raise KeyError(path)
    order.remove(key)
    position = max(0, min(position, len(order)))
    order.insert(position, key)
    set_order(form, group, order)


# --- errors a designer can read ------------------------------------------------------

def describe(package: dict, where: str) -> str:
    """A package path with the labels of the fields it passes through."""
    parts = where.split(".")
    if parts[:2] != ["form", "schema"]:
        return where
    schema, titles = package["form"]["schema"], []
    for i, part in enumerate(parts[2:], start=2):
        if not isinstance(schema, dict):
            break
        if parts[i - 1] == "properties" and isinstance(schema.get(part), dict):
            titles.append(str(schema[part].get("title", part)))
        schema = schema.get(part) if isinstance(schema, dict) else None
    return f"{where} ({' › '.join(titles)})" if titles else where


def check(package: dict, drop_example: bool) -> tuple[dict[str, list[str]], bool]:
    """package_errors, dropping an example the change made stale if asked."""
    errors = package_errors(package)
    dropped = False
    if errors and drop_example and all(k.startswith("form.schema.examples") for k in errors):
        package["form"]["schema"].pop("examples", None)
        errors, dropped = package_errors(package), True
    return {describe(package, k): v for k, v in errors.items()}, dropped


class FormDesignerView(BaseView):
    route_base = "/thiet-ke"
    default_view = "forms"

    def _editable(self):
        return editable_procedures(g.user)

    @expose("/bieu-mau/")
    @has_access
    def forms(self):
        return self.render_template("designer/form_procedures.html", procedures=self._editable())

    @expose("/<code>/bieu-mau", methods=["GET", "POST"])
    @has_access
    def form_design(self, code: str):
        procedure = next((p for p in self._editable() if p.code == code), None)
        if procedure is None:
            abort(404)
        package = copy.deepcopy(procedure.draft or procedure.current_version.package)
        package["form"].setdefault("ui", {})
        csrf, errors = CsrfForm(), {}
        json_text = None
        here = url_for("FormDesignerView.form_design", code=code)
        editing = request.args.get("sua", "")
        if request.method == "POST":
            if not csrf.validate_on_submit():
                flash(_("The form has expired; please try again."), "danger")
                return redirect(here)
            op = request.form.get("op", "")
            if op == "publish":
                return self._publish(procedure, here)
            form = package["form"]
            try:
                if op == "save_field":
                    errors = save_field(form, request.form)
                    editing = request.form.get("original", "")
                elif op == "delete":
                    delete_field(form, request.form["path"])
                elif op in ("up", "down"):
                    path = request.form["path"]
                    index = siblings(form, path).index(path.rpartition(".")[2])
                    move_field(form, path, index - 1 if op == "up" else index + 1)
                elif op == "move":
                    page = request.form.get("page") or None
                    move_field(form, request.form["path"], _index(request.form["position"]),
                               None if page is None else _index(page))
                elif op == "to_page":  # the last item of another page
                    move_field(form, request.form["path"], len(ordered_keys(form, "")),
                               _index(request.form["page"]))
                elif op == "save_element":
                    errors = layout_edits.save_element(form, request.form, package["components"])
                    editing = request.form.get("original", "")
                elif op in PAGE_OPS:
                    errors = self._page_op(form, op)
                elif op == "json":
                    json_text = (request.form.get("schema", ""), request.form.get("ui", ""))
                    errors = self._from_json(package, *json_text)
                elif op == "import":
                    errors = self._from_spreadsheet(package)
                else:
                    abort(400)
            except (KeyError, ValueError, IndexError):
                if op in PAGE_OPS:
                    errors = {_("Page"): [_("The page %(n)s no longer exists.", n=request.form.get("page", ""))]}
                else:
                    errors = {_("Form field"): [_("The field %(field)s no longer exists.",
                                                  field=request.form.get("path", ""))]}
            if not errors:
                errors, dropped = check(package, drop_example=op != "json")
                if not errors:
                    with write_transaction() as session:
                        save_draft(session, package)
                    if dropped:
                        flash(_("The example of a filled form no longer fitted the form and was removed."), "warning")
                    flash(_("The draft of the form is saved; publish it to use it."), "success")
                    return redirect(here + ("#fields" if op != "json" else "#json"))
        return self._render(procedure, package, csrf, errors, editing, json_text)

    @staticmethod
    def _page_op(form: dict, op: str) -> dict[str, list[str]]:
        title = request.form.get("title", "")
        if op == "add_page":
            return layout_edits.add_page(form, title)
        index = _index(request.form["page"])
        if op == "rename_page":
            return layout_edits.rename_page(form, index, title)
        if op == "delete_page":
            layout_edits.delete_page(form, index)
        elif op == "page_up" and index > 0:
            layout_edits.move_page(form, index, index - 1)
        elif op == "page_down":
            layout_edits.move_page(form, index, index + 1)
        return {}

    def _from_json(self, package: dict, schema_text: str, ui_text: str) -> dict[str, list[str]]:
        errors = {}
        parsed = []
        for name, text in (("form.schema", schema_text), ("form.ui", ui_text or "{}")):
            try:
                parsed.append(json.loads(text))
            except json.JSONDecodeError as exc:
                errors[name] = [_("Is not valid JSON (line %(line)s, column %(column)s): %(why)s",
                                  line=exc.lineno, column=exc.colno, why=exc.msg)]
        if not errors:
            package["form"]["schema"], package["form"]["ui"] = parsed
        return errors

    def _from_spreadsheet(self, package: dict) -> dict[str, list[str]]:
        upload = request.files.get("file")
        where = _("Spreadsheet")
        if upload is None or not upload.filename:
            return {where: [_("Choose a CSV or XLSX file.")]}
        data = upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return {where: [_("The file is too large (at most 2 MB).")]}
        try:
            package["form"] = read_spreadsheet(data, upload.filename)
        except SpreadsheetError as error:
            return {where: error.errors}
        return {}

    def _publish(self, procedure: Procedure, here: str):
        try:
            with write_transaction() as session:
                if procedure.draft is None:
                    save_draft(session, copy.deepcopy(procedure.current_version.package))
                version = publish(session, procedure, published_by=g.user.username)
                number_ = version.number
        except BuilderError as error:
            flash(str(error.message), "danger")
            return redirect(here)
        flash(_("Published as version %(n)s.", n=number_), "success")
        return redirect(here)

    def _render(self, procedure, package, csrf, errors, editing, json_text):
        form = package["form"]
        components = package.get("components", [])
        try:
            rows = field_rows(form, components=components)
        except (KeyError, TypeError, AttributeError):
            rows = []
        groups = [r for r in rows if r["kind"] in CONTAINERS]
        current = next((r for r in rows if r["path"] == editing and "element" not in r), None)
        element = next((r for r in rows if r["path"] == editing and "element" in r), None)
        if errors and request.form.get("op") == "save_element":
            element = {"path": request.form.get("original", ""), "kind": request.form.get("kind"),
                       "element": {k: request.form.get(k, "") for k in ("title", "text", "component")}}
        if errors and request.form.get("op") == "save_field":
            current = dict(request.form)  # show what was typed
            current["kind"] = current.get("type")
            current["title"] = current.get("title", "")
            current["required"] = bool(request.form.get("required"))
            current["low"], current["high"] = current.get("low"), current.get("high")
            current["condition"] = (current.get("cond_on"), current.get("cond_value")) if current.get("cond_on") else None
            current["path"] = current.get("original", "")
        siblings = {}
        for group in [""] + [g_["path"] for g_ in groups]:
            siblings[group] = [(r["key"], r["title"]) for r in rows if r["group"] == group and "element" not in r]
        preview, preview_error = None, None
        if not errors:
            try:
                form_class = compile_form(form["schema"], form.get("ui"), components=components)
                example = (form["schema"].get("examples") or [None])[0]
                preview = data_to_form(form_class, example if isinstance(example, dict) else {})
            except Exception as exc:  # noqa: BLE001 - the preview must not break the page
                preview_error = str(exc)
        published = procedure.current_version
        unpublished = published is None or (procedure.draft is not None and procedure.draft != published.package)
        if json_text is None:
            json_text = (json.dumps(form["schema"], ensure_ascii=False, indent=2),
                         json.dumps(form.get("ui") or {}, ensure_ascii=False, indent=2))
        return self.render_template(
            "designer/form.html", procedure=procedure, rows=rows, groups=groups, current=current,
            siblings=siblings, errors=errors, form=csrf, preview=preview, preview_error=preview_error,
            types=FIELD_TYPES, numeric=NUMERIC, published=published, unpublished=unpublished,
            schema_text=json_text[0], ui_text=json_text[1], value_text=_value_text,
            pages=[(i, str(p.get("title", ""))) for i, p in enumerate(layout_edits.page_list(form))],
            sections=_sections(rows, layout_edits.page_list(form)),
            element=element, components=components,
            placed=layout.attachment_components(form.get("ui")),
        )


def _sections(rows: list[dict], pages: list[dict]) -> list[tuple[int | None, str | None, list[dict]]]:
    """The rows under their pages (index, title, rows); one section with no
    page for a form on one page. A top-level item no page names is on the
    last page, as the citizen sees it."""
    if not pages:
        return [(None, None, rows)]
    by_page: dict[int, list[dict]] = {i: [] for i in range(len(pages))}
    page = len(pages) - 1
    for row in rows:
        if row["depth"] == 0:
            page = row["page"] if row.get("page") is not None else len(pages) - 1
        by_page[page].append(row)
    return [(i, str(p.get("title", "")), by_page[i]) for i, p in enumerate(pages)]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
