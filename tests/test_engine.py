"""The dossier's state machine through the API: the whole one-stop flow,
role and agency checks (403), state checks (409), the chained history, and
two people acting at once."""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from builder.extensions import db
from builder.models import Dossier, HistoryEntry
from builder.process import history
from tests.helpers import BA_DINH, HOAN_KIEM, citizen, example_data, staff, statements_of, submit_birth

SO_TU_PHAP = "000.00.12.H26"


def act(client, headers, code, action, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})


def ok(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def people(client, library):
    return {
        "owner": citizen(client),
        "desk": staff(client, "mot_cua", "Desk", BA_DINH),
        "officer": staff(client, "cong_chuc", "Officer", BA_DINH),
        "leader": staff(client, "lanh_dao", "Leader", BA_DINH),
        "other_desk": staff(client, "mot_cua_hk", "Desk", HOAN_KIEM),
        "dept_officer": staff(client, "chuyen_vien_stp", "Officer", SO_TU_PHAP),
        "dept_leader": staff(client, "lanh_dao_stp", "Leader", SO_TU_PHAP),
    }


def test_the_whole_flow(client, people, birth_package, app):
    p = people
    dossier = submit_birth(client, p["owner"], birth_package)
    code = dossier["code"]
    assert dossier["available_actions"] == ["withdraw"]
    desk_view = client.get(f"/api/v1/dossiers/{code}", headers=p["desk"]).get_json()
    assert desk_view["available_actions"] == ["receive", "refuse", "request_supplement"]

    received = ok(act(client, p["desk"], code, "receive", comment="Hồ sơ đầy đủ"))
    assert received["status"] == 2 and received["current_step"] == "processing"
    assert received["received_at"] and received["due_at"]
    assert ok(act(client, p["leader"], code, "assign", assignee="cong_chuc"))["status"] == 4

    # a supplement: everything missing listed at once; the clock restarts when complete
    waiting = ok(act(client, p["officer"], code, "request_supplement",
                     comment="Bổ sung: bản sao Giấy chứng nhận kết hôn của cha mẹ"))
    assert waiting["status"] == 5 and waiting["status_label"] == "Yêu cầu bổ sung giấy tờ"
    assert act(client, p["officer"], code, "forward").status_code == 409
    assert client.get(f"/api/v1/dossiers/{code}", headers=p["owner"]).get_json()["available_actions"] == [
        "supplement", "withdraw"]
    again = ok(act(client, p["owner"], code, "supplement", comment="Đã bổ sung"))
    assert again["status"] == 4 and again["current_step"] == "processing"

    # inter-agency: the Department of Justice processes, the result comes back to the commune's desk
    moved = ok(act(client, p["officer"], code, "transfer", to_agency=SO_TU_PHAP,
                   comment="Đề nghị Sở Tư pháp xác minh", duration={"value": 2, "unit": "working_days"}))
    assert moved["handling_agency_code"] == SO_TU_PHAP and moved["step_due_at"]
    assert act(client, p["officer"], code, "forward").status_code == 403  # no longer theirs
    ok(act(client, p["dept_officer"], code, "forward", comment="Đủ điều kiện"))
    done = ok(act(client, p["dept_leader"], code, "approve", comment="Đồng ý"))
    assert done["status"] == 9 and done["current_step"] == "return"
    assert done["handling_agency_code"] == BA_DINH
    returned = ok(act(client, p["desk"], code, "return_result", comment="Trả kết quả trực tuyến"))
    assert returned["status"] == 10 and returned["returned_at"]
    assert returned["available_actions"] == []

    history_rows = client.get(f"/api/v1/dossiers/{code}/history", headers=p["owner"]).get_json()
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history_rows] == [
        ("submit", 0, 1), ("receive", 1, 2), ("assign", 2, 4), ("request_supplement", 4, 5),
        ("supplement", 5, 4), ("transfer", 4, 4), ("forward", 4, 4), ("approve", 4, 9),
        ("return_result", 9, 10)]
    assert history_rows[1]["agency"] == BA_DINH and history_rows[6]["agency"] == SO_TU_PHAP
    assert client.get(f"/api/v1/lookup/{code}").get_json()["status_label"] == "Đã trả kết quả"
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
        assert history.broken_links(db.session, dossier_id) == []


