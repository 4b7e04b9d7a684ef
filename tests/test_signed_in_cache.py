"""An API caller's user, roles and profile, cached per process for
SIGNED_IN_USER_CACHE_SECONDS (builder/security.py): no read per call, a
change made in this process applies at once, another process's within the
TTL, and 0 turns it off. A citizen is given the cached copies themselves,
which no request takes into its session; staff get merged objects."""
from __future__ import annotations

from sqlalchemy import inspect, select

from builder import detached_cache, security
from builder.extensions import db
from tests.helpers import BA_DINH, citizen, example_data, staff, statements_of, submit_birth


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


def _cached_caller(app, username: str):
    with app.app_context():
        model = app.appbuilder.sm.user_model
        pk = db.session.scalar(select(model.id).where(model.username == username))
        user_copy, profile_copy, read_only = detached_cache.registered(security.USERS_KEY).get("user", pk, 60)
    return user_copy, profile_copy, read_only


def _detached_and_loaded(instance, *relationships: str) -> bool:
    state = inspect(instance)
    wanted = {*state.mapper.column_attrs.keys(), *relationships}
    return state.detached and not state.expired_attributes and not (state.unloaded & wanted)


def test_a_citizen_is_given_the_cached_copies_themselves(app, client, library, birth_package, monkeypatch):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200  # fills the cache
    merges = []
    monkeypatch.setattr(security, "merged", lambda copy: merges.append(copy) or copy)
    user_copy, profile_copy, read_only = _cached_caller(app, "001090012345")
    assert read_only and profile_copy.agency is None

    invalid = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": birth_package["code"], "data": {"child": {"full_name": 5}}, "submit": True})
    assert invalid.status_code == 422  # a request that writes nothing and rolls back
    dossier = submit_birth(client, headers, birth_package, data=example_data(birth_package))
    assert dossier["applicant"]["id_number"] == "001090012345"
    assert client.get(f"/api/v1/dossiers/{dossier['code']}", headers=headers).status_code == 200
    # Flask-AppBuilder's own API (which reads the roles and groups) answers as to a user read afresh
    with_copy = client.get("/api/v1/menu/", headers=headers)

    assert merges == []
    assert _cached_caller(app, "001090012345")[:2] == (user_copy, profile_copy)  # the same objects
    # no session took them in, and no rollback expired them
    assert _detached_and_loaded(user_copy, "roles", "groups") and _detached_and_loaded(profile_copy, "agency")
    assert all(_detached_and_loaded(role) for role in user_copy.roles)
    assert [role.name for role in user_copy.roles] == ["Citizen"]
    app.config["SIGNED_IN_USER_CACHE_SECONDS"] = 0
    afresh = client.get("/api/v1/menu/", headers=headers)
    assert (with_copy.status_code, with_copy.get_json()) == (afresh.status_code, afresh.get_json())
    assert with_copy.status_code < 500


def test_staff_are_given_merged_objects_that_can_load_their_agency(app, client, library, monkeypatch):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    assert client.get("/api/v1/dossiers?status=1", headers=desk).status_code == 200
    assert _cached_caller(app, "mot_cua")[2] is False
    merges = []
    original = security.merged
    monkeypatch.setattr(security, "merged", lambda copy: merges.append(type(copy).__name__) or original(copy))
    # the desk's checks read its profile's agency: a lazy load, which a detached copy could not do
    assert client.post("/api/v1/desk/dossiers", headers=desk, json={}).status_code == 422
    assert merges == ["User", "UserProfile"]


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
