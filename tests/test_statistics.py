"""Statistics, evaluations, the deadline watch and the officer's queue."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from builder.extensions import db
from builder.models import Dossier
from builder.process.watch import watch_deadlines
from tests.helpers import BA_DINH, HOAN_KIEM, citizen, staff, submit_birth

MONDAY_9 = datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 in Hà Nội


def act(client, headers, code, action, **body):
    response = client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def office(client, library):
    return {"owner": citizen(client), "desk": staff(client, "mot_cua", "Desk", BA_DINH),
            "officer": staff(client, "cong_chuc", "Officer", BA_DINH),
            "leader": staff(client, "lanh_dao", "Leader", BA_DINH)}


def resolve(client, o, code):
    act(client, o["leader"], code, "assign", assignee="cong_chuc")
    act(client, o["officer"], code, "forward")
    act(client, o["leader"], code, "approve")
    return act(client, o["desk"], code, "return_result")


def test_statistics_count_each_outcome(client, office, birth_package, monkeypatch, app):
    o = office
    codes = [submit_birth(client, o["owner"], birth_package)["code"] for _ in range(6)]
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9)
    for code in codes[:4]:
        act(client, o["desk"], code, "receive")  # due Tuesday 09:00 (1 working day)
    # resolved the same day: early
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9 + timedelta(hours=2))
    resolve(client, o, codes[0])
    # resolved on the due day, before the due instant: on time
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9 + timedelta(hours=23))
    resolve(client, o, codes[1])
    # resolved after the due instant: late
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9 + timedelta(days=2))
    resolve(client, o, codes[2])
    act(client, o["desk"], codes[4], "refuse", comment="Không thuộc thẩm quyền")
    act(client, o["owner"], codes[5], "withdraw")
    # codes[3] stays in progress, past its due date by now
    figures = client.get("/api/v1/stats", query_string={"agency": "000.00.00.H26"}).get_json()
    expected = {"received": 6, "online": 6, "desk": 0, "post": 0, "resolved": 3, "resolved_early": 1,
                "resolved_on_time": 1, "resolved_late": 1, "in_progress": 1, "overdue": 1,
                "in_progress_within_deadline": 0, "refused": 1, "withdrawn": 1, "on_time_rate": 0.6667}
    assert {k: figures[k] for k in expected} == expected
    # another commune's figures are its own; a period before these dossiers counts none
    assert client.get("/api/v1/stats", query_string={"agency": HOAN_KIEM}).get_json()["received"] == 0
    assert client.get("/api/v1/stats", query_string={"to": "2020-01-01"}).get_json()["received"] == 0
    csv_text = client.get("/api/v1/stats?format=csv").get_data(as_text=True)
    assert "resolved_late,Quá hạn,1" in csv_text
    assert "satisfaction.overall.very_satisfied,Mức độ hài lòng · Tổng thể · Rất hài lòng,0" in csv_text
    from openpyxl import load_workbook
    import io
    book = load_workbook(io.BytesIO(client.get("/api/v1/stats?format=xlsx").data))
    rows = {r[1]: r[2] for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert rows["resolved_early"] == 1 and rows["withdrawn"] == 1


def test_evaluation_feeds_satisfaction(client, office, birth_package):
    o = office
    code = submit_birth(client, o["owner"], birth_package)["code"]
    rating = {"overall": 3, "ease": 2, "timeliness": 3, "attitude": 1, "comment": "Cán bộ cần niềm nở hơn"}
    early = client.post(f"/api/v1/dossiers/{code}/evaluation", headers=o["owner"], json=rating)
    assert early.status_code == 409  # not resolved yet
    act(client, o["desk"], code, "receive")
    resolve(client, o, code)
    bad = client.post(f"/api/v1/dossiers/{code}/evaluation", headers=o["owner"], json={**rating, "ease": 5})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["ease"]
    assert client.post(f"/api/v1/dossiers/{code}/evaluation", headers=o["desk"], json=rating).status_code == 404
    assert client.post(f"/api/v1/dossiers/{code}/evaluation", headers=o["owner"], json=rating).status_code == 201
    assert client.post(f"/api/v1/dossiers/{code}/evaluation", headers=o["owner"], json=rating).status_code == 409
    satisfaction = client.get("/api/v1/stats").get_json()["satisfaction"]
    assert satisfaction["responses"] == 1
    assert satisfaction["overall"] == {"very_satisfied": 1, "satisfied": 0, "unsatisfied": 0}
    assert satisfaction["attitude"] == {"very_satisfied": 0, "satisfied": 0, "unsatisfied": 1}


def test_the_watch_warns_once_and_the_queue_filters(client, office, birth_package, app, monkeypatch):
    o = office
    codes = [submit_birth(client, o["owner"], birth_package)["code"] for _ in range(3)]
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9)
    for code in codes:
        act(client, o["desk"], code, "receive")  # all due Tuesday 09:00
    act(client, o["leader"], codes[0], "assign", assignee="cong_chuc")
    with app.app_context():  # the third is given a later due date
        db.session.execute(update(Dossier).where(Dossier.code == codes[2])
                           .values(due_at=MONDAY_9 + timedelta(days=7)))
        db.session.commit()
    sent = app.extensions["motcua.log_notifier"].sent
    sent.clear()
    with app.app_context():
        # Monday 15:00: less than a working day left for the first two
        assert watch_deadlines(MONDAY_9 + timedelta(hours=6)) == {"overdue": 0, "due_soon": 2}
        assert watch_deadlines(MONDAY_9 + timedelta(hours=7)) == {"overdue": 0, "due_soon": 0}
        # Wednesday: overdue, said once
        assert watch_deadlines(MONDAY_9 + timedelta(days=2)) == {"overdue": 2, "due_soon": 0}
        assert watch_deadlines(MONDAY_9 + timedelta(days=2, hours=1)) == {"overdue": 0, "due_soon": 0}
    subjects = [n.subject for n in sent if n.meta.get("staff") == "cong_chuc"]
    assert subjects.count(f"Hồ sơ {codes[0]} đã quá hạn (hạn 09 giờ 00 phút, ngày 17/11/2026)") == 1
    assert any("sắp đến hạn" in s for s in subjects)

    def queue(**params):
        body = client.get("/api/v1/dossiers", headers=o["officer"], query_string=params).get_json()
        return sorted(d["code"] for d in body["items"])

    monkeypatch.setattr("builder.process.dossiers.utcnow", lambda: MONDAY_9 + timedelta(hours=6))
    assert queue(due="soon") == sorted(codes[:2])
    assert queue(due="overdue") == []
    monkeypatch.setattr("builder.process.dossiers.utcnow", lambda: MONDAY_9 + timedelta(days=2))
    assert queue(due="overdue") == sorted(codes[:2])
    assert queue(assignee="me") == [codes[0]]
    assert queue(status=4) == [codes[0]]
    assert queue(procedure="1.001193.000.00.00.H26") == sorted(codes)
    assert client.get("/api/v1/dossiers?due=later", headers=o["officer"]).status_code == 400


def test_the_dashboard_draws_the_figures(client, office, birth_package, app):
    from tests.test_admin import browser_login

    o = office
    code = submit_birth(client, o["owner"], birth_package)["code"]
    act(client, o["desk"], code, "receive")
    leader = browser_login(app, "lanh_dao")
    page = leader.get("/mot-cua/thong-ke/?agency=000.00.00.H26&from=2026-01-01&to=2030-12-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tiếp nhận theo kênh" in html and "<svg" in html
    assert "Đăng ký khai sinh" in html  # the per-procedure table
    assert 'href="/api/v1/stats?format=xlsx' in html
    officer = browser_login(app, "cong_chuc")
    assert officer.get("/mot-cua/thong-ke/").status_code == 403  # leaders' page
