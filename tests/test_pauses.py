"""The engine's pauses: waiting for payment (status 6, ``request_payment``,
resumed by the payment) and processing stopped (status 8, ``stop`` and
``resume``). The clock stops while paused and the due dates move on by the
paused office time: exact dates across Tết, a weekend and a holiday.

VNPay's notices are signed here from DOMAIN.md ("Payments"), never with the plugin's code."""
from __future__ import annotations

import copy
import hashlib
import hmac
import threading
from datetime import datetime, timezone
from urllib.parse import quote_plus

import pytest
from sqlalchemy import select

from builder.extensions import db
from builder.models import Dossier, HistoryEntry
from builder.process import history
from tests.helpers import BA_DINH, HOAN_KIEM, citizen, staff, submit_birth

PAUSE_CODE = "1.001193.000.00.00.H26.TAM-DUNG"
TMN_CODE, SECRET = "MOTCUA02", "KHOA-BI-MAT-TAM-DUNG-9876543210"
FEE_AFTER = 8000
UTC = timezone.utc


def at(*args) -> datetime:
    """An instant given in UTC (Hà Nội is UTC+7)."""
    return datetime(*args, tzinfo=UTC)


def vnpay_notice(payment_id: int, amount: int) -> dict:
    """VNPay's IPN: sorted keys, URL-encoded keys and values (spaces as +),
    joined k=v&..., hex HMAC-SHA512 with the merchant's secret."""
    params = {"vnp_Amount": str(amount * 100), "vnp_BankCode": "NCB", "vnp_OrderInfo": "Nop tien",
              "vnp_PayDate": "20261123100000", "vnp_ResponseCode": "00", "vnp_TmnCode": TMN_CODE,
              "vnp_TransactionNo": "14226999", "vnp_TransactionStatus": "00", "vnp_TxnRef": str(payment_id)}
    signed = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(params.items()))
    params["vnp_SecureHash"] = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha512).hexdigest()
    return params


