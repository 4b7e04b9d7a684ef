"""The form designer in the back office, through the Flask test client: a
repeating group with two fields, a conditional field, reordering, the JSON
tab (an error first, then a correct edit), publication, and the agency rule."""
from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from builder.extensions import db
from builder.forms.validation import validate_data
from builder.models import Dossier, Procedure, ProcedureVersion
from tests.helpers import BA_DINH, BIRTH_CODE, staff
from tests.test_admin import browser_login

PAGE = f"/thiet-ke/{BIRTH_CODE}/bieu-mau"


def draft_of(app) -> dict:
    with app.app_context():
        return db.session.scalar(select(Procedure).where(Procedure.code == BIRTH_CODE)).draft


def post(browser, **data):
    return browser.post(PAGE, data=data, follow_redirects=True)


def test_a_designer_builds_and_publishes_a_form(app, client, library, birth_package):
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    browser = browser_login(app, "thiet_ke")
    page = browser.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Thông tin người cha" in html and 'id="preview"' in html and "father_known" in html
    assert browser.get("/thiet-ke/bieu-mau/").status_code == 200

    # a repeating group of one to three rows, with two fields in it
    response = post(browser, op="save_field", group="", key="members", title="Thành viên hộ",
                    type="rows", low="1", high="3")
    assert response.status_code == 200 and "alert-danger" not in response.get_data(as_text=True)
    post(browser, op="save_field", group="members", key="name", title="Họ tên", type="text",
         required="1", high="100")
    post(browser, op="save_field", group="members", key="relation", title="Quan hệ", type="choice",
         required="1", options="vo | Vợ\ncon | Con")
    # required only if the father is known
    post(browser, op="save_field", group="", key="father_job", title="Nghề nghiệp của cha",
         type="text", cond_on="father_known", cond_value="có")
    schema = draft_of(app)["form"]["schema"]
    members = schema["properties"]["members"]
    assert members["type"] == "array" and members["minItems"] == 1 and members["maxItems"] == 3
    assert members["items"]["required"] == ["name", "relation"]
    assert members["items"]["properties"]["relation"]["oneOf"][1] == {"const": "con", "title": "Con"}
    assert {"if": {"properties": {"father_known": {"const": True}}, "required": ["father_known"]},
            "then": {"required": ["father_job"]}} in schema["allOf"]
    page = browser.get(PAGE).get_data(as_text=True)
    assert "members-0-name" in page  # the preview compiles the new group

    # an invalid field is refused, the draft unchanged, the error names the field
    before = draft_of(app)
    response = post(browser, op="save_field", group="", key="Bad Key", title="Tuổi", type="integer",
                    low="mười")
    html = response.get_data(as_text=True)
    assert 'id="errors"' in html and "Tuổi" in html
    assert draft_of(app) == before

    # reorder: move father_job up (keyboard buttons) and members to the top (drag and drop)
    order = draft_of(app)["form"]["ui"]["order"]
    assert order[-2:] == ["members", "father_job"]
    post(browser, op="up", path="father_job")
    assert draft_of(app)["form"]["ui"]["order"][-2:] == ["father_job", "members"]
    post(browser, op="move", path="members", position="0")
    assert draft_of(app)["form"]["ui"]["order"][0] == "members"
    post(browser, op="down", path="members.name")
    assert draft_of(app)["form"]["schema"]["properties"]["members"]["items"]["x-order"] == ["relation", "name"]

    # the JSON tab: an error names its path, nothing is saved; then a correct edit
    form = draft_of(app)["form"]
    broken = json.loads(json.dumps(form["schema"]))
    broken["properties"]["members"]["items"]["properties"]["name"]["maxLength"] = "một trăm"
    response = post(browser, op="json", schema=json.dumps(broken), ui=json.dumps(form["ui"]))
    html = response.get_data(as_text=True)
    assert "form.schema.properties.members.items.properties.name.maxLength" in html
    assert "một trăm" in html  # what was typed is kept
    assert draft_of(app)["form"] == form
    response = post(browser, op="json", schema="{not json", ui="{}")
    assert "form.schema" in response.get_data(as_text=True) and draft_of(app)["form"] == form
    fixed = json.loads(json.dumps(form["schema"]))
    fixed["properties"]["members"]["title"] = "Các thành viên trong hộ"
    post(browser, op="json", schema=json.dumps(fixed, ensure_ascii=False), ui=json.dumps(form["ui"]))
    assert draft_of(app)["form"]["schema"]["properties"]["members"]["title"] == "Các thành viên trong hộ"

    # delete a field
    post(browser, op="save_field", group="", key="tmp", title="Tạm", type="date")
    post(browser, op="delete", path="tmp")
    assert "tmp" not in draft_of(app)["form"]["schema"]["properties"]
    assert "tmp" not in draft_of(app)["form"]["ui"]["order"]

    # publish: version 2, version 1 unchanged
    response = post(browser, op="publish")
    assert response.status_code == 200
    with app.app_context():
        versions = {v.number: v.package for v in db.session.scalars(select(ProcedureVersion))}
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == BIRTH_CODE))
        assert procedure.current_version.number == 2
    assert versions[1] == birth_package
    published = versions[2]["form"]["schema"]
    assert "members" in published["properties"]
    example = birth_package["form"]["schema"]["examples"][0]
    assert validate_data(published, {**example, "members": [{"name": "An", "relation": "con"}],
                                     "father_job": "Kỹ sư"}) == {}
    assert "father_job" in validate_data(published, {**example, "members": [{"name": "An", "relation": "con"}]})

    # a change after publication makes a new draft; version 2 stays as it was
    post(browser, op="save_field", original="father_job", group="", key="father_job",
         title="Nghề nghiệp", type="text")
    with app.app_context():
        version2 = db.session.scalar(select(ProcedureVersion).where(ProcedureVersion.number == 2))
        assert version2.package["form"]["schema"]["properties"]["father_job"]["title"] == "Nghề nghiệp của cha"
    assert draft_of(app)["form"]["schema"]["properties"]["father_job"]["title"] == "Nghề nghiệp"
    # the condition was dropped with the edit (no condition chosen)
    assert "father_job" not in json.dumps(draft_of(app)["form"]["schema"].get("allOf", []))


