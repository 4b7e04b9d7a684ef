"""The officer's path in a real browser (Debian's Chromium through Playwright):
desk receives, the head assigns, the officer forwards, the leader approves,
the desk returns the result — all by clicking in the back office."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI
from tests.helpers import BA_DINH, citizen, staff, submit_birth

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "mat-khau-can-bo"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM) or shutil.which("chromium") is None:
        message = "Chromium is missing: apt-get install chromium (make test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def sign_in(browser, base: str, username: str):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    return page


def open_dossier(page, base: str, code: str, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    page.goto(f"{base}/mot-cua/ho-so?{query}")
    page.click(f"text={code}")
    page.wait_for_selector("#dossier-status")


def do(page, label: str, comment: str | None = None, select: tuple[str, str] | None = None):
    form = page.locator(f"form[aria-label='{label}']")
    if select:
        form.locator(f"select[name={select[0]}]").select_option(select[1])
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert")


def test_the_officers_path_in_chromium(app, client, library, birth_package, live_server, browser):
    code = submit_birth(client, citizen(client), birth_package)["code"]
    for username, role in (("mot_cua", "Desk"), ("truong_phong", "Leader"), ("cong_chuc", "Officer")):
        staff(client, username, role, BA_DINH)

    desk = sign_in(browser, live_server, "mot_cua")
    open_dossier(desk, live_server, code, status=1)
    assert "Nguyễn Minh Khôi" in desk.content()  # the form data, labelled
    do(desk, "Tiếp nhận hồ sơ", "Hồ sơ đầy đủ, hợp lệ")
    assert desk.inner_text("#dossier-status") == "Được tiếp nhận"

    leader = sign_in(browser, live_server, "truong_phong")
    open_dossier(leader, live_server, code)
    do(leader, "Phân công xử lý", select=("assignee", "cong_chuc"))
    assert leader.inner_text("#dossier-status") == "Đang xử lý"

    officer = sign_in(browser, live_server, "cong_chuc")
    officer.goto(f"{live_server}/mot-cua/ho-so")
    officer.check("input[name=mine]")
    with officer.expect_navigation():
        officer.click("button:has-text('Lọc')")
    assert code in officer.inner_text("table")
    open_dossier(officer, live_server, code, mine=1)
    do(officer, "Chuyển bước xử lý", "Đủ điều kiện đăng ký khai sinh")

    open_dossier(leader, live_server, code)
    do(leader, "Phê duyệt kết quả", "Đồng ý")
    assert leader.inner_text("#dossier-status") == "Đã xử lý xong"

    open_dossier(desk, live_server, code)
    do(desk, "Trả kết quả")
    assert desk.inner_text("#dossier-status") == "Đã trả kết quả"
    history = desk.inner_text("#history")
    for step in ("Tiếp nhận hồ sơ", "Phân công xử lý", "Chuyển bước xử lý", "Phê duyệt kết quả", "Trả kết quả"):
        assert step in history
    # nothing left to do, and the officer may not act on another commune's work
    assert "Không có thao tác nào" in desk.content()
