"""The form compiler: JSON Schema + UI description -> WTForms, form data <->
JSON, and the schema validator's errors put back on the fields."""
from __future__ import annotations

import copy
import json

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict
from wtforms.fields import (
    DateField, DecimalField, FieldList, FormField, IntegerField, RadioField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)

from builder.forms.compiler import (
    apply_errors, compile_form, data_to_form, error_summary, form_to_data,
)
from builder.forms.validation import validate_data
from builder.i18n import compile_catalogs
from tests.conftest import BIRTH, LIBRARY

PACKAGES = sorted(LIBRARY.glob("*.json"))


@pytest.fixture(scope="module")
def vi_app(tmp_path_factory):
    """A bare Flask app speaking Vietnamese: the compiler needs no database."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="compiler-tests", WTF_CSRF_ENABLED=False)
    folder = compile_catalogs(str(tmp_path_factory.mktemp("translations")))
    Babel(app, default_locale="vi", default_translation_directories=folder)
    with app.test_request_context():
        yield app


def _package(path):
    return json.loads(path.read_text("utf-8"))


def _posted(form_class, pairs: dict):
    return form_class(formdata=MultiDict(pairs))


def _errors_of(form) -> dict[str, list[str]]:
    return {anchor: messages for anchor, _label, messages in error_summary(form)}


PERSON = {
    "type": "object",
    "required": ["person"],
    "properties": {
        "person": {
            "type": "object", "title": "Người khai", "required": ["name", "age"],
            "properties": {"name": {"type": "string", "title": "Họ tên", "minLength": 2},
                           "age": {"type": "integer", "title": "Tuổi", "minimum": 0}},
        },
        "note": {"type": "string", "title": "Ghi chú", "maxLength": 1000},
    },
}
ROWS = {
    "type": "object",
    "required": ["history"],
    "properties": {
        "history": {
            "type": "array", "title": "Quá trình", "minItems": 1,
            "items": {"type": "object", "required": ["from", "place"],
                      "properties": {"from": {"type": "string", "pattern": "^[0-9]{2}/[0-9]{4}$"},
                                     "place": {"type": "string", "minLength": 5}}},
        },
    },
}


@pytest.mark.parametrize("schema, posted, expected", [
    # a required field inside a nested object
    (PERSON, {"person-age": "30"}, {"person-name": ["Trường này là bắt buộc."]}),
    # a wrong type: what was typed goes to the schema, which says why
    (PERSON, {"person-name": "An", "person-age": "ba mươi"}, {"person-age": ["Phải là số nguyên."]}),
    (PERSON, {"person-name": "A", "person-age": "-1"},
     {"person-name": ["Phải có ít nhất 2 ký tự."], "person-age": ["Phải lớn hơn hoặc bằng 0."]}),
    # nothing at all: the nested form's fields each say they are required
    (PERSON, {}, {"person-name": ["Trường này là bắt buộc."], "person-age": ["Trường này là bắt buộc."]}),
    # an error in the second row of a repeating group
    (ROWS, {"history-0-from": "01/2010", "history-0-place": "Hà Nội cũ",
            "history-1-from": "2012", "history-1-place": "Huế xưa"},
     {"history-1-from": ["Không đúng định dạng."]}),
    # a required field missing in the first (and only) row
    (ROWS, {"history-0-from": "01/2010"}, {"history-0-place": ["Trường này là bắt buộc."]}),
    (ROWS, {"history-0-from": "01/2010", "history-0-place": "Hà Nội cũ"}, {}),
])
def test_schema_errors_land_on_the_fields(vi_app, schema, posted, expected):
    form = _posted(compile_form(schema, None), posted)
    unplaced = apply_errors(form, validate_data(schema, form_to_data(form)))
    assert unplaced == {}
    assert _errors_of(form) == expected


def test_the_father_is_required_once_known(vi_app):
    package = _package(BIRTH)
    schema, ui = package["form"]["schema"], package["form"]["ui"]
    example = copy.deepcopy(schema["examples"][0])
    form_class = compile_form(schema, ui)
    del example["father"]
    form = data_to_form(form_class, example)
    apply_errors(form, validate_data(schema, form_to_data(form)))
    assert form.father.form.form_errors == ["Trường này là bắt buộc."]
    assert ("father", "Thông tin người cha", ["Trường này là bắt buộc."]) in error_summary(form)
    # the template can say why: "required if the father is known"
    info = form_class._info["father"]
    assert info.conditions == [("Đã xác định được người cha", "Có")]
    example["father_known"] = False
    form = data_to_form(form_class, example)
    assert validate_data(schema, form_to_data(form)) == {}
    # a half-filled father: the missing fields are named one by one
    example.update(father_known=True, father={"full_name": "Nguyễn Văn Hùng"})
    form = data_to_form(form_class, example)
    apply_errors(form, validate_data(schema, form_to_data(form)))
    assert form.father.form.residence.errors == ["Trường này là bắt buộc."]
    assert not form.father.form.full_name.errors


def _render_fields(app, form) -> str:
    from pathlib import Path

    from jinja2 import FileSystemLoader

    import builder.portal
    folder = Path(builder.portal.__file__).parent / "templates"
    env = app.jinja_env.overlay(loader=FileSystemLoader(str(folder)))
    return str(env.get_template("portal/_fields.html").module.render_fields(form))


def test_the_father_group_shows_if_the_father_is_known(vi_app):
    package = _package(BIRTH)
    form_class = compile_form(package["form"]["schema"], package["form"]["ui"])
    # the same rule the server enforces, in the terms the browser posts
    assert form_class._info["father"].show_if == [("father_known", "true")]
    assert form_class._info["father_known"].show_if == []
    assert form_class._info["mother"].show_if == []
    html = _render_fields(vi_app, data_to_form(form_class, {}))
    father = html[html.index('<fieldset id="father"'):].split(">", 1)[0]
    assert 'data-show-if-field="father_known"' in father
    assert 'data-show-if-value="true"' in father
    assert 'id="father-cond"' in html  # without JavaScript: the note says why
    assert html.count("data-show-if-field") == 1
    # a group with an error always shows
    example = copy.deepcopy(package["form"]["schema"]["examples"][0])
    del example["father"]
    form = data_to_form(form_class, example)
    apply_errors(form, validate_data(package["form"]["schema"], form_to_data(form)))
    assert "data-show-if" not in _render_fields(vi_app, form)


def test_a_filled_in_condition_and_several_conditions_are_machine_readable(vi_app):
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string", "oneOf": [{"const": "a"}, {"const": "b"}]},
                       "phone": {"type": "string"}, "note": {"type": "string"}},
        "dependentRequired": {"phone": ["note"]},
        "allOf": [{"if": {"properties": {"kind": {"const": "b"}}}, "then": {"required": ["note"]}}],
    }
    form_class = compile_form(schema)
    assert form_class._info["note"].show_if == [("kind", "b"), ("phone", None)]
    html = _render_fields(vi_app, data_to_form(form_class, {}))
    assert """data-show-if='[["kind", "b"], ["phone", null]]'""" in html


def test_an_error_on_no_field_goes_to_the_top(vi_app):
    form = _posted(compile_form(PERSON, None), {})
    unplaced = apply_errors(form, {"": ["Không hợp lệ."], "stranger": ["Có trường không thuộc tờ khai."]})
    assert unplaced == {"": ["Không hợp lệ."], "stranger": ["Có trường không thuộc tờ khai."]}


def test_widgets_follow_the_schema_and_the_ui(vi_app):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Tên", "description": "Viết hoa chữ cái đầu"},
            "story": {"type": "string", "maxLength": 2000},
            "short": {"type": "string"},
            "count": {"type": "integer"},
            "area": {"type": "number"},
            "agree": {"type": "boolean"},
            "day": {"type": "string", "format": "date"},
            "sex": {"type": "string", "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}]},
            "city": {"type": "string", "enum": ["A", "B", "C", "D", "E"]},
            "city2": {"type": "string", "enum": ["A", "B", "C", "D", "E"]},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}},
            "where": {"type": "object", "properties": {"street": {"type": "string"}}},
            "rows": {"type": "array", "minItems": 2, "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
        },
    }
    ui = {"order": ["sex", "name"], "fields": {"short": {"widget": "textarea"}, "city2": {"widget": "radio"}}}
    form = compile_form(schema, ui)()
    kinds = {f.short_name: type(f) for f in form}
    assert kinds == {
        "name": StringField, "story": TextAreaField, "short": TextAreaField, "count": IntegerField,
        "area": DecimalField, "agree": RadioField, "day": DateField, "sex": RadioField,
        "city": SelectField, "city2": RadioField, "tags": SelectMultipleField, "where": FormField,
        "rows": FieldList,
    }
    assert [f.short_name for f in form][:2] == ["sex", "name"]
    assert form.name.label.text == "Tên" and form.name.description == "Viết hoa chữ cái đầu"
    assert len(form.rows.entries) == 2  # min_entries = max(minItems, 1)
    assert 'type="checkbox"' in form.tags()


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.stem)
def test_every_library_example_survives_a_round_trip(vi_app, path):
    package = _package(path)
    schema, ui = package["form"]["schema"], package["form"]["ui"]
    example = schema["examples"][0]
    form_class = compile_form(schema, ui)
    assert form_to_data(data_to_form(form_class, example)) == example
    # and through the browser's form encoding
    form = data_to_form(form_class, example)
    posted = MultiDict()
    for field in _leaves(form):
        if field.type == "SelectMultipleField":
            for value in field.data or []:
                posted.add(field.name, value)
        elif field.type in ("RadioField", "SelectField"):
            if field.data not in (None, ""):
                posted.add(field.name, field.data)
        else:
            posted.add(field.name, field._value())
    assert form_to_data(form_class(formdata=posted)) == example


def _leaves(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _leaves(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_leaves(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def test_a_draft_prefills_the_form(vi_app):
    package = _package(LIBRARY / "criminal_record_certificate.json")
    schema = package["form"]["schema"]
    form = data_to_form(compile_form(schema, package["form"]["ui"]), schema["examples"][0])
    assert len(form.residence_history.entries) == 3
    assert form.residence_history.entries[2].form.to.data == "nay"
    assert 'value="1998-12-05"' in form.person.form.birth_date()
    assert form.card_type.data == "so_1" and form.ban_confirmation.data == "false"


def test_compiled_classes_are_cached_by_version(vi_app):
    first = compile_form(PERSON, None, cache_key="version:1:2026-01-01T00:00:00")
    assert compile_form({"type": "object"}, None, cache_key="version:1:2026-01-01T00:00:00") is first
    assert compile_form(PERSON, None) is not first


def test_a_form_of_300_fields_compiles(vi_app):
    groups = {
        f"group_{g}": {"type": "object", "title": f"Nhóm {g}", "required": ["f_0"],
                       "properties": {f"f_{i}": {"type": ["string", "integer", "boolean"][i % 3]}
                                      for i in range(30)}}
        for g in range(10)
    }
    schema = {"type": "object", "properties": groups}
    form = compile_form(schema, None)()
    assert sum(1 for _ in _leaves(form)) == 300
    assert validate_data(schema, form_to_data(form)) == {}


def test_pages_name_their_fields_and_an_unnamed_field_goes_on_the_last(vi_app):
    birth = json.loads(BIRTH.read_text("utf-8"))
    ui = {"pages": [{"title": "Trẻ", "fields": ["child", "requester"]},
                    {"title": "Cha mẹ", "fields": ["mother", "father", "nobody"]}]}
    form_class = compile_form(birth["form"]["schema"], ui)
    # each page in the form's order (the order of the schema here: the ui has none)
    assert form_class._pages == [("Trẻ", ["requester", "child"]),
                                 ("Cha mẹ", ["mother", "father_known", "father", "copies"])]
    assert compile_form(birth["form"]["schema"], {})._pages == []
    # a page left empty is not a step
    ui["pages"].insert(1, {"title": "Trống", "fields": []})
    assert [title for title, _names in compile_form(birth["form"]["schema"], ui)._pages] == ["Trẻ", "Cha mẹ"]


def test_an_address_field_is_marked_for_its_widget(vi_app):
    from builder.forms.addresses import address_schema

    schema = {"type": "object", "properties": {"home": address_schema("Nơi cư trú")}}
    form_class = compile_form(schema)
    assert form_class._info["home"].widget == "address" and form_class._info["home"].kind == "group"
    with vi_app.test_request_context(method="POST", data={
            "home-province": "01", "home-commune": "00070", "home-street": "Số 1"}):
        form = form_class(meta={"csrf": False})
        assert form_to_data(form) == {"home": {"province": "01", "commune": "00070", "street": "Số 1"}}


ELEMENTS = {
    "order": ["guide", "person", "proof", "note"],
    "pages": [{"title": "Người khai", "fields": ["guide", "person"]},
              {"title": "Giấy tờ", "fields": ["proof", "note"]}],
    "elements": {
        "guide": {"kind": "note", "title": "Lưu ý", "text": "Ghi như trên căn cước.\n\nKhông viết tắt."},
        "proof": {"kind": "attachment", "component": "id_card", "title": "Ảnh căn cước"},
    },
}
COMPONENTS = [{"id": "id_card", "name": "Căn cước", "kind": "copy", "quantity": 1, "required": True,
               "note": "Hai mặt, trên một trang."}]


def test_help_texts_and_attachments_compile_in_place_and_hold_no_data(vi_app):
    form_class = compile_form(PERSON, ELEMENTS, components=COMPONENTS)
    form = _posted(form_class, {"person-name": "An", "person-age": "30", "note": "x",
                                "guide": "typed into nothing", "proof": "nor this"})
    assert [(info.key, type(info).__name__) for _field, info in form.items_in_order()] == [
        ("guide", "ElementInfo"), ("person", "FieldInfo"), ("proof", "ElementInfo"), ("note", "FieldInfo")]
    assert [key for key in form._info] == ["person", "note"]  # no WTForms field for an element
    assert form_to_data(form) == {"person": {"name": "An", "age": 30}, "note": "x"}
    assert form_class._pages == [("Người khai", ["guide", "person"]), ("Giấy tờ", ["proof", "note"])]
    assert form_class.components_placed() == ["id_card"]
    assert form_class.components_placed(["guide", "person"]) == []
    proof = form_class._elements["proof"]
    assert (proof.title, proof.required, proof.help) == ("Ảnh căn cước", True, "Hai mặt, trên một trang.")
    assert form_class._elements["guide"].paragraphs == ["Ghi như trên căn cước.", "Không viết tắt."]

    html = _render_fields(vi_app, form)
    assert html.index("Ghi như trên căn cước.") < html.index('id="person-name"')
    assert html.index('id="person-age"') < html.index('name="component-id_card"') < html.index('id="note"')
    assert 'role="note"' in html and "<p>Không viết tắt.</p>" in html
    label = html[html.index('<label class="control-label" for="component-id_card">'):]
    assert label.startswith('<label class="control-label" for="component-id_card">Ảnh căn cước <span class="required"')


@pytest.mark.parametrize("ui, components, expected", [
    ({"elements": {"person": {"kind": "note", "text": "x"}}}, [], {"form.ui.elements.person"}),
    ({"elements": {"Bad Key": {"kind": "note", "text": "x"}}}, [], {"form.ui.elements.Bad Key"}),
    ({"elements": {"a": {"kind": "video"}}}, [], {"form.ui.elements.a.kind"}),
    ({"elements": {"a": {"kind": "note", "text": " "}}}, [], {"form.ui.elements.a.text"}),
    ({"elements": {"a": {"kind": "note", "text": "x" * 2001}}}, [], {"form.ui.elements.a.text"}),
    ({"elements": {"a": {"kind": "attachment", "component": "passport"}}}, COMPONENTS,
     {"form.ui.elements.a.component"}),
    ({"elements": {"a": {"kind": "attachment", "component": "id_card"},
                   "b": {"kind": "attachment", "component": "id_card"}}}, COMPONENTS,
     {"form.ui.elements.b.component"}),
    ({"pages": [{"title": "", "fields": ["person"]}]}, [], {"form.ui.pages.0.title"}),
    ({"pages": [{"title": "A", "fields": ["person", "nobody"]}]}, [], {"form.ui.pages.0.fields"}),
    ({"pages": [{"title": "A", "fields": ["person"]}, {"title": "B", "fields": ["person"]}]}, [],
     {"form.ui.pages.1.fields"}),
    ({"pages": "all"}, [], {"form.ui.pages"}),
    (ELEMENTS, COMPONENTS, set()),
])
def test_pages_and_elements_are_checked_before_save(vi_app, ui, components, expected):
    from builder.forms.layout import ui_problems

    problems = ui_problems({"schema": PERSON, "ui": ui}, components)
    assert set(problems) == expected
    assert all(isinstance(m, str) and m for messages in problems.values() for m in messages)
