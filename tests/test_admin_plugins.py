"""The admin's plugins page: the plugins with their state, and each service's
payment gateway and postal carrier, chosen by name and saved into its draft."""
from __future__ import annotations

import re
import types

import pytest
from click.testing import CliRunner

from builder import create_app, hookimpl
from builder.cli import main as cli
from builder.extensions import db
from builder.models import Procedure
from builder.providers import CallbackResult
from tests.helpers import BIRTH_CODE, login, staff

PAGE = "/quan-tri/tien-ich/"
CHOOSE = f"/quan-tri/tien-ich/{BIRTH_CODE}/nha-cung-cap"


class Carrier:
    """A postal carrier installed by a test plugin."""

    name, label = "test_post", "Bưu chính thử nghiệm"

    def __init__(self, problems=()):
        self.problems = list(problems)

    def check_config(self):
        return self.problems

    def create_order(self, order):
        return {"waybill": "TEST0001"}

    def track(self, waybill):
        return []

    def verify_callback(self, headers, body):
        return None


class Gateway:
    """A payment gateway whose settings are missing."""

    name, label = "half_set_up", "Cổng chưa cấu hình"

    def check_config(self):
        return ["api_key chưa được đặt"]

    def start_payment(self, request):
        return None

    def verify_callback(self, params):
        return CallbackResult(valid_signature=False)

    def ipn_answer(self, outcome):
        return "{}", 200, "application/json"


def plugin_with(**hooks):
    """A plugin object implementing the given hooks."""
    return types.SimpleNamespace(**{name: hookimpl(function) for name, function in hooks.items()})


@pytest.fixture
def app_config(app_config):
    app_config["PLUGINS_EXTRA"] = [
        plugin_with(register_carriers=lambda app: [Carrier()]),
        plugin_with(register_payment_gateways=lambda app: [Gateway()]),
    ]
    app_config["PLUGINS_BLOCKED"] = ["log_notifier"]
    return app_config


def admin_browser(app, client):
    staff(client, "quan_tri", role="Admin", agency=None)
    browser = app.test_client()
    response = browser.post("/login/", data={"username": "quan_tri", "password": "mat-khau-can-bo"})
    assert response.status_code == 302
    return browser


def rows(html: str) -> dict[str, str]:
    """Each plugin's table row, as text, by plugin name."""
    return {name: " ".join(re.sub(r"<[^>]+>", " ", row).split())
            for name, row in re.findall(r'<tr id="plugin-([\w.-]+)"[^>]*>(.*?)</tr>', html, re.S)}


def draft_of(app, code=BIRTH_CODE):
    with app.app_context():
        procedure = db.session.query(Procedure).filter_by(code=code).one()
        return procedure.draft, procedure.current_version.package, procedure.current_version.number


def test_the_page_lists_plugins_with_their_state(app, client, library):
    browser = admin_browser(app, client)
    response = browser.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tiện ích mở rộng" in html  # the page title and the menu entry
    by_name = rows(html)
    assert by_name["desk"].startswith("desk 0.1.0 Thanh toán register_payment_gateways desk")
    assert by_name["desk"].endswith("Đã cấu hình")
    # VNPay has no settings here: its check_config() problems, in Vietnamese
    assert "Chưa cấu hình" in by_name["vnpay"]
    assert 'Chưa khai báo tmn_code trong PLUGINS["vnpay"]' in html.replace("&#34;", '"')
    assert "Chưa cấu hình" in by_name[next(n for n in by_name if "half_set_up" in by_name[n])]
    assert by_name["log_notifier"].startswith("log_notifier 0.1.0")
    assert "Đã chặn" in by_name["log_notifier"] and "Đã cấu hình" not in by_name["log_notifier"]
    carrier_row = next(row for row in by_name.values() if "test_post" in row)
    assert "Bưu chính" in carrier_row and "register_carriers" in carrier_row
    # the choices: configured providers only; the unconfigured gateway is not offered
    service = html[html.index(f'id="service-{BIRTH_CODE}"'):]
    assert 'value="desk"' in service and 'value="test_post"' in service
    assert 'value="half_set_up"' not in service and 'value="vnpay"' not in service
    assert "phiên bản đã công bố không bao giờ thay đổi" in html


def test_the_plugins_api_says_kind_configured_problems_and_blocked(app, client):
    admin = staff(client, "quan_tri", role="Admin", agency=None)
    by_name = {p["name"]: p for p in client.get("/api/v1/plugins", headers=admin).get_json()}
    assert by_name["vnpay"]["kind"] == "payment" and by_name["vnpay"]["configured"] is False
    assert any("tmn_code" in problem for problem in by_name["vnpay"]["problems"])
    assert by_name["desk"]["configured"] is True and by_name["desk"]["problems"] == []
    assert by_name["log_notifier"] == {
        "name": "log_notifier", "version": "0.1.0", "hooks": [], "kind": None, "providers": [],
        "configured": False, "problems": [], "blocked": True}
    carrier = next(p for p in by_name.values() if p["providers"] == ["test_post"])
    assert carrier["kind"] == "delivery" and carrier["configured"] is True and carrier["blocked"] is False
    gateway = next(p for p in by_name.values() if p["providers"] == ["half_set_up"])
    assert gateway["problems"] == ["api_key chưa được đặt"]


