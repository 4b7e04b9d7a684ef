"""A vendor's plugin, installed as its own package: examples/motcua-zalopay.

The package is built and installed with pip into a temporary folder (the
shared environment is left alone), the folder is put on sys.path so its entry
point is seen, and the app picks the plugin up: listed by the API and by
`motcua plugins`, chosen as a service's gateway on the admin page, and used
for a payment whose ZaloPay messages are signed here from ZaloPay's
description (HMAC-SHA256 with key1 and key2), never with the plugin's code."""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from builder.cli import main as cli
from builder.extensions import db
from builder.forms.package import import_package
from tests.helpers import citizen, login, staff, submit_birth

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "motcua-zalopay"
APP_ID, KEY1, KEY2 = 2553, "khoa-mot-cua-nha-cung-cap", "khoa-hai-cua-nha-cung-cap"
PUBLIC_URL = "https://dichvucong.example.vn"
CODE = "1.001193.000.00.00.H26.ZLP"
FEE = 30000
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ORDER_URL = "https://qcgateway.zalopay.vn/openinapp?order=thu-nghiem"


def mac(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="session")
def vendor_site(tmp_path_factory) -> Path:
    """The example package, built and installed by pip into a folder of its
    own (from a copy, so the checkout gets no build folders)."""
    source = tmp_path_factory.mktemp("vendor-source") / "motcua-zalopay"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    target = tmp_path_factory.mktemp("vendor-site")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (target / "motcua_zalopay" / "gateway.py").exists()
    return target


@pytest.fixture
def vendor_installed(vendor_site, monkeypatch):
    monkeypatch.syspath_prepend(str(vendor_site))  # undone after the test
    yield vendor_site
    for name in [m for m in sys.modules if m == "motcua_zalopay" or m.startswith("motcua_zalopay.")]:
        del sys.modules[name]


class ZaloPayStandIn:
    """ZaloPay's create-order endpoint, over HTTP: it checks the order's mac
    with key1 and answers as ZaloPay does."""

    def __init__(self):
        self.orders: list[dict] = []
        app = Flask("zalopay-stand-in")

        @app.post("/v2/create")
        def create():
            order = request.form.to_dict()
            self.orders.append(order)
            text = "|".join(order.get(k, "") for k in ("app_id", "app_trans_id", "app_user", "amount",
                                                       "app_time", "embed_data", "item"))
            if not hmac.compare_digest(order.get("mac", ""), mac(KEY1, text)):
                return jsonify(return_code=2, return_message="Giao dịch thất bại", sub_return_code=-402,
                               sub_return_message="Mac không hợp lệ")
            return jsonify(return_code=1, return_message="Giao dịch thành công", sub_return_code=1,
                           order_url=ORDER_URL, zp_trans_token="thu-nghiem")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v2/create"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def zalopay():
    stand_in = ZaloPayStandIn()
    stand_in.thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.thread.join(timeout=10)


@pytest.fixture
def app_config(app_config, vendor_installed, zalopay):
    app_config["PLUGINS"] = {"zalopay": {"app_id": APP_ID, "key1": KEY1, "key2": KEY2,
                                         "create_url": zalopay.url}}
    app_config["PUBLIC_URL"] = PUBLIC_URL
    return app_config


def test_the_vendor_plugin_is_listed_by_the_api_and_the_command(app, client, app_config, monkeypatch):
    admin = staff(client, "quan_tri", role="Admin", agency=None)
    by_name = {p["name"]: p for p in client.get("/api/v1/plugins", headers=admin).get_json()}
    assert by_name["zalopay"] == {
        "name": "zalopay", "version": "1.0.0", "hooks": ["register_payment_gateways"], "kind": "payment",
        "providers": ["zalopay"], "configured": True, "problems": [], "blocked": False}
    # the command reads the instance's settings: none here, so it says what is missing
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", app_config["INSTANCE_PATH"])
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("zalopay "))
    assert line.startswith("zalopay 1.0.0 [payment] NOT configured: ")
    assert "key1" in line and "key2" in line
    monkeypatch.setenv("MOTCUA_PLUGINS", json.dumps({"zalopay": {"app_id": APP_ID, "key1": KEY1,
                                                                 "key2": KEY2}}))
    result = CliRunner().invoke(cli, ["plugins"])
    assert "zalopay 1.0.0 [payment] configured" in result.output


