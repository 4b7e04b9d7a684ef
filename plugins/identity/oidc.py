"""Sign-in through an OpenID Connect identity provider (VNeID, the national
portal's SSO, or any OAuth 2.0 provider with a user-info endpoint).

The authorization-code flow with PKCE (S256) for a confidential client: the
browser goes to the authorization endpoint with ``state``, ``nonce`` and the
code challenge; the code comes back to the host's callback and is exchanged
at the token endpoint (client authenticated with its secret); the person's
details are read from the user-info endpoint with the access token. When the
provider publishes its keys (``jwks_uri``), the ID token is required and
verified (signature, issuer, audience, expiry, nonce), and the user info must
be about the same subject.

Settings, in ``PLUGINS["oidc"]``: one provider, or ``{"providers": [...]}``
for several, each with:

``name``, ``label``
    the provider's name in the sign-in URL (``/dang-nhap/<name>``, default
    ``oidc``) and the button's text (default ``OpenID Connect``).
``issuer``
    the provider's issuer URL: the endpoints are read from
    ``<issuer>/.well-known/openid-configuration`` unless given below.
``authorization_endpoint``, ``token_endpoint``, ``userinfo_endpoint``, ``jwks_uri``
    the endpoints, for a provider without discovery (``jwks_uri`` optional).
``client_id``, ``client_secret`` or ``client_secret_env``
    the client registered with the provider; ``client_secret_env`` names the
    environment variable holding the secret.
``scope``
    default ``openid profile email phone``.
``token_auth``
    ``client_secret_basic`` (default) or ``client_secret_post``.
``claims``
    which user-info claim holds each detail; the defaults are
    ``{"id_number": "citizen_id", "full_name": "name", "birth_date": "birthdate",
    "phone": "phone_number", "email": "email"}``; a dotted name reads a nested claim.
``authorization_params``
    extra parameters for the authorization request (e.g. ``{"acr_values": "..."}``).
``timeout``
    seconds to wait for the provider (default 10).

The callback to register with the provider is ``<PUBLIC_URL>/dang-nhap/<name>/callback``.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import jwt
from flask_babel import gettext as _

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.identity import (
    DENIED,
    INVALID,
    UNREACHABLE,
    Identity,
    IdentityError,
    SignInRequest,
)
from builder.providers.settings import not_seconds, unset_environment

log = logging.getLogger(__name__)
PLUGIN = "oidc"
DEFAULT_SCOPE = "openid profile email phone"
DEFAULT_CLAIMS = {"id_number": "citizen_id", "full_name": "name", "birth_date": "birthdate",
                  "phone": "phone_number", "email": "email"}
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")
TOKEN_AUTH = ("client_secret_basic", "client_secret_post")
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
MAX_RESPONSE = 1024 * 1024
DISCOVERY_TTL = 3600
_discovered: dict[str, tuple[float, dict]] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_lock = threading.Lock()


def _http_url(value: Any) -> bool:
    """An https URL, or plain http to this machine (a simulator, a test)."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return bool(parts.netloc) and (parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")))