def test_every_kind_is_named_in_the_plugins_api(app_config):
    """Each registry hook gives its kind; a plugin with none is "other"."""
    app_config["PLUGINS_BLOCKED"] = []
    app_config["PLUGINS_EXTRA"] = [
        plugin_with(register_signers=lambda app: []),
        plugin_with(register_signature_verifiers=lambda app: []),
        plugin_with(register_identity_providers=lambda app: []),
        plugin_with(register_notifiers=lambda app: []),
        plugin_with(dossier_submitted=lambda app, dossier: None),
    ]
    app = create_app(app_config)
    from builder.plugins import plugin_info

    with app.app_context():
        kinds = sorted(p["kind"] for p in plugin_info(app) if p["name"].isdigit())
        db.engine.dispose()
    assert kinds == ["identity", "notification", "other", "signature", "signature"]


def test_a_broken_plugin_is_a_problem_on_the_page_not_an_error(app_config):
    def broken(app):
        raise RuntimeError("không kết nối được")

    app_config["PLUGINS_EXTRA"] = [plugin_with(register_carriers=broken)]
    app = create_app(app_config)
    from builder.plugins import plugin_info

    with app.test_request_context():
        info = next(p for p in plugin_info(app) if p["hooks"] == ["register_carriers"])
    assert info["configured"] is False
    assert info["problems"] == ["register_carriers gặp lỗi: không kết nối được"]
    with app.app_context():
        db.engine.dispose()


def test_choosing_a_gateway_and_a_carrier_updates_the_draft_only(app, client, library):
    browser = admin_browser(app, client)
    draft, published, number = draft_of(app)
    assert published["payment"] is None and draft == published
    response = browser.post(CHOOSE, data={"gateway": "desk", "carrier": "test_post"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#service-{BIRTH_CODE}")
    draft, published, version = draft_of(app)
    assert draft["payment"] == {"gateway": "desk"} and draft["delivery"]["carrier"] == "test_post"
    assert published["payment"] is None and "delivery" not in published and version == number
    page = browser.get(PAGE).get_data(as_text=True)
    assert "Đã lưu lựa chọn vào bản nháp" in page and "Bản nháp chưa công bố" in page
    # publishing makes a new version with the choice; the old one is unchanged
    admin = login(client, "quan_tri", "mat-khau-can-bo")
    published_now = client.post(f"/api/v1/procedures/{BIRTH_CODE}/publish", headers=admin).get_json()
    assert published_now["version"] == number + 1
    draft, published, version = draft_of(app)
    assert published["payment"] == {"gateway": "desk"} and version == number + 1
    # none: back to no online payment and no carrier, in a new draft
    assert browser.post(CHOOSE, data={"gateway": "", "carrier": ""}).status_code == 302
    draft, published, _ = draft_of(app)
    assert draft["payment"] is None and "carrier" not in (draft.get("delivery") or {})
    assert published["payment"] == {"gateway": "desk"}
    # the same choice again changes nothing
    browser.post(CHOOSE, data={"gateway": "", "carrier": ""})
    assert "Không có gì thay đổi" in browser.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("form, field, message", [
    ({"gateway": "zalopay_chua_cai"}, "payment.gateway", "Không có cổng thanh toán nào tên zalopay_chua_cai."),
    ({"carrier": "ghn"}, "delivery.carrier", "Không có đơn vị bưu chính nào tên ghn."),
    ({"gateway": "half_set_up"}, "payment.gateway",
     "Cổng thanh toán half_set_up chưa được cấu hình: api_key chưa được đặt"),
    ({"gateway": "desk", "carrier": "vnpay"}, "delivery.carrier", "Không có đơn vị bưu chính nào tên vnpay."),
])
def test_an_unknown_or_unconfigured_provider_is_refused(app, client, library, form, field, message):
    browser = admin_browser(app, client)
    before = draft_of(app)
    response = browser.post(CHOOSE, data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert draft_of(app) == before  # nothing saved, not even the valid half


def test_an_unknown_service_is_404(app, client, library):
    browser = admin_browser(app, client)
    assert browser.post("/quan-tri/tien-ich/KHONG-CO/nha-cung-cap", data={"gateway": "desk"}).status_code == 404


def test_the_plugins_page_is_for_admins_only(app, client, library):
    staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    designer = app.test_client()
    designer.post("/login/", data={"username": "thiet_ke", "password": "mat-khau-can-bo"})
    assert designer.get(PAGE).status_code == 403
    before = draft_of(app)
    assert designer.post(CHOOSE, data={"gateway": "desk"}).status_code == 403
    assert draft_of(app) == before
    assert "/quan-tri/tien-ich/" not in designer.get("/thiet-ke/").get_data(as_text=True)  # no menu entry
    assert app.test_client().get(PAGE).status_code == 302  # signed out: to the sign-in page


def test_motcua_init_grants_the_plugins_page_to_admins(app_config, monkeypatch):
    """`motcua init` syncs the page's permissions from ROLE_PERMISSIONS."""
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", app_config["INSTANCE_PATH"])
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    app = create_app(app_config)
    with app.app_context():
        role = app.appbuilder.sm.find_role("Admin")
        granted = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
        designer = app.appbuilder.sm.find_role("Designer")
        designer_granted = {(pv.permission.name, pv.view_menu.name) for pv in designer.permissions}
        db.engine.dispose()
    assert {("can_plugins", "PluginsView"), ("can_choose", "PluginsView"),
            ("menu_access", "Plugins")} <= granted
    assert not any(view in ("PluginsView", "Plugins") for _, view in designer_granted)
