"""Bearer tokens verified once per process (builder/api/tokens.py): a token
seen before is not decoded again, but an expired, changed, revoked or refresh
token is still refused, the user is still checked, and the cache is bounded."""
from __future__ import annotations

import pytest
from flask_jwt_extended import decode_token

from builder.api import auth, tokens
from builder.api.tokens import VerifiedTokens
from tests.helpers import citizen, register_citizen, submit_birth


@pytest.fixture
def verifications(monkeypatch) -> list[int]:
    """Counts the full verifications (Flask-JWT-Extended's decoding) the API does."""
    calls: list[int] = []
    original = auth.verify_jwt_in_request

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(auth, "verify_jwt_in_request", counting)
    return calls


def _claims(app, headers: dict) -> dict:
    with app.app_context():
        return decode_token(headers["Authorization"].split()[1])


def test_a_token_is_verified_once_then_recognised(app, client, verifications):
    headers = citizen(client)
    for _ in range(3):
        assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    assert len(verifications) == 1
    assert len(app.extensions[tokens.EXTENSION_KEY]) == 1


def test_an_expired_token_is_refused_though_it_was_verified(app, client, monkeypatch):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    expires = _claims(app, headers)["exp"]
    monkeypatch.setattr(tokens.time, "time", lambda: expires + 1)
    monkeypatch.setattr("jwt.api_jwt.datetime", _FrozenAt(expires + 1))  # PyJWT's clock too
    response = client.get("/api/v1/dossiers", headers=headers)
    assert response.status_code == 401
    assert "đăng nhập lại" in response.get_json()["message"]
    assert len(app.extensions[tokens.EXTENSION_KEY]) == 0  # and it is forgotten


def test_a_changed_token_is_verified_afresh_and_refused(client, verifications):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    token = headers["Authorization"].split()[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")  # another signature
    response = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert len(verifications) == 2


def test_a_revoked_token_is_refused_on_every_call(app, client):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    revoked: set[str] = {_claims(app, headers)["jti"]}
    app.extensions["flask-jwt-extended"].token_in_blocklist_loader(lambda _h, data: data["jti"] in revoked)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401
    revoked.clear()
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200


def test_a_refresh_token_is_no_bearer_token(client, verifications):
    assert register_citizen(client).status_code == 201
    refresh = client.post("/api/v1/security/login", json={
        "username": "001090012345", "password": "mat-khau-123", "provider": "db", "refresh": True,
    }).get_json()["refresh_token"]
    for _ in range(2):
        response = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {refresh}"})
        assert response.status_code == 401
    assert len(verifications) == 2  # never kept


def test_two_citizens_keep_their_own_tokens(client, library, birth_package):
    first = citizen(client)
    second = citizen(client, "079190000001")
    submit_birth(client, first, birth_package)
    for headers, count in ((first, 1), (second, 0), (first, 1), (second, 0)):
        response = client.get("/api/v1/dossiers", headers=headers)
        assert response.status_code == 200
        assert response.get_json()["count"] == count


def test_size_zero_verifies_every_call(app, client, verifications):
    app.config["VERIFIED_TOKEN_CACHE_SIZE"] = 0
    tokens.init_tokens(app)
    headers = citizen(client)
    for _ in range(3):
        assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    assert len(verifications) == 3


def test_the_cache_is_bounded_and_forgets_expired_tokens_first():
    cache = VerifiedTokens(capacity=2)
    cache.put("old", {}, {"exp": 100})
    cache.put("a", {}, {"exp": 10_000_000_000})
    cache.put("b", {}, {"exp": 10_000_000_000})  # full: "old" has expired, so it goes
    assert cache.get("old") is None and cache.get("a") is not None and len(cache) == 2
    cache.put("c", {}, {"exp": 10_000_000_000})  # full of live ones: the oldest goes
    assert cache.get("a") is None and cache.get("b") is not None and cache.get("c") is not None
    cache.put("no-exp", {}, {"sub": "1"})  # never kept: it could not be checked again
    assert cache.get("no-exp") is None


def test_the_leeway_is_honoured():
    cache = VerifiedTokens(capacity=4)
    cache.put("t", {"alg": "HS256"}, {"exp": 1000}, leeway=30)
    assert cache.get("t", now=1029) == ({"alg": "HS256"}, {"exp": 1000})
    assert cache.get("t", now=1030) is None


def test_a_deactivated_account_with_a_known_token_is_refused(app, client):
    headers = citizen(client)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
    with app.app_context():
        from builder.extensions import db

        user = app.appbuilder.sm.find_user(username="001090012345")
        user.active = False
        db.session.commit()
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401


class _FrozenAt:
    """A stand-in for the ``datetime`` class PyJWT reads the time from."""

    def __init__(self, timestamp: float):
        from datetime import datetime, timezone

        self._now = datetime.fromtimestamp(timestamp, tz=timezone.utc)

    def now(self, tz=None):
        return self._now

    def __getattr__(self, name):
        from datetime import datetime

        return getattr(datetime, name)