def test_spreadsheet_upload_replaces_the_form(app, client, library):
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    browser = browser_login(app, "thiet_ke")
    import io
    csv = "mã trường,nhãn,kiểu,bắt buộc\nho_ten,Họ và tên,chữ,x\nnam_sinh,Năm sinh,số nguyên,\n"
    response = browser.post(PAGE, data={"op": "import", "file": (io.BytesIO(csv.encode()), "f.csv")},
                            content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    form = draft_of(app)["form"]
    assert form["ui"]["order"] == ["ho_ten", "nam_sinh"] and form["schema"]["required"] == ["ho_ten"]
    bad = "mã trường,nhãn,kiểu\nho_ten,Họ và tên,hình vuông\n"
    response = browser.post(PAGE, data={"op": "import", "file": (io.BytesIO(bad.encode()), "f.csv")},
                            content_type="multipart/form-data", follow_redirects=True)
    assert "Row 2, column kiểu" in response.get_data(as_text=True) or "Dòng 2, cột kiểu" in response.get_data(as_text=True)
    assert draft_of(app)["form"] == form


def test_a_designer_of_another_agency_cannot_design_it(app, client, library):
    staff(client, "thiet_ke_ba_dinh", "Designer", BA_DINH)
    browser = browser_login(app, "thiet_ke_ba_dinh")
    assert browser.get(PAGE).status_code in (403, 404)
    assert browser.post(PAGE, data={"op": "publish"}).status_code in (403, 404)
    assert BIRTH_CODE not in browser.get("/thiet-ke/bieu-mau/").get_data(as_text=True)
    staff(client, "mot_cua", "Desk", BA_DINH)
    desk = browser_login(app, "mot_cua")
    assert desk.get(PAGE).status_code in (302, 403, 404)


# --- pages, help texts and attachments placed in the form ------------------------------

def pages_of(app) -> list[tuple[str, list[str]]]:
    ui = draft_of(app)["form"]["ui"]
    return [(p["title"], p["fields"]) for p in ui.get("pages", [])]


def test_a_designer_makes_the_form_a_form_in_pages(app, client, library, birth_package):
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    browser = browser_login(app, "thiet_ke")
    keys = list(birth_package["form"]["ui"]["order"])

    # the first page takes the whole form; the next one starts empty, and says so
    post(browser, op="add_page", title="Người yêu cầu và trẻ")
    assert pages_of(app) == [("Người yêu cầu và trẻ", keys)]
    html = post(browser, op="add_page", title="Cha, mẹ").get_data(as_text=True)
    assert pages_of(app)[1] == ("Cha, mẹ", []) and "Trang này đang trống" in html
    assert html.count('class="page-row') == 2

    # a field goes to another page with its page choice (keyboard), or by drag and drop
    post(browser, op="to_page", path="mother", page="1")
    post(browser, op="move", path="father", position="0", page="1")
    post(browser, op="move", path="father_known", position="1", page="1")
    assert pages_of(app)[1] == ("Cha, mẹ", ["father", "father_known", "mother"])
    # up and down move among the items of the page
    post(browser, op="up", path="mother")
    assert pages_of(app)[1][1] == ["father", "mother", "father_known"]
    html = post(browser, op="up", path="father").get_data(as_text=True)  # first on its page
    assert pages_of(app)[1][1] == ["father", "mother", "father_known"]
    assert draft_of(app)["form"]["ui"]["order"] == ["requester", "child", "copies",
                                                  "father", "mother", "father_known"]

    # the preview shows the steps, with the compiler the portal uses
    assert "Bước 1/2: Người yêu cầu và trẻ" in html and "Bước 2/2: Cha, mẹ" in html
    step2 = html[html.index('id="preview-step-2"'):]
    assert 'id="mother-full_name"' in step2 and 'id="child-full_name"' not in step2

    # rename; an empty title is refused and nothing changes
    before = draft_of(app)
    html = post(browser, op="rename_page", page="0", title="  ").get_data(as_text=True)
    assert 'id="errors"' in html and "Trang cần có tiêu đề." in html and draft_of(app) == before
    post(browser, op="rename_page", page="0", title="Người đi đăng ký")
    assert pages_of(app)[0][0] == "Người đi đăng ký"
    # a page that is not there
    before = draft_of(app)
    html = post(browser, op="page_down", page="7").get_data(as_text=True)
    assert "Trang 7 không còn tồn tại." in html and draft_of(app) == before

    # reorder pages: the order of the whole form follows
    post(browser, op="page_down", page="0")
    assert [t for t, _k in pages_of(app)] == ["Cha, mẹ", "Người đi đăng ký"]
    assert draft_of(app)["form"]["ui"]["order"][:3] == ["father", "mother", "father_known"]

    # a new field goes on the page chosen; a renamed key keeps its page
    post(browser, op="save_field", group="", key="phone", title="Điện thoại", type="phone", page="0")
    assert pages_of(app)[0][1][-1] == "phone"
    post(browser, op="save_field", original="phone", group="", key="phone_number",
         title="Điện thoại", type="phone")
    assert pages_of(app)[0][1][-1] == "phone_number"
    post(browser, op="delete", path="phone_number")
    assert "phone_number" not in sum((k for _t, k in pages_of(app)), [])

    # deleting a page gives its fields to the page before (the next, for the first)
    post(browser, op="delete_page", page="0")
    assert pages_of(app) == [("Người đi đăng ký",
                              ["father", "mother", "father_known", "requester", "child", "copies"])]
    post(browser, op="delete_page", page="0")  # the last one: the form is on one page again
    ui = draft_of(app)["form"]["ui"]
    assert "pages" not in ui and ui["order"] == ["father", "mother", "father_known", "requester",
                                                 "child", "copies"]


def test_help_texts_and_attachments_are_placed_between_fields(app, client, library, birth_package):
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    browser = browser_login(app, "thiet_ke")
    post(browser, op="add_page", title="Trẻ")
    post(browser, op="add_page", title="Giấy tờ")

    # refused: an empty help text, an unknown document, a document placed twice
    before = draft_of(app)
    html = post(browser, op="save_element", kind="note", text="  ").get_data(as_text=True)
    assert "Đoạn hướng dẫn chưa có nội dung." in html and draft_of(app) == before
    html = post(browser, op="save_element", kind="attachment", component="passport").get_data(as_text=True)
    assert "Hãy chọn một thành phần hồ sơ cần đính kèm." in html and draft_of(app) == before

    post(browser, op="save_element", kind="note", title="Lưu ý",
         text="Ghi đúng như Giấy chứng sinh.\n\nNgày sinh ghi theo dương lịch.", page="0")
    post(browser, op="save_element", kind="attachment", component="birth_certificate", page="1")
    html = post(browser, op="save_element", kind="attachment", component="birth_certificate",
                page="1").get_data(as_text=True)
    assert "đã được đặt tại file_birth_certificate" in html
    ui = draft_of(app)["form"]["ui"]
    assert ui["elements"] == {
        "note": {"kind": "note", "title": "Lưu ý",
                 "text": "Ghi đúng như Giấy chứng sinh.\n\nNgày sinh ghi theo dương lịch."},
        "file_birth_certificate": {"kind": "attachment", "component": "birth_certificate"},
    }
    assert ui["pages"][0]["fields"][-1] == "note" and ui["pages"][1]["fields"] == ["file_birth_certificate"]

    # they move like fields: the note to the top of its page
    post(browser, op="move", path="note", position="0")
    assert draft_of(app)["form"]["ui"]["pages"][0]["fields"][0] == "note"
    # edited in place; the preview shows them where they stand
    html = post(browser, op="save_element", original="note", title="",
                text="Ghi họ tên bằng chữ in hoa.").get_data(as_text=True)
    assert draft_of(app)["form"]["ui"]["elements"]["note"] == {"kind": "note", "text": "Ghi họ tên bằng chữ in hoa."}
    step1 = html[html.index('id="preview-step-1"'):html.index('id="preview-step-2"')]
    step2 = html[html.index('id="preview-step-2"'):]
    assert step1.index("Ghi họ tên bằng chữ in hoa.") < step1.index('id="requester-full_name"')
    assert 'name="component-birth_certificate"' in step2
    edit = browser.get(PAGE + "?sua=note").get_data(as_text=True)
    assert "Sửa đoạn hướng dẫn" in edit and 'name="original" value="note"' in edit

    # no field may take an element's key, nor an element a field's (JSON tab)
    html = post(browser, op="save_field", group="", key="note", title="Ghi chú", type="text").get_data(as_text=True)
    assert 'id="errors"' in html and "note" not in draft_of(app)["form"]["schema"]["properties"]
    form = draft_of(app)["form"]
    clash = json.loads(json.dumps(form["ui"]))
    clash["elements"]["child"] = {"kind": "note", "text": "x"}
    html = post(browser, op="json", schema=json.dumps(form["schema"]), ui=json.dumps(clash)).get_data(as_text=True)
    assert "form.ui.elements.child" in html and draft_of(app)["form"] == form

    # the data stays the schema's alone: the example still validates, nothing of the elements in it
    published = draft_of(app)["form"]["schema"]
    assert validate_data(published, birth_package["form"]["schema"]["examples"][0]) == {}
    assert "note" not in published["properties"] and "file_birth_certificate" not in published["properties"]

    post(browser, op="delete", path="note")
    post(browser, op="delete", path="file_birth_certificate")
    ui = draft_of(app)["form"]["ui"]
    assert "elements" not in ui and "note" not in ui["order"]
    assert all("file_birth_certificate" not in p["fields"] for p in ui["pages"])


def test_a_citizen_uploads_a_document_where_the_form_asks_for_it(app, client, library, birth_package):
    from tests.helpers import MINIMAL_PDF, example_data
    from tests.test_portal import birth_form, field_block, page_of, signed_in

    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    designer = browser_login(app, "thiet_ke")
    post(designer, op="add_page", title="Người yêu cầu và trẻ")
    post(designer, op="add_page", title="Cha, mẹ và giấy chứng sinh")
    for key in ("mother", "father_known", "father", "copies"):
        post(designer, op="to_page", path=key, page="1")
    post(designer, op="save_element", kind="note", text="Ghi đúng như Giấy chứng sinh.", page="0")
    post(designer, op="save_element", kind="attachment", component="birth_certificate", page="1")
    post(designer, op="publish")

    url = f"/dich-vu/{BIRTH_CODE}/nop-ho-so"
    citizen = signed_in(app)
    html = citizen.get(url).get_data(as_text=True)
    assert "Bước 1/2: Người yêu cầu và trẻ" in html and "Ghi đúng như Giấy chứng sinh." in html
    assert 'name="component-birth_certificate"' not in html
    posted = birth_form(birth_package)
    response = citizen.post(url, data={**page_of(posted, "requester", "child"), "buoc": "1", "action": "next"})
    assert response.status_code == 302, response.get_data(as_text=True)
    step2 = citizen.get(response.headers["Location"]).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in step2 and 'id="component-birth_certificate"' in step2
    draft_id = re.search(r'name="ho_so" value="(\d+)"', step2).group(1)
    second = page_of(posted, "mother", "father_known", "father", "copies")

    # a required document placed on this page stops "Continue", beside its input
    response = citizen.post(url, data={**second, "buoc": "2", "ho_so": draft_id, "action": "next"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vui lòng đính kèm: Giấy chứng sinh" in field_block(html, "component-birth_certificate")
    assert 'href="#component-birth_certificate"' in html

    # a file that is no PDF, JPEG or PNG is refused there too
    response = citizen.post(url, data={**second, "buoc": "2", "ho_so": draft_id, "action": "next",
                                       "component-birth_certificate": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Chỉ chấp nhận tệp PDF, JPEG và PNG." in field_block(response.get_data(as_text=True),
                                                                "component-birth_certificate")

    response = citizen.post(url, data={**second, "buoc": "2", "ho_so": draft_id, "action": "next",
                                       "component-birth_certificate": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")},
                            content_type="multipart/form-data")
    assert response.status_code == 302 and "buoc=xem-lai" in response.headers["Location"]
    review = citizen.get(response.headers["Location"]).get_data(as_text=True)
    page2 = review[review.index('id="review-2"'):review.index('id="apply-form"')]
    assert "Giấy chứng sinh" in page2 and "giay-chung-sinh.pdf" in page2
    assert "Ghi đúng như Giấy chứng sinh." not in review  # guidance for filling in, not an answer

    response = citizen.post(url, data={"buoc": "xem-lai", "ho_so": draft_id, "delivery_method": "online",
                                       "action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code.is_not(None)))
        assert dossier.data == example_data(birth_package)  # nothing of the help text or the file
        assert [(a.component, a.filename) for a in dossier.attachments] == [
            ("birth_certificate", "giay-chung-sinh.pdf")]
