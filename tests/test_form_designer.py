"""The form designer in the back office, through the Flask test client: a
repeating group with two fields, a conditional field, reordering, the JSON
tab (an error first, then a correct edit), publication, and the agency rule."""
from __future__ import annotations

import json

from sqlalchemy import select

from builder.extensions import db
from builder.forms.validation import validate_data
from builder.models import Procedure, ProcedureVersion
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
