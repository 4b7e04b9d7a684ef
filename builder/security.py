"""Flask-AppBuilder's security manager, and who may see what: staff act for
their agency only; citizens see their own dossiers."""
from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from builder.api.security import MotcuaSecurityApi
from builder.detached_cache import DetachedCache, merged, register, registered
from builder.extensions import db
from builder.identity import SignInView
from builder.models import Agency, UserProfile

USERS_KEY = "motcua.signed_in_users"
CITIZEN_ROLE = "Citizen"


class MotcuaSecurityManager(SecurityManager):
    """The stock manager, reading a signed-in user in one statement, and an
    API caller (a bearer token) from a short per-process cache.

    Every API call reads its caller's user, roles and profile. Each process
    keeps them for ``SIGNED_IN_USER_CACHE_SECONDS`` (default 5 s) as
    detached copies (:mod:`builder.detached_cache`): a change made by this
    process to a user, a role or a profile empties the cache at once; one
    made by another process (another worker or machine: an account
    deactivated, a role taken away) takes effect within that time. ``0``
    reads the user on every call. Browser sessions always read it afresh.

    A citizen (the role Citizen only, no agency) is given the cached copies
    themselves, read-only and outside any session: nothing on their paths
    loads more of them (their profile's agency is known to be none), no
    model links to a user or a profile by relationship, so no session takes
    them in; Flask-AppBuilder's own API reads their roles and groups, both
    loaded. That spares the merge of user, roles and profile on every call
    of the busiest caller. Staff, whose profile leads to their agency and on
    to the agencies above it, get merged objects that can load those."""

    authdbview = SignInView  # the sign-in page, with a button per identity provider
    security_api = MotcuaSecurityApi  # /api/v1/security/login and /refresh, with our JSON errors

    def __init__(self, appbuilder):  # made by AppBuilder.init_app, inside the app's context
        super().__init__(appbuilder)
        register(current_app, USERS_KEY, DetachedCache((self.user_model, self.role_model, UserProfile)))

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = self._api_caller(int(jwt_data["sub"]))
        if user is not None and user.is_active:
            g.user = user  # as the stock loader does
            return user
        return None

    def _api_caller(self, pk: int):
        cache = registered(USERS_KEY)
        ttl = float(current_app.config.get("SIGNED_IN_USER_CACHE_SECONDS", 5))
        if cache is None or ttl <= 0:
            return self.get_user_by_id(pk)
        copies = cache.get("user", pk, ttl)
        if copies is not None:
            user_copy, profile_copy, read_only = copies
            if read_only:
                g.setdefault("motcua_profiles", {})[user_copy.id] = profile_copy
                return user_copy
            user = merged(user_copy)
            g.setdefault("motcua_profiles", {})[user.id] = merged(profile_copy) if profile_copy else None
            return user
        user = self.get_user_by_id(pk)
        if user is not None:
            profile = g.motcua_profiles[user.id]
            read_only = is_citizen_only(user, profile)  # loads the groups, so the copy has them
            user_copy = cache.detached_copy(user)
            profile_copy = cache.detached_copy(profile) if profile is not None else None
            if read_only:
                set_committed_value(profile_copy, "agency", None)  # known: agency_id is None
            cache.put_value("user", pk, (user_copy, profile_copy, read_only))
        return user

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


def is_citizen_only(user, profile) -> bool:
    """A citizen and nothing else: the role Citizen alone, in no group (whose
    roles Flask-AppBuilder would read), with a profile and no agency."""
    return (profile is not None and profile.agency_id is None
            and role_names(user) == {CITIZEN_ROLE}
            and not getattr(user, "groups", None))


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
