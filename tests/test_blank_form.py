"""The blank printable form of a published service (level 2): A4, the
agency's header, Vietnamese intact, every field of the schema on paper, and
rendered only once per published version."""
from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from builder.documents import blank
from builder.documents.blank import blank_form_pdf, published_blank_form
from builder.extensions import db
from builder.forms.package import import_package, save_draft
from builder.models import Agency, Procedure
from tests.conftest import LIBRARY, fonts_drawing_text
from tests.helpers import BIRTH_CODE

PACKAGES = sorted(LIBRARY.glob("*.json"))
A4 = (595, 842)  # points, rounded


def pdf_words(pdf: bytes, tmp_path, layout: bool = False) -> str:
    """The text pdftotext reads back. In content-stream order (``-raw``) and
    with runs of white space joined, so a label wrapped on two lines, or a
    table cell on three, still reads as one phrase."""
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    mode = "-layout" if layout else "-raw"
    text = subprocess.run(["pdftotext", mode, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text if layout else " ".join(text.split())


def choices(schema: dict) -> list[str]:
    entries = schema.get("oneOf") or schema.get("anyOf") or []
    return [e["title"] for e in entries if "const" in e] or [str(v) for v in schema.get("enum", [])]


def walk(schema: dict):
    """Every field below ``schema`` (not the items of a table), depth first."""
    for key, sub in schema.get("properties", {}).items():
        yield key, sub
        if sub.get("type") == "object":
            yield from walk(sub)


def is_table(schema: dict) -> bool:
    return schema.get("type") == "array" and schema.get("items", {}).get("type") == "object"


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.stem)
def test_every_library_form_prints_as_a_blank_a4_form(app, path, tmp_path):
    package = json.loads(path.read_text("utf-8"))
    with app.app_context():
        version = import_package(db.session, package, published_by="tests")
        db.session.commit()
        agency = version.procedure.agency
        pdf = blank_form_pdf(version.package, agency)
        agency_name = agency.name
    schema, order = package["form"]["schema"], package["form"]["ui"]["order"]

    reader = PdfReader(io.BytesIO(pdf))
    assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages} == {A4}
    fonts = fonts_drawing_text(pdf)
    assert fonts and all(f.startswith("DejaVuSans") for f in fonts), fonts  # no Helvetica boxes

    text = pdf_words(pdf, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert agency_name.upper() in text
    assert schema["title"].upper() in text
    recipient = [s for s in schema["properties"].values() if s.get("title") == "Kính gửi"]
    assert ("Kính gửi*:" if recipient else f"Kính gửi: {agency_name}") in text

    position = 0  # the top-level fields come in the order of form.ui
    for key in order:
        position = text.index(schema["properties"][key]["title"], position)
    for key, sub in walk(schema):
        assert sub["title"] in text, key
        if sub.get("description"):
            assert sub["description"] in text, key
        if choices(sub):
            assert all(f"☐ {option}" in text for option in choices(sub)), key
        if sub.get("type") == "boolean" and sub.get("const") is not True:
            assert f"{sub['title']}: ☐ Có ☐ Không" in text or (
                f"{sub['title']}*: ☐ Có ☐ Không" in text), key
        if sub.get("format") == "date":
            assert f"{sub['title']}: ……/……/…………" in text or (
                f"{sub['title']}*: ……/……/…………" in text), key
        if is_table(sub):
            item = sub["items"]
            for column, column_schema in item["properties"].items():
                star = "*" if column in item.get("required", []) else ""
                assert column_schema["title"] + star in text, (key, column)
    for key in schema.get("required", []):
        assert f"{schema['properties'][key]['title']}*" in text, key
    assert "(*) Thông tin bắt buộc" in text
    assert "Tôi cam đoan những nội dung khai trên đây là đúng sự thật" in text
    assert "Người khai (Ký, ghi rõ họ tên)" in text

    # the dots fill the rest of each label's line: no run of dots spills onto
    # a short line of its own
    dotted = [line.strip() for line in pdf_words(pdf, tmp_path, layout=True).splitlines()
              if line.strip() and set(line.strip()) == {"."}]
    assert dotted and min(map(len, dotted)) > 0.9 * max(map(len, dotted)), dotted


@pytest.mark.parametrize("min_items, max_items, rows", [
    (None, None, 3), (0, 20, 3), (1, 20, 3), (5, 20, 5), (1, 2, 2), (4, 4, 4),
])
def test_a_repeating_group_prints_empty_rows(app, min_items, max_items, rows):
    schema = {"type": "array", "title": "Thành viên", "items": {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "title": "Họ và tên"},
                       "main": {"type": "boolean", "title": "Chủ hộ"}}}}
    if min_items is not None:
        schema["minItems"] = min_items
    if max_items is not None:
        schema["maxItems"] = max_items
    with app.app_context():
        table = blank.blank(schema, "members", required=False)
    assert table.kind == "table" and table.rows == rows
    assert [(c.title, c.required, c.tick) for c in table.columns] == [
        ("Họ và tên", True, False), ("Chủ hộ", False, True)]


