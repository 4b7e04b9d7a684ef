"""Delivery by post in Chromium: the postal address appears when the citizen
chooses post, the commune list follows the province, and the dossier keeps
the address; the desk's page does the same for a paper dossier."""
from __future__ import annotations

from sqlalchemy import select

from builder.extensions import db
from builder.forms.addresses import communes
from builder.models import Dossier
from tests.helpers import BA_DINH, BIRTH_CODE, MINIMAL_PDF, example_data, register_citizen, staff
from tests.test_browser_office import browser, live_server, sign_in  # noqa: F401  (fixtures)
from tests.test_browser_portal import fill
from tests.test_portal import PASSWORD, flatten


def test_a_citizen_chooses_post_and_fills_the_address_in_chromium(app, client, library, birth_package,  # noqa: F811
                                                                  live_server, browser, tmp_path):
    assert register_citizen(client).status_code == 201
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{live_server}/dich-vu/{BIRTH_CODE}/nop-ho-so")
    page.fill("input[name=username]", "001090012345")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#apply-form")

    fill(page, flatten(example_data(birth_package)))
    page.wait_for_selector("#delivery-address", state="hidden")  # nothing goes by post yet
    page.select_option("#delivery_method", "online")
    assert not page.is_visible("#delivery-address-province")
    page.select_option("#delivery_method", "post")
    page.wait_for_selector("#delivery-address", state="visible")
    page.wait_for_selector("#delivery-address button.choose-province", state="hidden")  # the script took over
    assert page.input_value("#delivery-address-name") == "Nguyễn Văn Hùng"  # from the account
    assert page.input_value("#delivery-address-phone") == "0912345678"

    page.select_option("#delivery-address-province", "01")
    page.wait_for_function("document.querySelectorAll('#delivery-address-commune option').length > 100")
    options = page.eval_on_selector_all("#delivery-address-commune option", "os => os.map(o => o.value)")
    assert options == [""] + [code for code, _name in communes("01")]
    page.select_option("#delivery-address-commune", "00025")
    page.fill("#delivery-address-street", "Số 12 phố Đội Cấn")
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(MINIMAL_PDF)
    page.set_input_files("#component-birth_certificate", str(certificate))
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_selector("#dossier-code")
    code = page.inner_text("#dossier-code")
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.delivery == {"method": "post", "address": {
            "province": "01", "commune": "00025", "street": "Số 12 phố Đội Cấn",
            "name": "Nguyễn Văn Hùng", "phone": "0912345678"}}


def test_the_desk_sends_a_result_by_post_in_chromium(app, client, library, live_server, browser):  # noqa: F811
    staff(client, "mot_cua", "Desk", BA_DINH)
    page = sign_in(browser, live_server, "mot_cua")
    page.goto(f"{live_server}/mot-cua/tiep-nhan?procedure={BIRTH_CODE}")
    page.wait_for_selector("#a-name")
    page.wait_for_selector("#delivery-address", state="hidden")
    page.fill("#a-name", "Lê Thị Mai")
    page.check("input[name=components][value=birth_certificate]")
    page.select_option("#d-delivery", "post")
    page.wait_for_selector("#delivery-address", state="visible")
    page.select_option("#delivery-address-province", "79")
    page.wait_for_function("document.querySelectorAll('#delivery-address-commune option').length > 100")
    commune = communes("79")[0][0]
    page.select_option("#delivery-address-commune", commune)
    page.fill("#delivery-address-street", "Số 5 đường Lê Lợi")
    with page.expect_navigation():
        page.click("button[name=register]")
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.delivery == {"method": "post", "address": {
            "province": "79", "commune": commune, "street": "Số 5 đường Lê Lợi"}}
