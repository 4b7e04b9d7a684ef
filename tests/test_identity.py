"""Citizens sign in through an identity provider (VNeID and the national
portal's SSO speak OpenID Connect): tested end to end against a simulated
provider on a local port, the code exchanged over real HTTP."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from builder import create_app
from builder.extensions import db
from builder.models import UserProfile
from builder.models.identity import ExternalIdentity
from builder.plugins import identity_providers
from tests.helpers import register_citizen
from tests.oidc_simulator import Simulator, serve

PUBLIC_URL = "http://motcua.test"
CALLBACK = f"{PUBLIC_URL}/dang-nhap/vneid/callback"
CITIZEN = {"sub": "vneid-7f3a", "so_dinh_danh": "001090012345", "name": "Trần  Thị Mai",
           "birthdate": "1990-04-12", "phone_number": "+84 912 345 678", "email": "mai@example.vn"}


def simulator(url: str) -> Simulator:
    return Simulator(issuer=url, client_id="motcua-portal", client_secret="bi-mat-cua-client",
                     redirect_uris=[CALLBACK], users={"mai": dict(CITIZEN)}, sign_in_as="mai")


@pytest.fixture
def provider():
    with serve(simulator) as sim:
        yield sim


@pytest.fixture
def oidc_app(app_config, provider):
    app_config["PUBLIC_URL"] = PUBLIC_URL
    app_config["PLUGINS"] = {"oidc": {
        "name": "vneid", "label": "VNeID", "issuer": provider.issuer,
        "client_id": "motcua-portal", "client_secret": "bi-mat-cua-client",
        "claims": {"id_number": "so_dinh_danh"},
    }}
    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in(client, next_url: str | None = None):
    """The citizen's browser: our sign-in link, the provider, back to our callback."""
    start = client.get("/dang-nhap/vneid" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}"), f"{back.path}?{back.query}"


def accounts(app) -> tuple[int, int]:
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(UserProfile))
        links = db.session.scalar(select(func.count(ExternalIdentity.id)))
    return users, links


