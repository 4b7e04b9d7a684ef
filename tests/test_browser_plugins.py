"""The plugins page in Chromium: the admin finds it in the menu, reads which
plugins are not configured and why, chooses the desk as the birth
registration's payment gateway, and is refused a gateway that does not exist
(a forged option), with the draft untouched."""
from __future__ import annotations

from tests.helpers import BIRTH_CODE, login, staff
from tests.test_browser_office import browser, live_server, sign_in  # noqa: F401  (fixtures)


def test_the_admin_chooses_a_gateway_in_the_browser(app, client, library, live_server, browser):  # noqa: F811
    staff(client, "quan_tri", role="Admin", agency=None)
    page = sign_in(browser, live_server, "quan_tri")
    page.click("text=Bảo mật")
    page.click("text=Tiện ích mở rộng")
    page.wait_for_selector("#plugins")
    assert page.url.endswith("/quan-tri/tien-ich/")

    vnpay = " ".join(page.inner_text("#plugin-vnpay").split())
    assert "Chưa cấu hình" in vnpay and 'Chưa khai báo tmn_code trong PLUGINS["vnpay"].' in vnpay
    assert "Đã cấu hình" in page.inner_text("#plugin-desk")
    assert "phiên bản đã công bố không bao giờ thay đổi" in page.inner_text("#publish-note")

    row = page.locator(f'[id="service-{BIRTH_CODE}"]')
    offered = row.locator("select[name=gateway] option").evaluate_all("options => options.map(o => o.value)")
    assert "desk" in offered and "vnpay" not in offered  # only configured gateways are offered
    row.locator("select[name=gateway]").select_option("desk")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert "Đã lưu lựa chọn vào bản nháp" in page.inner_text(".alert-success")
    row = page.locator(f'[id="service-{BIRTH_CODE}"]')
    assert row.locator("select[name=gateway]").input_value() == "desk"
    assert "Bản nháp chưa công bố" in row.inner_text()

    # a forged choice: the server refuses it by name, in Vietnamese, and saves nothing
    row.locator("select[name=gateway]").evaluate(
        "select => { select.add(new Option('khong_co', 'khong_co')); select.value = 'khong_co'; }")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".text-danger.error")
    assert "Không có cổng thanh toán nào tên khong_co." in page.inner_text(f'[id="service-{BIRTH_CODE}"]')

    admin = login(client, "quan_tri", "mat-khau-can-bo")
    draft = client.get(f"/api/v1/procedures/{BIRTH_CODE}/export", headers=admin).get_json()
    assert draft["payment"] == {"gateway": "desk"}
    published = client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()
    assert published["payment"] is None  # the published version is untouched
