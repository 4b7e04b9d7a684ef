"""The process designer in Chromium: a designer adds a step to the birth
registration process, reorders it, gets a clear error for a broken link,
and saves a draft whose diagram shows the new step."""
from __future__ import annotations

from tests.helpers import BIRTH_CODE, login, staff
from tests.test_browser_office import browser, live_server, sign_in  # noqa: F401  (fixtures)


def test_a_designer_adds_a_step_in_the_browser(app, client, library, live_server, browser):  # noqa: F811
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    page = sign_in(browser, live_server, "thiet_ke")
    page.goto(f"{live_server}/thiet-ke/")
    page.click("text=Thiết kế quy trình >> nth=-1")
    page.wait_for_selector("#steps")
    assert page.locator("#diagram svg .step").count() == 4

    # the empty last row adds a step; position 2.5 puts it between processing and approval
    new = 4
    page.fill(f"input[name=step-{new}-id]", "verification")
    page.fill(f"input[name=step-{new}-name]", "Xác minh thông tin cư trú")
    page.select_option(f"select[name=step-{new}-role]", "Officer")
    page.select_option(f"select[name=step-{new}-status]", "4")
    page.fill(f"input[name=step-{new}-duration_value]", "0,5")
    page.fill(f"input[name=step-{new}-position]", "2.5")
    page.fill(f"textarea[name=step-{new}-actions]", "forward -> approval\nrequest_supplement")
    page.fill("textarea[name=step-1-actions]", "assign [Leader]\nforward -> verificaton\nrequest_supplement")
    page.click("button:has-text('Lưu bản nháp')")
    errors = page.inner_text("#errors")
    assert "process.steps.1.actions.1.to" in errors and "verificaton" in errors  # the typo, named

    # nothing was lost: the page shows the steps as typed, in their new order
    assert page.input_value("input[name=step-2-id]") == "verification"
    page.fill("textarea[name=step-1-actions]", "assign [Leader]\nforward -> verification\nrequest_supplement")
    page.click("button:has-text('Lưu bản nháp')")
    page.wait_for_selector(".alert-success")
    assert page.locator("#diagram svg .step").count() == 5
    assert "Xác minh thông tin cư trú" in " ".join(page.inner_text("#diagram").split())

    designer = login(client, "thiet_ke", "mat-khau-can-bo")
    draft = client.get(f"/api/v1/procedures/{BIRTH_CODE}/export", headers=designer).get_json()
    steps = draft["process"]["steps"]
    assert [s["id"] for s in steps] == ["reception", "processing", "verification", "approval", "return"]
    assert steps[2]["duration"] == {"value": 0.5, "unit": "working_days"}
    assert {"action": "forward", "to": "verification"} in steps[1]["actions"]
    # the published version is untouched until the designer publishes
    assert len(client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()["process"]["steps"]) == 4
