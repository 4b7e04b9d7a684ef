"""An API caller's user, roles and profile, cached per process for
SIGNED_IN_USER_CACHE_SECONDS (builder/security.py): no read per call, a
change made in this process applies at once, another process's within the
TTL, and 0 turns it off."""
from __future__ import annotations

from sqlalchemy import select

from builder import detached_cache
from builder.extensions import db
from tests.helpers import BA_DINH, citizen, staff, statements_of


def _user_reads(app, action) -> tuple[object, list[str]]:
    result, statements = statements_of(app, action)
    return result, [s for s in statements if "ab_user" in s or "user_profile" in s or "ab_role" in s]


def _set_user(app, username: str, **changes) -> None:
    with app.app_context():
        model = app.appbuilder.sm.user_model
        user = db.session.scalar(select(model).where(model.username == username))
        for name, value in changes.items():
            if name == "roles":
                value = [app.appbuilder.sm.find_role(role) for role in value]
            setattr(user, name, value)
        db.session.commit()


def test_a_second_call_reads_no_user_roles_or_profile(app, client):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200  # fills the cache
    response, reads = _user_reads(app, lambda: client.get("/api/v1/dossiers", headers=headers))
    assert response.status_code == 200
    assert reads == []


def test_the_cached_profile_still_scopes_staff_to_their_agency(app, client, library):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    first = client.get("/api/v1/dossiers?status=1", headers=desk)
    second, reads = _user_reads(app, lambda: client.get("/api/v1/dossiers?status=1", headers=desk))
    assert first.status_code == second.status_code == 200 and reads == []
    assert second.get_json() == first.get_json()
    # the cached caller is still a Desk of its agency: an empty paper dossier reaches the desk's checks
    assert client.post("/api/v1/desk/dossiers", headers=desk, json={}).status_code == 422


def test_an_account_deactivated_in_this_process_is_refused_at_once(app, client):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    _set_user(app, "001090012345", active=False)
    response = client.get("/api/v1/dossiers", headers=headers)
    assert response.status_code == 401
    assert "đăng nhập" in response.get_json()["message"]


def test_a_role_taken_away_in_this_process_applies_at_once(app, client, library):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    assert client.post("/api/v1/desk/dossiers", headers=desk, json={}).status_code == 422
    _set_user(app, "mot_cua", roles=["Citizen"])
    assert client.post("/api/v1/desk/dossiers", headers=desk, json={}).status_code == 403


def test_another_process_change_applies_after_the_ttl(app, client, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(detached_cache.time, "monotonic", lambda: clock[0])
    app.config["SIGNED_IN_USER_CACHE_SECONDS"] = 5
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    with app.app_context():  # as another server would: Core, no ORM events in this process
        table = app.appbuilder.sm.user_model.__table__
        with db.engine.begin() as connection:
            connection.execute(table.update().where(table.c.username == "001090012345").values(active=False))
    clock[0] += 4  # within the TTL: still the cached account
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    clock[0] += 2  # past it: read again, and refused
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401


def test_the_cache_can_be_turned_off(app, client):
    app.config["SIGNED_IN_USER_CACHE_SECONDS"] = 0
    headers = citizen(client)
    client.get("/api/v1/dossiers", headers=headers)
    response, reads = _user_reads(app, lambda: client.get("/api/v1/dossiers", headers=headers))
    assert response.status_code == 200 and len(reads) == 1  # the user with roles and profile, one query
