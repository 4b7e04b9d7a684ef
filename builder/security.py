"""Flask-AppBuilder's security manager, and who may see what: staff act for
their agency only; citizens see their own dossiers."""
from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from builder.extensions import db
from builder.identity import SignInView
from builder.models import Agency, UserProfile


class MotcuaSecurityManager(SecurityManager):
    """The stock manager, reading a signed-in user in one statement."""

    authdbview = SignInView  # the sign-in page, with a button per identity provider

    def get_user_by_id(self, pk):
        """The user with their roles and profile: every API call and page
        reads all three (who it is, what it may do, which agency), so one
        query instead of three. The profile goes to :func:`profile_of`'s
        per-request cache."""
        user_model = self.user_model
        row = self.session.execute(
            select(user_model, UserProfile)
            .outerjoin(UserProfile, UserProfile.user_id == user_model.id)
            .options(joinedload(user_model.roles))
            .where(user_model.id == pk)
        ).unique().first()
        if row is None:
            return None
        user, profile = row
        if has_request_context():
            g.setdefault("motcua_profiles", {})[user.id] = profile
        return user


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role.name for role in user.roles}


def is_admin(user) -> bool:
    return current_app.config["AUTH_ROLE_ADMIN"] in role_names(user)


def is_staff(user) -> bool:
    return bool(role_names(user) & set(current_app.config["STAFF_ROLES"]))


def profile_of(user) -> UserProfile | None:
    """The user's profile, read once per request (the session holds loaded
    objects only weakly, so it would be read again each time)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("motcua_profiles", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = db.session.get(UserProfile, user.id)
    return cache[user.id]


def staff_agency_ids(user) -> set[int] | None:
    """The agencies whose dossiers ``user`` may see: None means all (Admin)."""
    if is_admin(user):
        return None
    profile = profile_of(user)
    if profile is None or profile.agency_id is None or not is_staff(user):
        return set()
    return {profile.agency_id}


def all_agency_ids() -> list[int]:
    return list(db.session.scalars(select(Agency.id)))
