"""Who is calling: a browser session (Flask-Login) or a bearer token
(Flask-AppBuilder's JWT from /api/v1/security/login)."""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_jwt_extended import (get_current_user, get_jwt, get_jwt_header, get_jwt_request_location,
                                verify_jwt_in_request)
from flask_jwt_extended.config import config as jwt_config
from flask_jwt_extended.exceptions import JWTExtendedException, UserLookupError
from flask_jwt_extended.internal_utils import (custom_verification_for_token, user_lookup,
                                               verify_token_not_blocklisted)
from flask_login import current_user
from jwt.exceptions import PyJWTError

from builder.api.tokens import bearer_token, verified_tokens
from builder.errors import Forbidden, NotAuthenticated
from builder.security import role_names


def api_user():
    """The signed-in user or None. A bad or expired token is a 401."""
    if "api_user" in g:
        return g.api_user
    user = None
    if current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        try:
            user = _token_user()
        except (JWTExtendedException, PyJWTError) as exc:
            raise NotAuthenticated(_("Your sign-in has expired or is invalid; please sign in again.")) from exc
    g.api_user = user
    return user


def _token_user():
    """The user of the request's bearer token, or None without one. A token
    this process verified before (:mod:`builder.api.tokens`) is not decoded
    again; what may change while it lives is checked as Flask-JWT-Extended
    checks it: revocation, the claims callback and the user lookup."""
    if request.method in jwt_config.exempt_methods:
        return None
    cache = verified_tokens()
    token = bearer_token() if cache is not None else None
    known = cache.get(token) if token else None
    if known is not None:
        header, claims = known
        verify_token_not_blocklisted(header, claims)
        custom_verification_for_token(header, claims)
        user = user_lookup(header, claims)
        if user is None:
            raise UserLookupError(f"user_lookup returned None for {claims.get(jwt_config.identity_claim_key)}",
                                  header, claims)
        return user
    if not verify_jwt_in_request(optional=True):
        return None
    if token and get_jwt_request_location() == "headers":  # the token verified is the one read above
        cache.put(token, get_jwt_header(), get_jwt(), jwt_config.leeway)
    return get_current_user()


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if api_user() is None:
            raise NotAuthenticated(_("Please sign in."))
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = api_user()
            if user is None:
                raise NotAuthenticated(_("Please sign in."))
            if not role_names(user) & set(roles):
                raise Forbidden(_("You are not allowed to do this."))
            return view(*args, **kwargs)

        return wrapper

    return decorator
