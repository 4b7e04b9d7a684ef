"""A small OpenID Connect provider standing in for VNeID in the tests: the
authorization-code flow with PKCE (S256), a confidential client
(client_secret_basic or client_secret_post), RS256 ID tokens with the nonce,
discovery, JWKS and user info. Written from the specifications (RFC 6749,
RFC 7636, OpenID Connect Core 1.0), not from the plugin.

The citizen "signs in" at the provider by the test choosing who they are:
``simulator.sign_in_as = "<user key>"`` (or ``None`` to refuse, as when the
person cancels). Run it with :func:`serve` on a free local port."""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server


@dataclass
class Simulator:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    users: dict[str, dict]  # key -> user-info claims (with "sub")
    sign_in_as: str | None = None
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> user key
    token_requests: list[dict] = field(default_factory=list)
    userinfo_status: int = 200  # a test may make the user-info endpoint fail
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    kid: str = field(default_factory=lambda: secrets.token_hex(4))  # a new key, a new id


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _client_ok(sim: Simulator) -> bool:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        from urllib.parse import unquote_plus

        pair = base64.b64decode(header[6:]).decode("utf-8")
        client_id, _, secret = pair.partition(":")
        return unquote_plus(client_id) == sim.client_id and unquote_plus(secret) == sim.client_secret
    return (request.form.get("client_id") == sim.client_id
            and request.form.get("client_secret") == sim.client_secret)


def create_simulator_app(sim: Simulator) -> Flask:
    app = Flask(__name__)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify({
            "issuer": sim.issuer,
            "authorization_endpoint": f"{sim.issuer}/authorize",
            "token_endpoint": f"{sim.issuer}/token",
            "userinfo_endpoint": f"{sim.issuer}/userinfo",
            "jwks_uri": f"{sim.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    @app.get("/jwks")
    def jwks():
        numbers = sim.key.public_key().public_numbers()
        return jsonify({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": sim.kid,
                                  "n": _b64(numbers.n), "e": _b64(numbers.e)}]})

    @app.get("/authorize")
    def authorize():
        args = request.args
        if args.get("client_id") != sim.client_id or args.get("redirect_uri") not in sim.redirect_uris:
            return "unknown client or redirect_uri", 400  # never redirect to an unknown address
        back = args["redirect_uri"]
        if args.get("response_type") != "code" or args.get("code_challenge_method") != "S256" \
                or not args.get("code_challenge") or not args.get("state"):
            return redirect(back + "?" + urlencode({"error": "invalid_request", "state": args.get("state", "")}))
        if sim.sign_in_as is None:
            return redirect(back + "?" + urlencode({
                "error": "access_denied", "error_description": "The user cancelled", "state": args["state"]}))
        code = secrets.token_urlsafe(24)
        sim.codes[code] = {"user": sim.sign_in_as, "redirect_uri": back, "nonce": args.get("nonce"),
                           "challenge": args["code_challenge"], "at": time.time()}
        return redirect(back + "?" + urlencode({"code": code, "state": args["state"]}))

    @app.post("/token")
    def token():
        sim.token_requests.append(dict(request.form))
        if not _client_ok(sim):
            return jsonify({"error": "invalid_client"}), 401
        grant = sim.codes.pop(request.form.get("code", ""), None)  # a code works once
        if request.form.get("grant_type") != "authorization_code" or grant is None \
                or grant["redirect_uri"] != request.form.get("redirect_uri") \
                or time.time() - grant["at"] > 60:
            return jsonify({"error": "invalid_grant"}), 400
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        if challenge.decode() != grant["challenge"]:
            return jsonify({"error": "invalid_grant", "error_description": "PKCE"}), 400
        claims = sim.users[grant["user"]]
        access = secrets.token_urlsafe(24)
        sim.tokens[access] = grant["user"]
        now = int(time.time())
        id_token = jwt.encode({"iss": sim.issuer, "sub": claims["sub"], "aud": sim.client_id,
                               "iat": now, "exp": now + 300, "nonce": grant["nonce"]},
                              sim.key, algorithm="RS256", headers={"kid": sim.kid})
        return jsonify({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                        "id_token": id_token})

    @app.get("/userinfo")
    def userinfo():
        if sim.userinfo_status != 200:
            return jsonify({"error": "server_error"}), sim.userinfo_status
        header = request.headers.get("Authorization", "")
        user = sim.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if user is None:
            return jsonify({"error": "invalid_token"}), 401
        return jsonify(sim.users[user])

    return app


class serve:
    """Run the simulator on 127.0.0.1 on a free port, in a thread."""

    def __init__(self, sim_factory) -> None:
        self.server = make_server("127.0.0.1", 0, Flask(__name__), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.sim = sim_factory(self.url)
        self.server.app = create_simulator_app(self.sim)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Simulator:
        self.thread.start()
        return self.sim

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