@pytest.fixture
def app_config(app_config):
    app_config["PLUGINS"] = {"vnpay": {"tmn_code": TMN_CODE, "hash_secret": SECRET,
                                       "payment_url": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"}}
    return app_config


@pytest.fixture
def package(app, birth_package) -> dict:
    """Birth registration in 2 working days, with a fee paid after processing through VNPay."""
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=PAUSE_CODE, processing_time={"value": 2, "unit": "working_days"},
                   fees=[{"name": "Phí cấp bản sao trích lục", "amount": FEE_AFTER}], fee_mode="after",
                   payment={"gateway": "vnpay"})
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return package


@pytest.fixture
def clock(monkeypatch):
    now = {"now": at(2026, 11, 16, 2, 0)}
    for module in ("builder.process.engine", "builder.process.payments"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: now["now"])
    return now


@pytest.fixture
def people(client, package):
    return {
        "owner": citizen(client),
        "desk": staff(client, "mot_cua", "Desk", BA_DINH),
        "officer": staff(client, "cong_chuc", "Officer", BA_DINH),
        "leader": staff(client, "lanh_dao", "Leader", BA_DINH),
        "other_leader": staff(client, "lanh_dao_hk", "Leader", HOAN_KIEM),
    }


def act(client, headers, code, action, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def received(client, people, package, clock, when) -> str:
    """A dossier submitted and received at ``when``, assigned to the officer."""
    code = submit_birth(client, people["owner"], package, procedure=package["code"])["code"]
    clock["now"] = when
    ok(act(client, people["desk"], code, "receive"))
    ok(act(client, people["leader"], code, "assign", assignee="cong_chuc"))
    return code


def history_of(client, people, code) -> list[tuple]:
    rows = client.get(f"/api/v1/dossiers/{code}/history", headers=people["owner"]).get_json()
    return [(h["action"], h["from_status"], h["to_status"]) for h in rows]


# --- stop and resume (status 8) ----------------------------------------------------------

def test_stop_and_resume_across_tet_moves_the_due_dates(client, people, package, clock, app):
    # received Monday 1 February 2027, 09:00: due Wednesday 3 February 09:00 (2 working days),
    # the processing step (half a day) Monday 14:45
    code = received(client, people, package, clock, at(2027, 2, 1, 2, 0))
    body = client.get(f"/api/v1/dossiers/{code}", headers=people["leader"]).get_json()
    assert (body["due_at"], body["step_due_at"]) == ("2027-02-03T02:00:00+00:00", "2027-02-01T07:45:00+00:00")
    assert {"stop", "request_payment"} <= set(body["available_actions"])

    clock["now"] = at(2027, 2, 1, 3, 0)  # Monday 10:00: 14 office hours left, 2 h 45 on the step
    assert act(client, people["leader"], code, "stop").status_code == 422  # a stop states its reason
    assert act(client, people["officer"], code, "stop", comment="Chờ xác minh").status_code == 403
    assert act(client, people["leader"], code, "resume").status_code == 409  # not stopped
    stopped = ok(act(client, people["leader"], code, "stop", comment="Chờ kết quả xác minh của Công an"))
    assert stopped["status"] == 8 and stopped["status_label"] == "Dừng xử lý"
    assert stopped["available_actions"] == ["resume"]
    assert act(client, people["officer"], code, "forward").status_code == 409
    assert act(client, people["leader"], code, "stop", comment="Lần nữa").status_code == 409
    owner_view = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert owner_view["available_actions"] == ["withdraw"]

    # Tết closes the offices Thursday 4 to Wednesday 10 February; resumed Thursday 11, 14:00:
    # 3 hours that day, 7.5 on Friday 12, the weekend, 3.5 on Monday 15: due 11:00
    clock["now"] = at(2027, 2, 11, 7, 0)
    assert act(client, people["other_leader"], code, "resume").status_code == 404  # not theirs to see
    resumed = ok(act(client, people["leader"], code, "resume", comment="Đã có kết quả xác minh"))
    assert resumed["status"] == 4 and resumed["current_step"] == "processing"
    assert resumed["due_at"] == "2027-02-15T04:00:00+00:00"
    assert resumed["step_due_at"] == "2027-02-11T09:45:00+00:00"  # Thursday 16:45
    assert history_of(client, people, code)[-2:] == [("stop", 4, 8), ("resume", 8, 4)]
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.paused_status, dossier.clock_paused_at, dossier.clock_remaining_seconds) == (None, None, None)
        assert history.broken_links(db.session, dossier.id) == []
        entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                                     .order_by(HistoryEntry.id)).all()
        assert entries[-2].comment == "Chờ kết quả xác minh của Công an"
        assert entries[-1].details == {"due_at": "2027-02-15T04:00:00+00:00",
                                       "step_due_at": "2027-02-11T09:45:00+00:00"}
    sent = [n.subject for n in app.extensions["motcua.log_notifier"].sent]
    assert f"Hồ sơ {code}: Dừng xử lý" in sent, "the applicant is told"


def test_a_dossier_paused_late_stays_late_by_as_much(client, people, package, clock):
    # received Monday 16 November 2026 09:00, due Wednesday 18 09:00; stopped Thursday 19 at 09:00,
    # 7.5 office hours late; resumed Monday 23 at 09:00: due 7.5 office hours earlier, Friday 20 09:00
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    clock["now"] = at(2026, 11, 19, 2, 0)
    ok(act(client, people["leader"], code, "stop", comment="Tạm dừng"))
    clock["now"] = at(2026, 11, 23, 2, 0)
    assert ok(act(client, people["leader"], code, "resume"))["due_at"] == "2026-11-20T02:00:00+00:00"


def test_the_applicant_may_withdraw_a_stopped_dossier(client, people, package, clock, app):
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    ok(act(client, people["leader"], code, "stop", comment="Tạm dừng"))
    assert ok(act(client, people["owner"], code, "withdraw", comment="Không có nhu cầu nữa"))["status"] == 7
    assert act(client, people["leader"], code, "resume").status_code == 409
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.paused_status, dossier.clock_paused_at) == (None, None)


