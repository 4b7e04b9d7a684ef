"""The form designer in Chromium: a designer builds a form with a repeating
group and a conditional field, publishes it, and a citizen fills it in on
the portal and gets a dossier code; a designer builds a form in two pages
with a help text and a file asked for on the second, and a citizen fills it
in steps, uploads the file where it is asked for, reviews and submits."""
from __future__ import annotations

import copy

from sqlalchemy import select

from builder.extensions import db
from builder.models import Dossier

from tests.helpers import register_citizen, staff
from tests.test_browser_office import browser, live_server, sign_in  # noqa: F401  (fixtures)
from tests.test_portal import PASSWORD

CODE = "2.000001.000.00.00.H26"


def add_field(page, key, title, kind="text", group="", required=False, low="", high="",
              cond_on="", cond_value=""):
    page.wait_for_selector("#field-form")
    if group:
        page.select_option("#fd-group", group)
    page.fill("#fd-key", key)
    page.fill("#fd-title", title)
    page.select_option("#fd-type", kind)
    if required:
        page.check("#fd-required")
    page.fill("#fd-low", low)
    page.fill("#fd-high", high)
    if cond_on:
        page.select_option("#fd-cond-on", cond_on)
        page.fill("#fd-cond-value", cond_value)
    with page.expect_navigation():
        page.click("#field-form button[type=submit]")
    assert page.locator("#errors").count() == 0, page.inner_text("#errors")


def test_a_designer_builds_a_form_and_a_citizen_fills_it(app, client, live_server, browser,  # noqa: F811
                                                         birth_package):
    designer = staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    package = copy.deepcopy(birth_package)
    package.update(code=CODE, name="Khai báo hộ gia đình", components=[])
    package["form"] = {"schema": {"type": "object", "properties": {}, "additionalProperties": False}, "ui": {}}
    assert client.post("/api/v1/procedures", json=package, headers=designer).status_code == 201

    page = sign_in(browser, live_server, "thiet_ke")
    page.goto(f"{live_server}/thiet-ke/{CODE}/bieu-mau")
    add_field(page, "ho_ten", "Họ và tên chủ hộ", required=True, high="100")
    add_field(page, "co_con", "Có con dưới 18 tuổi", kind="boolean")
    add_field(page, "so_con", "Số con dưới 18 tuổi", kind="integer", low="1", high="20",
              cond_on="co_con", cond_value="có")
    add_field(page, "thanh_vien", "Thành viên hộ", kind="rows", low="1", high="3")
    add_field(page, "ten", "Họ tên thành viên", group="thanh_vien", required=True)
    add_field(page, "nam_sinh", "Năm sinh", kind="integer", group="thanh_vien", low="1900", high="2100")
    assert page.locator("#field-list tr.field-row").count() == 6
    assert page.locator("#preview #thanh_vien-0-ten").count() == 1
    assert "Bắt buộc nếu Có con dưới 18 tuổi là Có." in page.inner_text("#preview")

    # move "Số con" above "Có con" with the keyboard button, then back by dragging
    with page.expect_navigation():
        page.click("tr[data-path=so_con] button.move-up")
    assert page.locator("tr.field-row").nth(1).get_attribute("data-path") == "so_con"
    with page.expect_navigation():
        page.drag_and_drop("tr[data-path=so_con]", "tr[data-path=co_con]")
    assert page.locator("tr.field-row").nth(2).get_attribute("data-path") == "so_con"

    with page.expect_navigation():
        page.click("#publish")
    assert "1" in page.inner_text("#form-state")
    published = client.get(f"/api/v1/procedures/{CODE}").get_json()
    assert list(published["form"]["schema"]["properties"]) and "thanh_vien" in published["form"]["schema"]["properties"]

    # a citizen applies
    assert register_citizen(client).status_code == 201
    citizen = browser.new_context(locale="vi-VN").new_page()
    citizen.goto(f"{live_server}/dich-vu/{CODE}/nop-ho-so")
    citizen.wait_for_selector("input[name=username]")
    citizen.fill("input[name=username]", "001090012345")
    citizen.fill("input[name=password]", PASSWORD)
    citizen.click("input[type=submit], button[type=submit]")
    citizen.wait_for_selector("#apply-form")
    citizen.fill("#ho_ten", "Trần Thị Mai")
    citizen.check("[name=co_con][value=true]")
    citizen.fill("#thanh_vien-0-ten", "Trần Văn Nam")
    citizen.fill("#thanh_vien-0-nam_sinh", "2012")
    if citizen.locator("#delivery_method").count():
        citizen.select_option("#delivery_method", "online")
    citizen.click("button:has-text('Nộp hồ sơ')")
    citizen.wait_for_selector("#error-summary")
    assert "Trường này là bắt buộc." in citizen.inner_text("#so_con-error")  # the condition, from the schema
    citizen.fill("#so_con", "1")
    citizen.click("button:has-text('Nộp hồ sơ')")
    citizen.wait_for_selector("#dossier-code")
    assert citizen.inner_text("#dossier-code").strip()


def add_page(page, title):
    page.fill("#new-page-title", title)
    with page.expect_navigation():
        page.click("#add-page-form button[type=submit]")
    assert page.locator("#errors").count() == 0, page.inner_text("#errors")


