"""Postal delivery through VNPost, over HTTP against tests/vnpost_simulator.py:
the result's order on status 9 with its waybill kept, the carrier's signed
callbacks (forged, replayed, out of order), polling, and a carrier that is
down when the order is placed."""
from __future__ import annotations

import copy
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from builder.extensions import db
from builder.jobs.queue import flush_outbox
from builder.models import DeliveryEvent, DeliveryOrder, Dossier, JobRecord
from builder.plugins import carriers
from tests.helpers import BA_DINH, MINIMAL_PDF, citizen, example_data, staff
from tests.vnpost_simulator import ServedApp, VNPostSimulator, signed_envelope

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TOKEN = "h-token-thu-nghiem"
SECRET = "khoa-ky-callback-thu-nghiem-0123456789"
CUSTOMER = "C000123456"
POSTED = "1.001193.000.00.00.H26.POST"
OFFICE = {"name": "Bộ phận Một cửa UBND phường Ba Đình", "address": "25 Đội Cấn", "phone": "02438234567",
          "email": "motcua@badinh.example.vn", "province_code": "01", "commune_code": "00004"}
ADDRESS = {"province": "01", "commune": "00025", "street": "Số 12 phố Đội Cấn", "phone": "0987654321"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=VIETNAM)


@pytest.fixture
def simulator():
    sim = VNPostSimulator(TOKEN, SECRET).start()
    yield sim
    sim.stop()


@pytest.fixture
def app_config(app_config, simulator):
    app_config["PLUGINS"] = {"vnpost": {"base_url": simulator.url, "customer_code": CUSTOMER,
                                        "token": TOKEN, "callback_secret": SECRET, "sender": OFFICE,
                                        "timeout": 5}}
    return app_config


@pytest.fixture
def served(app, simulator):
    """Our app on a local port, where the simulator sends its callbacks."""
    server = ServedApp(app)
    simulator.callback_url = f"{server.url}/delivery/vnpost/callback"
    yield server
    server.stop()


@pytest.fixture
def package(app, birth_package) -> dict:
    from builder.forms.package import import_package

    posted = copy.deepcopy(birth_package)
    posted.update(code=POSTED, delivery={"carrier": "vnpost", "dossier_by_post": True})
    with app.app_context():
        import_package(db.session, posted, published_by="tests")
        db.session.commit()
    return posted


@pytest.fixture
def people(client, package):
    return {"owner": citizen(client), "desk": staff(client, "mot_cua", "Desk", BA_DINH),
            "officer": staff(client, "cong_chuc", "Officer", BA_DINH),
            "leader": staff(client, "lanh_dao", "Leader", BA_DINH)}


def submit(client, headers, package, delivery) -> tuple:
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": POSTED, "data": example_data(package), "agency": BA_DINH,
        "delivery": delivery, "submit": False})
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()["id"]
    upload = client.post(f"/api/v1/dossiers/{draft}/attachments", headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    return draft, client.post(f"/api/v1/dossiers/{draft}/submit", headers=headers)


def act(client, headers, code, action, **body):
    response = client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def to_status_9(client, people, code) -> dict:
    act(client, people["desk"], code, "receive")
    act(client, people["leader"], code, "assign", assignee="cong_chuc")
    act(client, people["officer"], code, "forward")
    done = act(client, people["leader"], code, "approve")
    assert done["status"] == 9
    return done


@pytest.fixture
def posted(client, people, package) -> dict:
    """A dossier whose result goes by post, at status 9."""
    _draft, response = submit(client, people["owner"], package, {"method": "post", "address": ADDRESS})
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    to_status_9(client, people, code)
    return {"code": code, "view": view(client, people, code)}


def view(client, people, code) -> dict:
    response = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"])
    assert response.status_code == 200
    return response.get_json()


def agency_name(app, code) -> str:
    from builder.models import Agency

    with app.app_context():
        return db.session.scalar(select(Agency.name).where(Agency.code == code))


def agency_address(app, code) -> str:
    from builder.models import Agency

    with app.app_context():
        return db.session.scalar(select(Agency.address).where(Agency.code == code))


def events_of(app, code) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.status, e.source) for e in db.session.scalars(
            select(DeliveryEvent).join(DeliveryOrder).join(Dossier).where(Dossier.code == code)
            .order_by(DeliveryEvent.at, DeliveryEvent.id))]


