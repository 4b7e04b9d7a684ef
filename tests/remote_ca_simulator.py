"""A local stand-in for a CA's remote-signing gateway (Viettel MySign's API,
as plugins/signature/remote_ca.py describes it), served over HTTP in a thread.

It holds, for each user id, a key and a certificate issued by tests/pki.py's
CA, and what the user does on their phone when asked to sign:

``confirm``  the first status poll says 4000 (waiting), the next one gives
             the signature;
``reject``   4000, then 4002 (refused on the phone);
``expire``   4000, then 4001 (the gateway's own expiry);
``never``    4000 for ever;
``wrong``    confirms, but the signature is made with another key.

The signature is this module's own: the key signs the SHA-256 digest it was
sent (PKCS#1 v1.5 over the DigestInfo), never through the plugin's code.
Every request is kept in ``requests`` for the tests to read."""
from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from flask import Flask, jsonify, request

from tests.pki import Identity
from tests.vnpost_simulator import ServedApp

SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_OID = "1.2.840.113549.1.1.1"
BEHAVIOURS = ("confirm", "reject", "expire", "never", "wrong")


@dataclass
class User:
    identity: Identity
    behaviour: str = "confirm"
    credential_id: str = field(default_factory=lambda: f"{secrets.randbelow(10**10):010d}_2482540")


@dataclass
class Transaction:
    user_id: str
    digest: bytes
    polls: int = 0


def _b64_der(certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


class RemoteCaSimulator:
    def __init__(self, client_id: str, client_secret: str, profile_id: str = "adss:ras:profile:001") -> None:
        self.client_id, self.client_secret, self.profile_id = client_id, client_secret, profile_id
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}  # access token -> user id
        self.transactions: dict[str, Transaction] = {}
        self.requests: list[tuple[str, dict]] = []  # (path, body)
        self.app = self._make_app()
        self.served: ServedApp | None = None
        self._other_key = None

    @property
    def url(self) -> str:
        return self.served.url

    def start(self) -> RemoteCaSimulator:
        self.served = ServedApp(self.app)
        return self

    def stop(self) -> None:
        self.served.stop()

    def add_user(self, user_id: str, identity: Identity, behaviour: str = "confirm") -> User:
        assert behaviour in BEHAVIOURS
        self.users[user_id] = User(identity, behaviour)
        return self.users[user_id]

    def calls(self, path: str) -> list[dict]:
        return [body for called, body in self.requests if called.endswith(path)]

    # --- the gateway -------------------------------------------------------------

    def _sign(self, user: User, digest: bytes) -> bytes:
        key = user.identity.key
        if user.behaviour == "wrong":
            if self._other_key is None:
                self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key = self._other_key
        return key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

    def _make_app(self) -> Flask:
        app = Flask("remote_ca_simulator")

        def error(status: int, code: str, message: str):
            return jsonify({"code": code, "message": message}), status

        def client_ok(body: dict) -> bool:
            return body.get("client_id") == self.client_id and body.get("client_secret") == self.client_secret

        def bearer_user() -> str | None:
            header = request.headers.get("Authorization", "")
            return self.tokens.get(header[7:]) if header.startswith("Bearer ") else None

        @app.before_request
        def keep():
            self.requests.append((request.path, request.get_json(silent=True) or {}))

        @app.post("/vtss/service/ras/v1/login")
        def login():
            body = request.get_json(silent=True) or {}
            if body.get("client_id") != self.client_id:
                return error(400, "58007", "Client ID does not exist")
            if body.get("client_secret") != self.client_secret:
                return error(401, "86024", "Client secret is invalid")
            if body.get("user_id") not in self.users or body.get("profile_id") != self.profile_id:
                return error(400, "58008", "User ID does not exist")
            token = secrets.token_urlsafe(24)
            self.tokens[token] = body["user_id"]
            return jsonify({"access_token": token, "refresh_token": "", "token_type": "Bearer",
                            "expires_in": "3600"})

        @app.post("/vtss/service/certificates/info")
        def certificates():
            body = request.get_json(silent=True) or {}
            user_id = bearer_user()
            if user_id is None or not client_ok(body) or body.get("user_id") != user_id:
                return error(401, "59033", "user ID or password is invalid")
            user = self.users[user_id]
            cert = user.identity.cert
            return jsonify([{
                "description": "Go>Sign mobile based implicit credential authorization",
                "key": {"status": "enabled", "algo": [RSA_OID], "len": "2048", "curve": None},
                "cert": {
                    "status": "valid",
                    "certificates": [_b64_der(cert)] + [_b64_der(c) for c in user.identity.chain],
                    "issuerDN": cert.issuer.rfc4514_string(), "subjectDN": cert.subject.rfc4514_string(),
                    "serialNumber": str(cert.serial_number),
                    "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%S+0000"),
                    "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%S+0000"),
                },
                "authMode": "implicit", "multisign": "2147483647",
                "credential_id": user.credential_id, "scal": "2",
            }])

        @app.post("/vtss/service/signHash")
        def sign_hash():
            body = request.get_json(silent=True) or {}
            user_id = bearer_user()
            if user_id is None or not client_ok(body):
                return error(401, "59033", "user ID or password is invalid")
            user = self.users[user_id]
            if body.get("credentialID") != user.credential_id:
                return error(400, "40001", "Credential does not exist")
            hashes_ = body.get("hash") or []
            documents = body.get("documents") or []
            if (body.get("hashAlgo") != SHA256_OID or body.get("signAlgo") != RSA_OID
                    or body.get("numSignatures") != 1 or len(hashes_) != 1 or len(documents) != 1):
                return error(400, "40002", "Invalid signing request")
            try:
                digest = base64.b64decode(hashes_[0], validate=True)
                for text in (body.get("description", ""), documents[0].get("document_name", "")):
                    assert len(text) < 100
                    base64.b64decode(text, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, AssertionError, AttributeError):
                return error(400, "40003", "hash, description and document_name must be base64")
            if len(digest) != 32:
                return error(400, "40004", "Only SHA256 hash converted to base64 is accepted")
            transaction = str(uuid.uuid4())
            self.transactions[transaction] = Transaction(user_id, digest)
            return jsonify({"transactionId": transaction})

        @app.post("/vtss/service/requests/status")
        def status():
            body = request.get_json(silent=True) or {}
            user_id = bearer_user()
            transaction = self.transactions.get(body.get("transactionId"))
            if user_id is None or transaction is None or transaction.user_id != user_id:
                return error(400, "40005", "Transaction does not exist")
            transaction.polls += 1
            user = self.users[user_id]
            if transaction.polls == 1 or user.behaviour == "never":
                return jsonify({"status": "4000", "description": "Waiting for user confirmation",
                                "signatures": None})
            if user.behaviour == "reject":
                return jsonify({"status": "4002", "description": "User rejected", "signatures": None})
            if user.behaviour == "expire":
                return jsonify({"status": "4001", "description": "Request expired", "signatures": None})
            signature = base64.encodebytes(self._sign(user, transaction.digest)).decode()  # with line breaks
            return jsonify({"status": "1", "description": "Ký thành công", "signatures": [signature]})

        return app