def test_a_designer_builds_a_form_in_pages_with_a_help_text_and_a_file(  # noqa: F811
        app, client, live_server, browser, birth_package, tmp_path):
    from tests.helpers import MINIMAL_PDF

    designer = staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    package = copy.deepcopy(birth_package)
    package.update(code=CODE, name="Xác nhận cư trú", delivery_methods=["online", "desk"], components=[
        {"id": "id_card", "name": "Bản chụp căn cước", "kind": "copy", "quantity": 1, "required": True},
        {"id": "other", "name": "Giấy tờ khác", "kind": "copy", "quantity": 1, "required": False}])
    package["form"] = {"schema": {"type": "object", "properties": {}, "additionalProperties": False}, "ui": {}}
    assert client.post("/api/v1/procedures", json=package, headers=designer).status_code == 201

    page = sign_in(browser, live_server, "thiet_ke")
    page.goto(f"{live_server}/thiet-ke/{CODE}/bieu-mau")
    add_field(page, "ho_ten", "Họ và tên", required=True, high="100")
    add_field(page, "dia_chi", "Nơi ở hiện nay", required=True, high="200")
    add_page(page, "Người khai")
    add_page(page, "Giấy tờ")
    assert page.locator("tr.page-row").count() == 2 and page.locator("tr.page-empty").count() == 1

    # "Nơi ở" to page 2 by dragging it onto the page's heading
    with page.expect_navigation():
        page.drag_and_drop("tr[data-path=dia_chi]", "tr.page-row[data-page='1']")
    assert page.locator("tr[data-path=dia_chi]").get_attribute("data-page") == "1"

    # a help text on page 1, then moved above the name with the keyboard
    page.fill("#note-title", "Lưu ý")
    page.fill("#note-text", "Ghi họ tên có dấu, đúng như trên căn cước.")
    page.select_option("#note-page", "0")
    with page.expect_navigation():
        page.click("#note-form button[type=submit]")
    assert page.locator("#errors").count() == 0
    page.focus("tr[data-path=note] button.move-up")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("tr.field-row[data-page='0']").first.get_attribute("data-path") == "note"

    # the copy of the ID card, asked for on page 2
    page.select_option("#attachment-component", "id_card")
    page.select_option("#attachment-page", "1")
    with page.expect_navigation():
        page.click("#attachment-form button[type=submit]")
    assert page.locator("#errors").count() == 0
    preview = page.inner_text("#preview")
    assert "Bước 1/2: Người khai" in preview and "Bước 2/2: Giấy tờ" in preview
    assert "Ghi họ tên có dấu, đúng như trên căn cước." in page.inner_text("#preview-step-1")
    assert page.locator("#preview-step-2 #component-id_card").count() == 1

    with page.expect_navigation():
        page.click("#publish")
    assert "1" in page.inner_text("#form-state")

    # a citizen applies, in steps
    assert register_citizen(client).status_code == 201
    citizen = browser.new_context(locale="vi-VN").new_page()
    citizen.goto(f"{live_server}/dich-vu/{CODE}/nop-ho-so")
    citizen.wait_for_selector("input[name=username]")
    citizen.fill("input[name=username]", "001090012345")
    citizen.fill("input[name=password]", PASSWORD)
    citizen.click("input[type=submit], button[type=submit]")
    citizen.wait_for_selector("#apply-form")
    assert "Bước 1/2: Người khai" in citizen.inner_text("#step-title")
    assert "Ghi họ tên có dấu" in citizen.inner_text("#apply-form [role=note]")
    citizen.fill("#ho_ten", "Trần Thị Mai")
    with citizen.expect_navigation():
        citizen.click("button:has-text('Tiếp tục')")
    assert "Bước 2/2: Giấy tờ" in citizen.inner_text("#step-title")
    citizen.fill("#dia_chi", "Số 5 phố Huế, phường Hai Bà Trưng, Hà Nội")
    # the file is required: "Continue" without it says so beside the input
    with citizen.expect_navigation():
        citizen.click("button:has-text('Tiếp tục')")
    assert "Vui lòng đính kèm: Bản chụp căn cước" in citizen.inner_text("#component-id_card-note")
    scan = tmp_path / "can-cuoc.pdf"
    scan.write_bytes(MINIMAL_PDF)
    citizen.set_input_files("#component-id_card", str(scan))
    with citizen.expect_navigation():
        citizen.click("button:has-text('Tiếp tục')")

    # the review: the answers, the file at its page; the other document is still offered
    assert "Xem lại và nộp" in citizen.inner_text("#step-title")
    assert "can-cuoc.pdf" in citizen.inner_text("#review-2")
    assert "Trần Thị Mai" in citizen.inner_text("#review-1")
    assert citizen.locator("#component-other").count() == 1
    citizen.select_option("#delivery_method", "online")
    with citizen.expect_navigation():
        citizen.click("button:has-text('Nộp hồ sơ')")
    citizen.wait_for_selector("#dossier-code")
    code = citizen.inner_text("#dossier-code").strip()
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data == {"ho_ten": "Trần Thị Mai", "dia_chi": "Số 5 phố Huế, phường Hai Bà Trưng, Hà Nội"}
        assert [(a.component, a.filename) for a in dossier.attachments] == [("id_card", "can-cuoc.pdf")]