# --- the plugin --------------------------------------------------------------------

def test_register_carriers_offers_vnpost_and_checks_its_settings(app):
    with app.app_context():
        vnpost = carriers()["vnpost"]
        assert vnpost.check_config() == []
    app.config["PLUGINS"]["vnpost"] = {"base_url": "ftp://x", "token": TOKEN}
    with app.app_context():
        problems = " ".join(carriers()["vnpost"].check_config())
    assert "customer_code" in problems and "callback_secret" in problems
    assert "base_url" in problems and "sender" in problems


# --- ordering ------------------------------------------------------------------------

def test_the_result_is_ordered_on_status_9_and_its_waybill_kept(app, client, simulator, posted):
    assert len(simulator.create_requests) == 1
    sent = simulator.create_requests[0]
    assert sent["OrderCode"] == posted["code"] and sent["CustomerCode"] == CUSTOMER
    assert sent["ReceiverFullname"] == "Nguyễn Văn Hùng" and sent["ReceiverTel"] == "0987654321"
    assert sent["ReceiverAddress"] == "Số 12 phố Đội Cấn, Phường Giảng Võ, Thành phố Hà Nội"
    assert (sent["ReceiverProvinceId"], sent["ReceiverWardId"]) == ("01", "00025")
    # the agency's record has no codes: the office's sender settings complete it
    assert sent["SenderFullname"] == agency_name(app, BA_DINH)
    assert (sent["SenderProvinceId"], sent["SenderWardId"]) == ("01", "00004")
    waybill = simulator.orders[(CUSTOMER, posted["code"])]["ItemCode"]
    delivery = posted["view"]["delivery"]
    assert delivery["method"] == "post" and delivery["waybill"] == waybill
    assert delivery["status"] == "requested"
    assert delivery["orders"][0]["direction"] == "to_applicant"


def test_a_result_not_sent_by_post_makes_no_order(app, client, simulator, people, package):
    _draft, response = submit(client, people["owner"], package, {"method": "desk"})
    to_status_9(client, people, response.get_json()["code"])
    assert simulator.create_requests == []
    with app.app_context():
        assert db.session.scalar(select(DeliveryOrder)) is None


