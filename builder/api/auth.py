"""Who is calling: a browser session (Flask-Login) or a bearer token
(Flask-AppBuilder's JWT from /api/v1/security/login)."""
from __future__ import annotations

from functools import wraps

from flask import g
from flask_babel import gettext as _
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from jwt.exceptions import PyJWTError

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
            if verify_jwt_in_request(optional=True):
                user = get_current_user()
        except (JWTExtendedException, PyJWTError) as exc:
            raise NotAuthenticated(_("Your sign-in has expired or is invalid; please sign in again.")) from exc
    g.api_user = user
    return user


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
