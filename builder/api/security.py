"""Signing in to the API: Flask-AppBuilder's ``/api/v1/security/login`` and
``/refresh`` (API.md), answering errors as every other call does.

The stock views wrap everything in ``@safe``: a body without ``provider``
was a 500 "Fatal error", and their other errors were English and shaped
their own way (``{"message": {"username": [...]}}``, ``{"msg": ...}``).
These answer 401, 415 and 422 with a message in the request's language and
``errors`` per field, and take ``provider`` as ``db`` when it is left out.
"""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.const import API_SECURITY_PROVIDER_DB
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.views import expose
from flask_babel import gettext as _
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt_identity, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from builder.api.body import json_object
from builder.errors import InvalidData, NotAuthenticated


def _credentials(body: dict) -> tuple[str, str, bool]:
    errors: dict[str, list[str]] = {}
    for key in ("username", "password"):
        if body.get(key) in (None, ""):
            errors[key] = [_("This field is required.")]
        elif not isinstance(body[key], str):
            errors[key] = [_("Must be text.")]
    if body.get("provider", API_SECURITY_PROVIDER_DB) != API_SECURITY_PROVIDER_DB:
        errors["provider"] = [_("Is not one of the allowed choices.")]
    if not isinstance(body.get("refresh", False), bool):
        errors["refresh"] = [_("Must be yes or no.")]
    if errors:
        raise InvalidData(_("The sign-in is not valid."), errors)
    return body["username"], body["password"], body.get("refresh", False)


class MotcuaSecurityApi(SecurityApi):
    @expose("/login", methods=["POST"])
    def login(self):
        """Sign in with a username and password: an access token (and a refresh token)
        ---
        post:
          summary: Sign in
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [username, password]
                  properties:
                    username: {type: string, description: a citizen's ID number, or a staff username}
                    password: {type: string}
                    provider: {type: string, enum: [db], description: db (the default)}
                    refresh: {type: boolean, description: also give a refresh token}
          responses:
            200:
              description: Signed in
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
                      refresh_token: {type: string}
            401: {description: Wrong username or password, or the account is not active}
            415: {description: The body is not JSON}
            422: {description: A field is missing or of the wrong type}
        """
        username, password, refresh = _credentials(json_object())
        user = current_app.appbuilder.sm.auth_user_db(username, password)
        if not user:
            raise NotAuthenticated(_("Wrong username or password."))
        answer = {"access_token": create_access_token(identity=str(user.id), fresh=True)}
        if refresh:
            answer["refresh_token"] = create_refresh_token(identity=str(user.id))
        return self.response(200, **answer)

    @expose("/refresh", methods=["POST"])
    def refresh(self):
        """A new access token for a refresh token (sent as the bearer token)
        ---
        post:
          summary: Refresh the access token
          security:
          - jwt_refresh: []
          responses:
            200:
              description: A new access token
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
            401: {description: No refresh token, or one that is expired, revoked or of an inactive account}
        """
        try:
            verify_jwt_in_request(refresh=True)
        except (JWTExtendedException, PyJWTError) as exc:
            raise NotAuthenticated(_("Your sign-in has expired or is invalid; please sign in again.")) from exc
        return self.response(200, access_token=create_access_token(identity=get_jwt_identity(), fresh=False))