def test_post_needs_a_real_address(client, people, package):
    _draft, response = submit(client, people["owner"], package, {"method": "post"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["delivery.address"] == ["Hãy nhập địa chỉ nhận bưu gửi."]
    bad = dict(ADDRESS, province="01", commune="26734")  # a commune of Hồ Chí Minh City
    response = client.post("/api/v1/dossiers", headers=people["owner"], json={
        "procedure": POSTED, "data": example_data(package), "delivery": {"method": "post", "address": bad},
        "submit": False})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["delivery.address.commune"]


def test_a_paper_dossier_sent_by_post_is_collected_from_the_applicant(app, client, simulator, people, package):
    _draft, response = submit(client, people["owner"], package,
                              {"method": "desk", "address": ADDRESS, "dossier_by_post": True})
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    sent = simulator.create_requests[-1]
    assert sent["OrderCode"] == f"{code}-HS"
    assert sent["SenderFullname"] == "Nguyễn Văn Hùng" and sent["SenderWardId"] == "00025"
    # the agency's own record first, the office's sender settings for what it lacks
    assert sent["ReceiverAddress"] == agency_address(app, BA_DINH) and sent["ReceiverWardId"] == "00004"
    orders = view(client, people, code)["delivery"]["orders"]
    assert [(o["direction"], bool(o["waybill"])) for o in orders] == [("to_agency", True)]


def test_a_service_without_paper_by_post_refuses_it(app, client, people, package, birth_package):
    _draft, response = submit(client, people["owner"], package, {"method": "desk"})  # warm up the fixture
    from builder.forms.package import import_package

    with app.app_context():
        import_package(db.session, dict(birth_package, code="NO.PAPER"), published_by="tests")
        db.session.commit()
    response = client.post("/api/v1/dossiers", headers=people["owner"], json={
        "procedure": "NO.PAPER", "data": example_data(birth_package),
        "delivery": {"method": "post", "address": ADDRESS, "dossier_by_post": True}, "submit": False})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["delivery.dossier_by_post"]


def test_the_carrier_down_then_up_the_job_retries_and_orders_once(app, client, simulator, people, package):
    simulator.down = True
    _draft, response = submit(client, people["owner"], package, {"method": "post", "address": ADDRESS})
    code = response.get_json()["code"]
    to_status_9(client, people, code)
    delivery = view(client, people, code)["delivery"]
    assert delivery["status"] == "requested" and delivery["waybill"] is None
    with app.app_context():
        order = db.session.scalar(select(DeliveryOrder))
        assert "503" in order.last_error
        job = db.session.scalar(select(JobRecord).where(JobRecord.func.endswith("place_delivery_order")))
        assert job.state == "pending" and job.attempts == 1
    simulator.down = False
    with app.app_context():
        flush_outbox()
        job = db.session.scalar(select(JobRecord).where(JobRecord.func.endswith("place_delivery_order")))
        assert job.state == "done"
        db.session.remove()
    waybill = view(client, people, code)["delivery"]["waybill"]
    assert waybill == simulator.orders[(CUSTOMER, code)]["ItemCode"]
    with app.app_context():  # a second run (a duplicated job) sends nothing again
        from builder.delivery import place_order

        assert place_order(job.args[0]) == waybill
    assert len(simulator.orders) == 1


def test_an_order_the_carrier_took_but_we_did_not_record_gets_the_same_waybill(app, simulator, posted):
    with app.app_context():
        order = db.session.scalar(select(DeliveryOrder))
        first, order.waybill = order.waybill, None  # as if our commit was lost after VNPost answered
        db.session.commit()
        from builder.delivery import place_order

        assert place_order(order.id) == first
    assert len(simulator.create_requests) == 2 and len(simulator.orders) == 1


# --- callbacks -------------------------------------------------------------------------

def test_callbacks_update_what_the_citizen_and_the_public_see(app, client, simulator, served, posted, people):
    waybill = posted["view"]["delivery"]["waybill"]
    for status_id, minutes, note in ((70, 0, "Bưu cục Ba Đình đã nhận"), (91, 60, "Người nhận vắng nhà"),
                                     (100, 180, None)):
        response = simulator.advance(waybill, status_id, T0 + timedelta(minutes=minutes), note)
        assert response.status_code == 200, response.text
        assert response.json()["recorded"] == 1
    delivery = view(client, people, posted["code"])["delivery"]
    assert delivery["status"] == "delivered"
    assert [(e["status"], e["note"]) for e in delivery["orders"][0]["events"]] == [
        ("accepted", "Bưu cục Ba Đình đã nhận"), ("in_transit", "Người nhận vắng nhà"), ("delivered", None)]
    assert datetime.fromisoformat(delivery["orders"][0]["events"][0]["at"]) == T0
    browser = app.test_client()  # the citizen's portal page: the waybill and each event, in Vietnamese
    signed = browser.post("/login/", data={"username": "001090012345", "password": "mat-khau-123"},
                          follow_redirects=True)
    assert signed.status_code == 200
    html = browser.get(f"/dich-vu/ho-so/{posted['code']}").get_data(as_text=True)
    assert waybill in html and "Đã phát thành công" in html and "Người nhận vắng nhà" in html
    lookup = client.get(f"/api/v1/lookup/{posted['code']}").get_json()
    assert [(d["direction"], d["status"]) for d in lookup["delivery"]] == [("to_applicant", "delivered")]
    assert waybill not in json.dumps(lookup) and "Đội Cấn" not in json.dumps(lookup)
    public = client.get(f"/dich-vu/tra-cuu?code={posted['code']}").get_data(as_text=True)
    assert "Đã phát thành công" in public and waybill not in public


def test_replayed_and_out_of_order_callbacks_never_move_the_state_back(app, client, simulator, served,
                                                                       posted, people):
    waybill = posted["view"]["delivery"]["waybill"]
    assert simulator.advance(waybill, 100, T0 + timedelta(hours=5)).json()["recorded"] == 1
    delivered = simulator.order_by_waybill(waybill).copy()
    late = simulator.advance(waybill, 70, T0)  # an older event arrives last
    assert late.status_code == 200 and late.json()["recorded"] == 1
    replay = simulator.push(simulator._public(delivered))
    assert replay.status_code == 200 and replay.json() == {"ok": True, "recorded": 0, "repeated": 1,
                                                            "unknown": 0}
    delivery = view(client, people, posted["code"])["delivery"]
    assert delivery["status"] == "delivered"
    assert events_of(app, posted["code"]) == [("accepted", "callback"), ("delivered", "callback")]


def test_forged_and_malformed_callbacks_change_nothing(app, client, simulator, served, posted, people):
    waybill = posted["view"]["delivery"]["waybill"]
    order = dict(simulator._public(simulator.order_by_waybill(waybill)), OrderStatusId=100,
                 LastUpdateTime="02/03/2026 10:00:00")
    forged = simulator.push(order, secret="khoa-gia-mao")
    assert forged.status_code == 403
    assert forged.json()["message"] == "Thông báo của đơn vị bưu chính không được ký bằng khóa đã thỏa thuận."
    envelope = signed_envelope(SECRET, order)
    envelope["Data"] = envelope["Data"].replace('"OrderStatusId": 100', '"OrderStatusId": 170')
    tampered = client.post("/delivery/vnpost/callback", data=json.dumps(envelope), content_type="application/json")
    assert tampered.status_code == 403
    for body in (b"not json", b'{"Data": 1}', json.dumps(signed_envelope(SECRET, order))[:-5].encode()):
        response = client.post("/delivery/vnpost/callback", data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.get_json()["message"] == "Không đọc được thông báo của đơn vị bưu chính."
    unknown = client.post("/delivery/vnpost/callback", content_type="application/json",
                          data=json.dumps(signed_envelope(SECRET, dict(order, ItemCode="EL000000000VN"))))
    assert unknown.status_code == 404
    assert client.post("/delivery/khong-co/callback", data=b"{}").status_code == 404
    assert events_of(app, posted["code"]) == []
    assert view(client, people, posted["code"])["delivery"]["status"] == "requested"


# --- polling ----------------------------------------------------------------------------

def test_polling_records_what_the_carrier_says(app, client, simulator, posted, people):
    from builder.delivery import poll_deliveries

    waybill = posted["view"]["delivery"]["waybill"]
    simulator.advance(waybill, 70, T0, push=False)
    with app.app_context():
        assert poll_deliveries() == {"polled": 1, "recorded": 1, "placed": 0, "failed": 0}
        assert poll_deliveries()["recorded"] == 0  # the same state again: nothing new
    simulator.advance(waybill, 170, T0 + timedelta(days=3), "Không có người nhận", push=False)
    simulator.down = True
    with app.app_context():
        assert poll_deliveries()["failed"] == 1
    simulator.down = False
    with app.app_context():
        assert poll_deliveries()["recorded"] == 1
        assert poll_deliveries()["polled"] == 0, "a returned parcel is not asked about again"
    assert events_of(app, posted["code"]) == [("accepted", "poll"), ("returned", "poll")]
    assert view(client, people, posted["code"])["delivery"]["status"] == "returned"
