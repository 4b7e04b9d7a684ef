"""The citizen's online form in Chromium: sign in, fill the birth
registration, attach the birth certificate, submit, read the code."""
from __future__ import annotations

from tests.helpers import BIRTH_CODE, MINIMAL_PDF, example_data, register_citizen
from tests.test_browser_office import browser, live_server  # noqa: F401  (fixtures)
from tests.test_portal import PASSWORD, flatten


def fill(page, posted: dict) -> None:
    for name, value in posted.items():
        control = page.locator(f"[name='{name}']")
        if control.count() > 1:  # radio buttons
            page.check(f"[name='{name}'][value='{value}']")
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def test_a_citizen_applies_online_in_chromium(app, client, library, birth_package,  # noqa: F811
                                              live_server, browser, tmp_path):
    assert register_citizen(client).status_code == 201
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{live_server}/dich-vu/{BIRTH_CODE}")
    page.click("text=Nộp trực tuyến")
    page.wait_for_selector("input[name=username]")  # sent to sign in first, and back after
    page.fill("input[name=username]", "001090012345")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#apply-form")

    data = example_data(birth_package)
    del data["father"]["residence"]  # forgotten: the schema says so, next to the field
    fill(page, flatten(data))
    page.select_option("#delivery_method", "online")
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(MINIMAL_PDF)
    page.set_input_files("#component-birth_certificate", str(certificate))
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_selector("#error-summary")
    assert "Trường này là bắt buộc." in page.inner_text("#father-residence-error")
    assert page.input_value("#child-full_name") == "Nguyễn Minh Khôi"  # nothing typed is lost
    assert "Đã đính kèm: giay-chung-sinh.pdf" in page.content()  # the file is kept with the draft

    page.fill("#father-residence", "Số 12 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_selector("#dossier-code")
    code = page.inner_text("#dossier-code")
    assert code
    with page.expect_navigation():
        page.click("text=Tra cứu hồ sơ này")
    page.wait_for_selector("dl")
    lookup = page.inner_text("dl")
    assert code in lookup and "Mới đăng ký" in lookup


def test_the_commune_list_follows_the_province_in_chromium(app, client, library, birth_package,  # noqa: F811
                                                            live_server, browser):
    from tests.test_portal import addressed

    url = addressed(app, birth_package)
    assert register_citizen(client).status_code == 201
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{live_server}{url}")
    page.fill("input[name=username]", "001090012345")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#apply-form")
    page.wait_for_selector("button.choose-province", state="hidden")  # the script took over
    page.select_option("#home-province", "01")
    page.wait_for_function("document.querySelectorAll('#home-commune option').length > 100")
    page.select_option("#home-commune", "00070")
    page.fill("#home-street", "Số 12 phố Đội Cấn")
    page.click("button:has-text('Lưu nháp')")
    page.wait_for_selector("text=Đã lưu nháp")
    assert page.input_value("#home-commune") == "00070"


def test_the_father_shows_only_once_known_in_chromium(app, client, library, birth_package,  # noqa: F811
                                                       live_server, browser, tmp_path):
    assert register_citizen(client).status_code == 201
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{live_server}/dich-vu/{BIRTH_CODE}")
    page.click("text=Nộp trực tuyến")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", "001090012345")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#apply-form")

    # the same rule the server enforces: the father is asked for once known
    assert page.get_attribute("#father", "data-show-if-field") == "father_known"
    page.wait_for_selector("#father", state="hidden")
    assert not page.is_visible("#father-full_name")
    assert page.is_visible("#father_known")
    page.check("[name='father_known'][value='true']")  # Có
    page.wait_for_selector("#father", state="visible")
    page.fill("#father-full_name", "Nguyễn Văn Hùng")
    page.check("[name='father_known'][value='false']")  # Không
    page.wait_for_selector("#father", state="hidden")
    assert page.input_value("#father-full_name") == "Nguyễn Văn Hùng"  # hidden, not lost
    page.check("[name='father_known'][value='true']")
    page.wait_for_selector("#father-full_name", state="visible")
    page.fill("#father-full_name", "")
    page.check("[name='father_known'][value='false']")
    page.wait_for_selector("#father", state="hidden")

    data = example_data(birth_package)
    del data["father"]
    data["father_known"] = False
    fill(page, flatten(data))
    page.select_option("#delivery_method", "online")
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(MINIMAL_PDF)
    page.set_input_files("#component-birth_certificate", str(certificate))
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_selector("#dossier-code")
    assert page.inner_text("#dossier-code")