def test_refusal_and_withdrawal(client, people, birth_package):
    p = people
    code = submit_birth(client, p["owner"], birth_package)["code"]
    assert act(client, p["desk"], code, "refuse").status_code == 422  # a refusal states its reason
    refused = ok(act(client, p["desk"], code, "refuse", comment="Không thuộc thẩm quyền"))
    assert refused["status"] == 3
    assert act(client, p["owner"], code, "withdraw").status_code == 409
    other = submit_birth(client, p["owner"], birth_package)["code"]
    assert ok(act(client, p["owner"], other, "withdraw", comment="Nộp nhầm"))["status"] == 7


def test_supplement_at_reception_returns_to_the_desk(client, people, birth_package):
    p = people
    code = submit_birth(client, p["owner"], birth_package)["code"]
    ok(act(client, p["desk"], code, "request_supplement", comment="Thiếu giấy chứng sinh bản chính"))
    data = example_data(birth_package)
    del data["child"]["full_name"]
    bad = act(client, p["owner"], code, "supplement", data=data)
    assert bad.status_code == 422 and "data.child.full_name" in bad.get_json()["errors"]
    back = ok(act(client, p["owner"], code, "supplement", data=example_data(birth_package)))
    assert back["status"] == 1 and back["received_at"] is None


@pytest.mark.parametrize("who, action, body, status", [
    ("officer", "receive", {}, 403),           # the desk's job
    ("other_desk", "receive", {}, 404),        # another commune: not even visible
    ("owner", "receive", {}, 403),
    ("desk", "approve", {}, 409),              # not at this step
    ("desk", "return_result", {}, 409),        # nothing to return yet
    ("desk", "fly", {}, 422),                  # no such action
    ("desk", "receive", {"comment": 5}, 422),
])
def test_who_may_do_what(client, people, birth_package, who, action, body, status):
    code = submit_birth(client, people["owner"], birth_package)["code"]
    response = act(client, people[who], code, action, **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    desk_view = client.get(f"/api/v1/dossiers/{code}", headers=people["desk"]).get_json()
    assert desk_view["status"] == 1  # nothing changed


def test_assign_needs_an_officer_of_the_agency(client, people, birth_package):
    p = people
    code = submit_birth(client, p["owner"], birth_package)["code"]
    ok(act(client, p["desk"], code, "receive"))
    assert act(client, p["officer"], code, "assign", assignee="cong_chuc").status_code == 403  # heads assign
    response = act(client, p["leader"], code, "assign", assignee="chuyen_vien_stp")
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["assignee"]


def test_two_people_acting_at_once_one_wins(client, people, birth_package, app):
    p = people
    code = submit_birth(client, p["owner"], birth_package)["code"]
    second_desk = staff(client, "mot_cua_2", "Desk", BA_DINH)
    barrier, results = threading.Barrier(2), []

    def receive(headers):
        own = app.test_client()
        barrier.wait()
        results.append(act(own, headers, code, "receive").status_code)

    threads = [threading.Thread(target=receive, args=(h,)) for h in (p["desk"], second_desk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [200, 409]
    rows = client.get(f"/api/v1/dossiers/{code}/history", headers=p["owner"]).get_json()
    assert [h["action"] for h in rows] == ["submit", "receive"]


def test_history_is_append_only_and_chained(client, people, birth_package, app):
    p = people
    code = submit_birth(client, p["owner"], birth_package)["code"]
    ok(act(client, p["desk"], code, "receive"))
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
        entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id)
                                     .order_by(HistoryEntry.id)).all()
        assert entries[1].prev_hash == entries[0].hash and len(entries[0].hash) == 64
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE dossier_history SET comment = 'sửa' WHERE id = :id"),
                               {"id": entries[0].id})
            db.session.flush()
        db.session.rollback()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM dossier_history WHERE id = :id"), {"id": entries[0].id})
        db.session.rollback()
        # tampering that bypasses the database's guard still shows in the chain
        with db.session.no_autoflush:  # an edit in memory, never written
            entries[0].comment = "sửa trái phép"
            assert history.broken_links(db.session, dossier_id) == [entries[0].id]
        db.session.rollback()