def test_two_leaders_stopping_at_once_one_wins(client, people, package, clock, app):
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    second = staff(client, "lanh_dao_2", "Leader", BA_DINH)
    barrier, results = threading.Barrier(2), []

    def stop(headers):
        own = app.test_client()
        barrier.wait()
        results.append(act(own, headers, code, "stop", comment="Tạm dừng").status_code)

    threads = [threading.Thread(target=stop, args=(h,)) for h in (people["leader"], second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [200, 409]
    assert [a for a, _f, _t in history_of(client, people, code)].count("stop") == 1


# --- waiting for payment (status 6) ------------------------------------------------------

def start_payment(client, people, code) -> dict:
    response = client.post(f"/api/v1/dossiers/{code}/payments", headers=people["owner"], json={"gateway": "vnpay"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ipn(client, payment_id, amount) -> str:
    return client.get("/payments/vnpay/ipn", query_string=vnpay_notice(payment_id, amount)).get_json()["RspCode"]


def test_request_payment_pauses_until_paid_across_a_weekend_and_a_holiday(client, people, package, clock, app):
    # received Thursday 19 November 2026, 09:00: due Monday 23 09:00; the step Thursday 14:45
    code = received(client, people, package, clock, at(2026, 11, 19, 2, 0))
    clock["now"] = at(2026, 11, 19, 8, 0)  # Thursday 15:00: 11 office hours left, the step 15 minutes late
    waiting = ok(act(client, people["officer"], code, "request_payment", amount=150000,
                     comment="Lệ phí cấp 5 bản sao trích lục và phí xác minh"))
    assert waiting["status"] == 6 and waiting["status_label"] == "Yêu cầu thực hiện nghĩa vụ tài chính"
    assert waiting["payment"] == {"status": "unpaid", "amount": 150000, "gateway": "vnpay"}
    assert act(client, people["officer"], code, "forward").status_code == 409
    assert act(client, people["leader"], code, "resume").status_code == 409  # the payment resumes it
    told = [n for n in app.extensions["motcua.log_notifier"].sent if n.meta.get("status") == 6]
    assert told and "150.000 đồng" in told[-1].body, "the applicant is told the amount requested"

    # the applicant pays Monday 23 at 10:00; Tuesday 24 is Vietnam Culture Day, a holiday:
    # 5 hours on Monday, 6 on Wednesday 25: due Wednesday 15:30
    clock["now"] = at(2026, 11, 23, 2, 30)
    payment = start_payment(client, people, code)
    assert payment["amount"] == 150000, "the amount due is the amount requested"
    clock["now"] = at(2026, 11, 23, 3, 0)
    assert ipn(client, payment["id"], FEE_AFTER) == "04"  # not the amount requested
    assert client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()["status"] == 6
    assert ipn(client, payment["id"], 150000) == "00"
    body = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert body["status"] == 4 and body["payment"] == {"status": "paid", "amount": 150000, "gateway": "vnpay"}
    assert body["due_at"] == "2026-11-25T08:30:00+00:00"
    assert body["step_due_at"] == "2026-11-23T02:45:00+00:00"  # still 15 minutes late: Monday 09:45
    assert history_of(client, people, code)[-2:] == [("request_payment", 4, 6), ("payment", 6, 4)]
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "request_payment"))
        assert entry.details == {"amount": 150000, "reason": "Lệ phí cấp 5 bản sao trích lục và phí xác minh"}
        assert entry.agency.code == BA_DINH


def test_request_payment_defaults_to_the_fees_paid_after(client, people, package, clock, app):
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    waiting = ok(act(client, people["leader"], code, "request_payment"))
    assert waiting["payment"] == {"status": "unpaid", "amount": FEE_AFTER, "gateway": "vnpay"}
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "request_payment"))
        assert entry.details == {"amount": FEE_AFTER, "reason": "Phí cấp bản sao trích lục"}