def signed_in_user(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_register_identity_providers_offers_each_configured_provider(oidc_app, app_config):
    app = create_app({**app_config, "PLUGINS": {}})
    with oidc_app.app_context():
        vneid = identity_providers(oidc_app)["vneid"]
        assert vneid.label == "VNeID" and vneid.check_config() == []
    with app.app_context():  # not configured: offered, and says what is missing
        problems = [str(p) for p in identity_providers(app)["oidc"].check_config()]
    assert any("client_id" in p for p in problems) and any("issuer" in p for p in problems)
    # the sign-in and registration pages show a button for configured providers only
    for path in ("/login/", "/dich-vu/dang-ky"):
        assert "Đăng nhập bằng VNeID" in oidc_app.test_client().get(path).get_data(as_text=True)
        assert "/dang-nhap/" not in app.test_client().get(path).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_citizen_signs_in_with_vneid_and_gets_an_account(oidc_app, provider):
    client = oidc_app.test_client()
    start = client.get("/dang-nhap/vneid?next=/dich-vu/tra-cuu")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == [CALLBACK] and query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["motcua-portal"] and "openid" in query["scope"][0].split()
    response, _ = sign_in(client, "/dich-vu/tra-cuu")
    assert response.status_code == 302 and response.headers["Location"] == "/dich-vu/tra-cuu"
    # the code went back over HTTP with the PKCE verifier (the simulator checked both)
    assert len(provider.token_requests) == 1 and provider.token_requests[0]["code_verifier"]
    with oidc_app.app_context():
        profile = db.session.scalar(select(UserProfile).where(UserProfile.id_number == "001090012345"))
        user = oidc_app.appbuilder.sm.get_user_by_id(profile.user_id)
        assert user.username == "001090012345" and [r.name for r in user.roles] == ["Citizen"]
        assert (profile.full_name, profile.phone, profile.email) == ("Trần Thị Mai", "0912345678",
                                                                     "mai@example.vn")
        link = db.session.scalar(select(ExternalIdentity))
        assert (link.provider, link.subject, link.user_id) == ("vneid", "vneid-7f3a", user.id)
        user_id = user.id
    assert signed_in_user(client) == str(user_id)
    # a signed-in citizen sees their pages instead of being sent to sign in
    assert client.get("/dich-vu/ho-so/999999").status_code == 404
    # signing in again, in another browser, finds the same account
    again = oidc_app.test_client()
    response, _ = sign_in(again)
    assert response.status_code == 302 and signed_in_user(again) == str(user_id)
    assert accounts(oidc_app) == (1, 1)


def test_an_existing_account_with_the_citizen_id_is_linked(oidc_app):
    client = oidc_app.test_client()
    assert register_citizen(client, "001090012345").status_code == 201
    response, _ = sign_in(client)
    assert response.status_code == 302
    with oidc_app.app_context():
        profile = db.session.scalar(select(UserProfile))
        assert profile.full_name == "Nguyễn Văn Hùng"  # the account as it was
    assert signed_in_user(client) == str(profile.user_id)
    assert accounts(oidc_app) == (1, 1)


def test_a_forged_state_is_refused(oidc_app, provider):
    client = oidc_app.test_client()
    client.get("/dang-nhap/vneid")  # a sign-in under way, with its own state
    at_provider = requests.get(f"{provider.issuer}/authorize", params={
        "response_type": "code", "client_id": "motcua-portal", "redirect_uri": CALLBACK,
        "state": "forged", "code_challenge": "x" * 43, "code_challenge_method": "S256"},
        allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 400
    assert "Phiên đăng nhập không hợp lệ hoặc đã hết hạn" in response.get_data(as_text=True)
    assert provider.token_requests == []  # the code was never exchanged
    assert accounts(oidc_app) == (0, 0) and signed_in_user(client) is None


def test_a_state_works_once_and_only_in_its_browser(oidc_app, provider):
    client = oidc_app.test_client()
    start = client.get("/dang-nhap/vneid")
    with client.session_transaction() as session:  # the cookie as it was, holding the state
        old_cookie = dict(session)
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    callback = f"{back.path}?{back.query}"
    # another browser (someone holding the link) gets nothing
    stranger = oidc_app.test_client()
    refused = stranger.get(callback)
    assert refused.status_code == 400 and signed_in_user(stranger) is None
    assert accounts(oidc_app) == (0, 0) and provider.token_requests == []
    assert client.get(callback).status_code == 302  # the citizen's own browser
    replayed = client.get(callback)
    assert replayed.status_code == 400
    assert "Phiên đăng nhập không hợp lệ hoặc đã hết hạn" in replayed.get_data(as_text=True)
    # a copy of the old cookie replays the state, but the provider takes a code once
    replay = oidc_app.test_client()
    with replay.session_transaction() as session:
        session.update(old_cookie)
    assert replay.get(callback).status_code == 502 and signed_in_user(replay) is None
    assert len(provider.token_requests) == 2 and accounts(oidc_app) == (1, 1)


def test_the_provider_refusing_is_explained(oidc_app, provider):
    provider.sign_in_as = None  # the person cancelled at VNeID
    client = oidc_app.test_client()
    response, _ = sign_in(client)
    assert response.status_code == 403
    assert "VNeID không đăng nhập cho bạn (đã hủy hoặc bị từ chối)" in response.get_data(as_text=True)
    assert accounts(oidc_app) == (0, 0) and signed_in_user(client) is None


def test_a_failing_provider_is_explained(oidc_app, provider):
    provider.userinfo_status = 503
    response, _ = sign_in(oidc_app.test_client())
    assert response.status_code == 502
    assert "Không kết nối được với VNeID" in response.get_data(as_text=True)
    provider.userinfo_status = 200
    provider.client_secret = "da-doi"  # the provider no longer knows our secret
    response, _ = sign_in(oidc_app.test_client())
    assert response.status_code == 502
    assert "VNeID trả về thông tin không dùng được" in response.get_data(as_text=True)
    assert accounts(oidc_app) == (0, 0)


@pytest.mark.parametrize("claims, message", [
    ({"so_dinh_danh": None}, "Số định danh cá nhân phải gồm đúng 12 chữ số"),
    ({"so_dinh_danh": "00109001234"}, "Số định danh cá nhân phải gồm đúng 12 chữ số"),
    ({"so_dinh_danh": "003090012345"}, "mã tỉnh"),
    ({"so_dinh_danh": "001290012345", "birthdate": "2090-01-01"}, "Năm sinh trong số định danh"),
    ({"birthdate": "1991-04-12"}, "Ngày sinh do nhà cung cấp định danh cung cấp không khớp"),
    ({"name": " "}, "không cung cấp họ và tên"),
])
def test_an_identity_without_a_valid_citizen_id_gets_no_account(oidc_app, provider, claims, message):
    provider.users["mai"].update(claims)
    client = oidc_app.test_client()
    response, _ = sign_in(client)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text, text
    assert "không tạo tài khoản" in text
    assert accounts(oidc_app) == (0, 0) and signed_in_user(client) is None


def test_an_unknown_provider_is_a_clear_404(oidc_app):
    response = oidc_app.test_client().get("/dang-nhap/khong-co")
    assert response.status_code == 404
    assert "Không có hình thức đăng nhập bằng khong-co" in response.get_data(as_text=True)