def test_the_hash_postgresql_computes_for_a_new_dossier_is_the_one_python_checks(app):
    """A one-call submission on PostgreSQL has its first entry hashed in SQL,
    around the dossier id the INSERT takes (history.digest_computed): the
    text split around the id, and SQL's SHA-256 of it, are what
    history.broken_links recomputes, whatever the entry holds."""
    from sqlalchemy import literal

    entries = [
        HistoryEntry(dossier_id=None, prev_hash=None, at=datetime(2026, 12, 7, 1, 2, 3, 4, tzinfo=timezone.utc),
                     action="submit", actor_id=7, actor_name='Nguyễn Thị "Ánh" \\ \u2028 😀', agency_id=None,
                     from_status=0, to_status=1, step="reception"),
        HistoryEntry(dossier_id=None, prev_hash="ab" * 32, at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                     action="transfer", actor_id=None, actor_name="Hệ thống", agency_id=3, from_status=2,
                     to_status=2, step="x", comment='"dossier_id":1,',
                     details={"z": [1, {"b": 2, "a": None}], "ă": "ơ"},
                     step_due_at=datetime(2026, 1, 9, 10, tzinfo=timezone.utc)),
    ]
    for dossier_id in (1, 123456789012):
        for entry in entries:
            entry.dossier_id = None
            computed = history.digest_computed(entry, literal(dossier_id))
            prefix, suffix = computed.params["entry_prefix"], computed.params["entry_suffix"]
            entry.dossier_id = dossier_id
            expected = history._digest(entry, entry.prev_hash)
            assert hashlib.sha256((prefix + str(dossier_id) + suffix).encode()).hexdigest() == expected
            with app.app_context():
                if db.engine.dialect.name == "postgresql":
                    assert db.session.scalar(select(computed.expression), computed.params) == expected


def test_listing_the_actions_translates_no_refusal(client, people, birth_package, app, monkeypatch):
    """Every answer lists the caller's actions: the ones refused are decided
    without translating why (that cost more than deciding). A refusal that
    is answered is still translated, in the caller's language."""
    import flask_babel

    code = submit_birth(client, people["owner"], birth_package)["code"]
    ok(act(client, people["desk"], code, "receive"))
    translated = []
    original = flask_babel.Domain.gettext
    monkeypatch.setattr(flask_babel.Domain, "gettext",
                        lambda self, string, **variables: translated.append(string) or original(self, string, **variables))
    from builder.api.auth import api_user
    from builder.process.dossiers import find_dossier
    from builder.process.engine import available_actions

    with app.test_request_context(headers=people["desk"]):
        dossier = find_dossier(api_user(), code)
        translated.clear()
        assert available_actions(api_user(), dossier) == []  # processing is the officer's step
        assert translated == []
    refused = act(client, people["desk"], code, "forward")
    assert refused.status_code == 403 and refused.get_json()["message"] == "Bước này do vai trò Officer thực hiện."
    english = client.post(f"/api/v1/dossiers/{code}/actions", json={"action": "forward"},
                          headers={**people["desk"], "Accept-Language": "en"})
    assert english.status_code == 403 and english.get_json()["message"] == "This step is for the role Officer."


def test_a_transition_reads_the_dossier_once_and_writes_it_once(client, people, birth_package, app):
    """The hot path of the back office: the locked read, one versioned UPDATE
    (its history head included), the history entry and the jobs."""
    code = submit_birth(client, people["owner"], birth_package)["code"]
    with app.app_context():
        version_before = db.session.scalar(select(Dossier.row_version).where(Dossier.code == code))
    response, statements = statements_of(app, lambda: act(client, people["desk"], code, "receive"))
    body = ok(response)
    # the transition's own transaction (without Redis, its jobs run after it)
    seen = [" ".join(statement.split()[:3]) for statement in statements[:statements.index("COMMIT")]]
    assert body["status"] == 2
    writes = [s for s in seen if not s.startswith(("SELECT", "BEGIN"))]
    assert writes == ["UPDATE dossier SET", "INSERT INTO dossier_history", "INSERT INTO job_outbox"], seen
    assert len([s for s in seen if s.startswith("SELECT dossier.")]) == 1, seen
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.row_version == version_before + 1  # bumped once
        assert history.broken_links(db.session, dossier.id) == []