def test_help_texts_and_placed_documents_print_where_they_stand(app, birth_package, tmp_path):
    package = copy.deepcopy(birth_package)
    form = package["form"]
    form["ui"] = {
        "order": ["requester", "guide", "child", "certificate", "mother"],
        "pages": [{"title": "Người yêu cầu", "fields": ["requester", "guide", "child", "certificate"]},
                  {"title": "Cha, mẹ", "fields": ["mother"]}],
        "elements": {
            "guide": {"kind": "note", "title": "Lưu ý",
                      "text": "Ghi họ tên trẻ bằng chữ in hoa, có dấu.\n\nNgày sinh ghi theo dương lịch."},
            "certificate": {"kind": "attachment", "component": "birth_certificate"},
        },
    }
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == package["agency_code"]))
        pdf = blank_form_pdf(package, agency)
    text = pdf_words(pdf, tmp_path)
    properties = form["schema"]["properties"]
    requester = text.index("1. " + properties["requester"]["title"])
    note = text.index("Lưu ý: Ghi họ tên trẻ bằng chữ in hoa, có dấu.")
    second = text.index("Ngày sinh ghi theo dương lịch.")
    child = text.index("2. " + properties["child"]["title"])  # a help text takes no number
    certificate = text.index("☐ Kèm theo: Giấy chứng sinh")
    mother = text.index("3. " + properties["mother"]["title"])
    assert requester < note < second < child < certificate < mother
    assert "Đánh dấu X vào ô ☐ tương ứng." in text
    # what the form holds beyond the ui's order still prints, after it
    assert text.index(properties["copies"]["title"]) > mother


def test_a_published_form_is_rendered_once_and_kept(app, library, birth_package, monkeypatch,
                                                   tmp_path):
    with app.app_context():
        version = db.session.get(Procedure, library["procedure_id"]).current_version
        first = published_blank_form(version)
        assert os.path.exists(blank.cache_path(version))
        renders = []
        monkeypatch.setattr(blank, "blank_form_pdf", lambda *args: renders.append(args) or b"")
        assert published_blank_form(version) == first
        assert renders == []
        monkeypatch.undo()

        changed = copy.deepcopy(birth_package)
        changed["form"]["schema"]["title"] = "Tờ khai đăng ký khai sinh (mẫu mới)"
        second = import_package(db.session, changed, published_by="tests")
        db.session.commit()
        assert second.number == version.number + 1
        assert blank.cache_path(second) != blank.cache_path(version)
        text = pdf_words(published_blank_form(second), tmp_path)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH (MẪU MỚI)" in text


def test_the_route_serves_the_blank_form(app, client, library, birth_package, tmp_path):
    response = client.get(f"/api/v1/procedures/{BIRTH_CODE}/form.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"{BIRTH_CODE}.pdf" in response.headers["Content-Disposition"]
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in pdf_words(response.data, tmp_path)
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}/form.pdf").data == response.data

    draft = copy.deepcopy(birth_package)
    draft["code"] = "1.999999.000.00.00.H26"
    with app.app_context():
        save_draft(db.session, draft)
        db.session.commit()
    for code in ("9.999999.000.00.00.H26", draft["code"]):  # unknown, and never published
        missing = client.get(f"/api/v1/procedures/{code}/form.pdf")
        assert missing.status_code == 404
        assert missing.get_json()["message"] == f"Không có thủ tục đã công bố nào mang mã {code}."

    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/procedures/{code}/form.pdf"]