def _claim(claims: dict, path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _birth_date(value: Any) -> date | None:
    """OpenID's ``birthdate`` is YYYY-MM-DD; Vietnamese systems often write DD/MM/YYYY."""
    text = _text(value)
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


class OIDCProvider:
    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.name = settings.get("name") or PLUGIN
        self.label = settings.get("label") or "OpenID Connect"

    # --- settings -----------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return self.settings.get("timeout", 10)

    def client_secret(self) -> str | None:
        if self.settings.get("client_secret_env"):
            return os.environ.get(self.settings["client_secret_env"])
        return self.settings.get("client_secret")

    def claim_names(self) -> dict[str, str]:
        return {**DEFAULT_CLAIMS, **(self.settings.get("claims") or {})}

    def check_config(self) -> list[str]:
        s, where = self.settings, f"{PLUGIN}/{self.name}"
        problems = [_("%(key)s is not set in PLUGINS[\"%(plugin)s\"].", key="client_id", plugin=where)
                    ] if not s.get("client_id") else []
        unset = unset_environment(where, s, "client_secret_env")
        if unset:
            problems += unset
        elif not self.client_secret():
            problems.append(_("%(key)s is not set in PLUGINS[\"%(plugin)s\"].", key="client_secret",
                              plugin=where))
        if not s.get("issuer") and not all(s.get(key) for key in ENDPOINTS):
            problems.append(_("%(plugin)s needs issuer, or authorization_endpoint, token_endpoint "
                              "and userinfo_endpoint.", plugin=where))
        for key in ("issuer", "jwks_uri", *ENDPOINTS):
            if s.get(key) and not _http_url(s[key]):
                problems.append(_("%(key)s of %(plugin)s must be an https address.", key=key,
                                  plugin=where))
        if s.get("token_auth", TOKEN_AUTH[0]) not in TOKEN_AUTH:
            problems.append(_("%(key)s of %(plugin)s must be one of %(values)s.", key="token_auth",
                              plugin=where, values=", ".join(TOKEN_AUTH)))
        claims = s.get("claims") or {}
        if not isinstance(claims, dict) or set(claims) - set(DEFAULT_CLAIMS) or not all(
                isinstance(v, str) and v for v in claims.values()):
            problems.append(_("%(key)s of %(plugin)s may map only %(values)s, each to a claim name.",
                              key="claims", plugin=where, values=", ".join(DEFAULT_CLAIMS)))
        return problems + not_seconds(where, s, "timeout", 10)

    # --- HTTP ---------------------------------------------------------------------

    def _fetch(self, request: urllib.request.Request, what: str) -> dict:
        """A JSON object from the provider; a failure is UNREACHABLE when the
        provider did not answer (or failed: 5xx), INVALID when it refused (4xx)
        or answered something that is not JSON."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            reason = UNREACHABLE if exc.code >= 500 else INVALID
            raise IdentityError(reason, f"{what}: HTTP {exc.code} {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise IdentityError(UNREACHABLE, f"{what}: {exc}") from exc
        if len(body) > MAX_RESPONSE:
            raise IdentityError(INVALID, f"{what}: the answer is larger than {MAX_RESPONSE} bytes")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise IdentityError(INVALID, f"{what}: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise IdentityError(INVALID, f"{what}: the answer is not a JSON object")
        return data

    def endpoints(self) -> dict[str, str]:
        """The configured endpoints, completed by the issuer's discovery document."""
        found = {key: self.settings[key] for key in (*ENDPOINTS, "jwks_uri") if self.settings.get(key)}
        issuer = self.settings.get("issuer")
        if issuer and not all(key in found for key in (*ENDPOINTS, "jwks_uri")):
            document = self._discovery(issuer.rstrip("/"))
            for key in (*ENDPOINTS, "jwks_uri"):
                if key not in found and _http_url(document.get(key)):
                    found[key] = document[key]
        missing = [key for key in ENDPOINTS if key not in found]
        if missing:
            raise IdentityError(INVALID, f"no {', '.join(missing)} for provider {self.name}")
        return found

    def _discovery(self, issuer: str) -> dict:
        with _lock:
            cached = _discovered.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        document = self._fetch(urllib.request.Request(
            f"{issuer}/.well-known/openid-configuration", headers={"Accept": "application/json"}),
            "discovery")
        if document.get("issuer", "").rstrip("/") != issuer:
            raise IdentityError(INVALID, f"discovery: issuer {document.get('issuer')!r} is not {issuer!r}")
        with _lock:
            _discovered[issuer] = (time.monotonic() + DISCOVERY_TTL, document)
        return document

    # --- the protocol -------------------------------------------------------------

    def authorization_url(self, request: SignInRequest) -> str:
        endpoint = self.endpoints()["authorization_endpoint"]
        params = {
            "response_type": "code",
            "client_id": self.settings["client_id"],
            "redirect_uri": request.redirect_uri,
            "scope": self.settings.get("scope", DEFAULT_SCOPE),
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
            **(self.settings.get("authorization_params") or {}),
        }
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)

    def identity(self, params: dict[str, str], request: SignInRequest) -> Identity:
        if params.get("error"):
            raise IdentityError(DENIED, f"{params['error']}: {params.get('error_description', '')}")
        code = params.get("code")
        if not code:
            raise IdentityError(INVALID, "the callback has neither code nor error")
        endpoints = self.endpoints()
        tokens = self._exchange(endpoints["token_endpoint"], code, request)
        access_token = tokens.get("access_token")
        if not isinstance(access_token, str) or tokens.get("token_type", "").lower() != "bearer":
            raise IdentityError(INVALID, "token: no bearer access token")
        subject = None
        if endpoints.get("jwks_uri"):
            subject = self._verified_id_token(tokens.get("id_token"), endpoints["jwks_uri"], request)["sub"]
        claims = self._fetch(urllib.request.Request(endpoints["userinfo_endpoint"], headers={
            "Authorization": f"Bearer {access_token}", "Accept": "application/json"}), "userinfo")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise IdentityError(INVALID, "userinfo: no subject")
        if subject is not None and claims["sub"] != subject:  # OpenID Connect Core 5.3.2
            raise IdentityError(INVALID, "userinfo: the subject is not the ID token's")
        names = self.claim_names()
        return Identity(
            subject=claims["sub"],
            id_number=_text(_claim(claims, names["id_number"])),
            full_name=_text(_claim(claims, names["full_name"])),
            birth_date=_birth_date(_claim(claims, names["birth_date"])),
            phone=_text(_claim(claims, names["phone"])),
            email=_text(_claim(claims, names["email"])),
            claims=claims,
        )

    def _exchange(self, endpoint: str, code: str, request: SignInRequest) -> dict:
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": request.redirect_uri, "code_verifier": request.code_verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        client_id, secret = self.settings["client_id"], self.client_secret() or ""
        if self.settings.get("token_auth", TOKEN_AUTH[0]) == "client_secret_post":
            form.update(client_id=client_id, client_secret=secret)
        else:  # RFC 6749 2.3.1: both form-encoded before the Basic encoding
            pair = f"{quote_plus(client_id)}:{quote_plus(secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        return self._fetch(urllib.request.Request(endpoint, data=urlencode(form).encode("ascii"),
                                                  headers=headers, method="POST"), "token")

    def _verified_id_token(self, token: Any, jwks_uri: str, request: SignInRequest) -> dict:
        if not isinstance(token, str):
            raise IdentityError(INVALID, "token: no ID token")
        with _lock:
            keys = _jwks_clients.setdefault(jwks_uri, jwt.PyJWKClient(jwks_uri, timeout=self.timeout))
        try:
            key = keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise IdentityError(UNREACHABLE, f"jwks: {exc}") from exc
        except jwt.PyJWTError as exc:
            raise IdentityError(INVALID, f"id_token: {exc}") from exc
        issuer = self.settings.get("issuer")
        try:
            claims = jwt.decode(token, key.key, algorithms=ID_TOKEN_ALGORITHMS,
                                audience=self.settings["client_id"], issuer=issuer.rstrip("/") if issuer else None,
                                options={"require": ["exp", "iat", "sub"], "verify_iss": bool(issuer)},
                                leeway=60)
        except jwt.PyJWTError as exc:
            raise IdentityError(INVALID, f"id_token: {exc}") from exc
        if claims.get("nonce") != request.nonce:
            raise IdentityError(INVALID, "id_token: the nonce is not this sign-in's")
        return claims


def providers_of(settings: dict) -> list[OIDCProvider]:
    configs = settings.get("providers") if "providers" in settings else [settings]
    return [OIDCProvider(dict(config)) for config in configs or [] if isinstance(config, dict)]


@hookimpl
def register_identity_providers(app):
    return providers_of(plugin_settings(PLUGIN, app))