def callback(payment_id: int, amount: int = FEE, key: str = KEY2) -> dict:
    """What ZaloPay POSTs to the callback URL once the payer has paid."""
    data = json.dumps({
        "app_id": APP_ID, "app_trans_id": f"{datetime.now(VIETNAM):%y%m%d}_{payment_id}",
        "app_time": 1740800000000, "app_user": "nguoi-nop", "amount": amount, "embed_data": "{}",
        "item": "[]", "zp_trans_id": 250301000054321, "server_time": 1740800060000, "channel": 38,
        "merchant_user_id": "thu-nghiem", "user_fee_amount": 0, "discount_amount": 0,
    })
    return {"data": data, "mac": mac(key, data), "type": 1}


def post_callback(client, body) -> dict:
    response = client.post("/payments/zalopay/ipn", json=body)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_a_service_pays_through_the_vendor_gateway(app, client, birth_package, zalopay):
    package = copy.deepcopy(birth_package)
    package.update(code=CODE, fees=[{"name": "Lệ phí", "amount": FEE}], fee_mode="before", payment=None)
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    # the admin chooses the vendor's gateway for the service, then publishes the draft
    staff(client, "quan_tri", role="Admin", agency=None)
    browser = app.test_client()
    browser.post("/login/", data={"username": "quan_tri", "password": "mat-khau-can-bo"})
    page = browser.get("/quan-tri/tien-ich/").get_data(as_text=True)
    assert 'id="plugin-zalopay"' in page and 'value="zalopay"' in page
    assert browser.post(f"/quan-tri/tien-ich/{CODE}/nha-cung-cap", data={"gateway": "zalopay"}).status_code == 302
    admin = login(client, "quan_tri", "mat-khau-can-bo")
    assert client.post(f"/api/v1/procedures/{CODE}/publish", headers=admin).get_json()["version"] == 2

    # the citizen pays: the order reaches ZaloPay signed with key1
    headers = citizen(client)
    code = submit_birth(client, headers, package, procedure=CODE)["code"]
    response = client.post(f"/api/v1/dossiers/{code}/payments", headers=headers, json={"gateway": "zalopay"})
    assert response.status_code == 201, response.get_json()
    payment = response.get_json()
    assert payment["redirect_url"] == ORDER_URL and payment["amount"] == FEE
    order = zalopay.orders[-1]
    assert order["app_id"] == str(APP_ID) and order["amount"] == str(FEE)
    assert order["app_trans_id"] == f"{datetime.now(VIETNAM):%y%m%d}_{payment['id']}"
    assert json.loads(order["embed_data"]) == {"redirecturl": f"{PUBLIC_URL}/payments/zalopay/return"}
    assert order["callback_url"] == f"{PUBLIC_URL}/payments/zalopay/ipn"

    def payment_status():
        body = client.get(f"/api/v1/dossiers/{code}", headers=headers).get_json()
        return body["payment"]["status"]

    # a forged callback (signed with the wrong key) or a wrong amount changes nothing
    assert post_callback(client, callback(payment["id"], key=KEY1))["return_code"] == -1
    assert post_callback(client, callback(payment["id"], amount=FEE - 1000))["return_code"] == -1
    assert payment_status() == "pending"
    # ZaloPay's callback, signed with key2, settles it; a repeat is "already confirmed"
    assert post_callback(client, callback(payment["id"])) == {"return_code": 1, "return_message": "success"}
    assert payment_status() == "paid"
    assert post_callback(client, callback(payment["id"]))["return_code"] == 2
    # the payer's return, with its checksum: shown, not acted upon
    values = {"appid": str(APP_ID), "apptransid": order["app_trans_id"], "pmcid": "38", "bankcode": "",
              "amount": str(FEE), "discountamount": "0", "status": "1"}
    values["checksum"] = mac(KEY2, "|".join(values[k] for k in ("appid", "apptransid", "pmcid", "bankcode",
                                                               "amount", "discountamount", "status")))
    shown = client.get("/payments/zalopay/return", query_string=values, headers={"Accept": "application/json"})
    assert shown.status_code == 200 and shown.get_json()["outcome"] == "paid"
    values["amount"] = str(FEE * 10)
    forged = client.get("/payments/zalopay/return", query_string=values, headers={"Accept": "application/json"})
    assert forged.status_code == 400 and forged.get_json()["outcome"] == "unverified"


def test_the_example_packages_own_tests_pass(tmp_path):
    """The vendor's tests, run as the vendor runs them, from its folder."""
    source = tmp_path / "motcua-zalopay"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=source, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