def test_a_payment_of_something_else_does_not_resume(client, people, package, clock, app):
    """A payment started before the request (the fees) settles, but the
    dossier waits for the amount requested, which is then due anew."""
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    earlier = start_payment(client, people, code)
    assert earlier["amount"] == FEE_AFTER
    clock["now"] = at(2026, 11, 16, 3, 0)
    ok(act(client, people["officer"], code, "request_payment", amount=30000, comment="Phí xác minh"))
    assert ipn(client, earlier["id"], FEE_AFTER) == "00"
    body = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert body["status"] == 6 and body["payment"] == {"status": "unpaid", "amount": 30000, "gateway": "vnpay"}
    clock["now"] = at(2026, 11, 16, 4, 0)
    assert start_payment(client, people, code)["amount"] == 30000


@pytest.mark.parametrize("who, body, status, field", [
    ("desk", {"amount": 1000, "comment": "Phí"}, 403, None),
    ("officer", {"amount": "150000", "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": 0, "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": -5, "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": True, "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": 1.5, "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": 2**31, "comment": "Phí"}, 422, "amount"),
    ("officer", {"amount": 1000}, 422, "comment"),  # a request says what it is for
    ("officer", {"amount": 1000, "comment": 7}, 422, "comment"),
])
def test_request_payment_refuses_bad_requests(client, people, package, clock, app, who, body, status, field):
    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    response = act(client, people[who], code, "request_payment", **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    if field:
        assert list(response.get_json()["errors"]) == [field]
    after = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert after["status"] == 4 and after["payment"]["amount"] == FEE_AFTER, "nothing changed"
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.payment_requested, dossier.clock_paused_at) == (None, None)


def test_request_payment_needs_a_gateway_and_a_received_dossier(client, people, package, library,
                                                                birth_package, clock):
    before = submit_birth(client, people["owner"], package, procedure=package["code"])["code"]
    assert act(client, people["officer"], before, "request_payment", amount=1000,
               comment="Phí").status_code == 409  # not received yet
    free = submit_birth(client, people["owner"], birth_package)["code"]  # no fee, no gateway
    ok(act(client, people["desk"], free, "receive"))
    response = act(client, people["officer"], free, "request_payment", amount=1000, comment="Phí")
    assert response.status_code == 409 and "cổng thanh toán" in response.get_json()["message"]
    # without an amount, a service whose fees are paid before has nothing to ask for
    paid_before = copy.deepcopy(package)
    paid_before.update(code=PAUSE_CODE + ".TRUOC", fee_mode="before")
    from builder.forms.package import import_package

    with client.application.app_context():
        import_package(db.session, paid_before, published_by="tests")
        db.session.commit()
    code = submit_birth(client, people["owner"], paid_before, procedure=paid_before["code"])["code"]
    ok(act(client, people["desk"], code, "receive"))
    response = act(client, people["officer"], code, "request_payment")
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["amount"]


# --- the officer's page ----------------------------------------------------------------

def test_the_dossier_page_offers_the_pauses(client, people, package, clock, app):
    from tests.test_admin import browser_login

    code = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    leader = browser_login(app, "lanh_dao")
    page = leader.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    assert 'aria-label="Dừng xử lý"' in page and 'aria-label="Yêu cầu thực hiện nghĩa vụ tài chính"' in page
    assert 'name="amount"' in page
    leader.post(f"/mot-cua/ho-so/{code}", data={"action": "request_payment", "amount": "120.000",
                                                "comment": "Phí xác minh"})
    page = leader.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    assert "Yêu cầu thực hiện nghĩa vụ tài chính" in page and "120.000 đồng" in page
    assert 'aria-label="Dừng xử lý"' not in page  # waiting for payment: only the payment resumes it
    body = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert body["status"] == 6 and body["payment"]["amount"] == 120000

    other = received(client, people, package, clock, at(2026, 11, 16, 2, 0))
    stopped = leader.post(f"/mot-cua/ho-so/{other}", data={"action": "stop", "comment": "Chờ xác minh"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Đã thực hiện: Dừng xử lý" in stopped and 'aria-label="Tiếp tục xử lý"' in stopped
    leader.post(f"/mot-cua/ho-so/{other}", data={"action": "resume"})
    assert client.get(f"/api/v1/dossiers/{other}", headers=people["owner"]).get_json()["status"] == 4
