"""Sign-in through identity providers (VNeID, the national portal's SSO): the
host's side of the authorization-code flow.

``/dang-nhap/<provider>`` makes a state, a nonce and a PKCE verifier, keeps
them in the browser's session and sends the browser to the provider.
``/dang-nhap/<provider>/callback`` takes the state back out of the session
(so it is used once), lets the provider read its answer, finds or creates the
citizen's account by citizen ID and signs them in. Whatever goes wrong, the
citizen reads why in Vietnamese and no account is created."""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from builder.accounts import citizen_errors, register_citizen
from builder.errors import BuilderError
from builder.extensions import db
from builder.forms.citizen_id import birth_year, citizen_id_problem
from builder.models import UserProfile
from builder.models.identity import ExternalIdentity
from builder.models.types import utcnow
from builder.plugins import identity_providers
from builder.providers.identity import (
    DENIED,
    UNREACHABLE,
    Identity,
    IdentityError,
    IdentityProvider,
    SignInRequest,
)

log = logging.getLogger(__name__)
identity = Blueprint("identity", __name__)
SESSION_KEY = "motcua.sign_in"
STATE_TTL_SECONDS = 600  # a sign-in left at the provider longer than this starts over
MAX_PENDING = 5  # sign-ins under way in one browser (several tabs)


class SignInError(BuilderError):
    """A sign-in that cannot go on; the message is for the citizen."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class SignInView(AuthDBView):
    """Flask-AppBuilder's sign-in page, with a button for each configured
    identity provider under the username and password form."""

    login_template = "portal/login.html"


def configured_providers() -> dict[str, IdentityProvider]:
    return {name: provider for name, provider in identity_providers().items()
            if not provider.check_config()}


@identity.app_template_global("sign_in_options")
def sign_in_options(next_url: str | None = None) -> list[tuple[str, str]]:
    """``(label, url)`` of each provider a citizen may sign in with."""
    try:
        providers = configured_providers()
    except BuilderError:  # a broken plugin must not take the sign-in page down
        log.exception("identity providers could not be listed")
        return []
    query = {"next": next_url} if next_url else {}
    return [(provider.label, url_for("identity.sign_in", provider=name, **query))
            for name, provider in sorted(providers.items())]


def _redirect_uri(name: str) -> str:
    """Our callback as registered with the provider: under PUBLIC_URL, so it
    does not depend on the host name a request came in with."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for("identity.callback", provider=name)


def _provider(name: str) -> IdentityProvider:
    provider = configured_providers().get(name)
    if provider is None:
        raise SignInError(_("There is no sign-in with %(name)s here.", name=name), status=404)
    return provider


def _error_page(error: SignInError):
    return render_template("portal/sign_in_error.html", message=error.message,
                           appbuilder=current_app.appbuilder,
                           base_template=current_app.appbuilder.base_template), error.status


@identity.route("/dang-nhap/<provider>")
def sign_in(provider: str):
    try:
        chosen = _provider(provider)
        state = secrets.token_urlsafe(32)
        pending = _pending()
        pending[state] = {"provider": provider, "nonce": secrets.token_urlsafe(32),
                          "verifier": secrets.token_urlsafe(48), "at": time.time(),
                          "next": request.args.get("next", "")}
        while len(pending) > MAX_PENDING:  # the oldest go
            pending.pop(min(pending, key=lambda key: pending[key]["at"]))
        sign_in_request = _request_of(state, pending[state])
        try:
            url = chosen.authorization_url(sign_in_request)
        except IdentityError as exc:
            log.warning("sign-in with %s cannot start: %s", provider, exc)
            raise SignInError(_("%(provider)s cannot be reached just now; please try again later.",
                                provider=chosen.label), status=502) from exc
        session[SESSION_KEY] = pending
    except SignInError as error:
        return _error_page(error)
    return redirect(url)


def _pending() -> dict:
    now = time.time()
    return {state: entry for state, entry in dict(session.get(SESSION_KEY) or {}).items()
            if isinstance(entry, dict) and now - entry.get("at", 0) < STATE_TTL_SECONDS}


def _request_of(state: str, entry: dict) -> SignInRequest:
    return SignInRequest(state=state, nonce=entry["nonce"], code_verifier=entry["verifier"],
                         redirect_uri=_redirect_uri(entry["provider"]))


@identity.route("/dang-nhap/<provider>/callback")
def callback(provider: str):
    try:
        chosen = _provider(provider)
        entry = _take_state(provider, request.args.get("state", ""))
        found = _identity(chosen, _request_of(request.args["state"], entry))
        user = account_for(provider, found)
    except SignInError as error:
        return _error_page(error)
    login_user(user, remember=False)
    current_app.appbuilder.sm.update_user_auth_stat(user, True)
    return redirect(get_safe_redirect(entry.get("next") or url_for("PortalIndexView.index")))


def _take_state(provider: str, state: str) -> dict:
    """The sign-in this state belongs to, taken out of the session: a state
    works once, in the browser that started the sign-in, for its provider."""
    stored = dict(session.get(SESSION_KEY) or {})
    entry = stored.pop(state, None) if state else None
    session[SESSION_KEY] = stored
    if (not isinstance(entry, dict) or entry.get("provider") != provider
            or time.time() - entry.get("at", 0) >= STATE_TTL_SECONDS):
        raise SignInError(_("This sign-in is not valid or has expired; please sign in again."))
    return entry


def _identity(provider: IdentityProvider, sign_in_request: SignInRequest) -> Identity:
    try:
        return provider.identity(request.args.to_dict(), sign_in_request)
    except IdentityError as exc:
        log.warning("sign-in with %s failed: %s", provider.name, exc)
        if exc.reason == DENIED:
            raise SignInError(_("%(provider)s did not sign you in (cancelled or refused).",
                                provider=provider.label), status=403) from exc
        if exc.reason == UNREACHABLE:
            raise SignInError(_("%(provider)s cannot be reached just now; please try again later.",
                                provider=provider.label), status=502) from exc
        raise SignInError(_("%(provider)s answered something we cannot use; please try again later.",
                            provider=provider.label), status=502) from exc
    except Exception as exc:  # a plugin's bug must not become a 500 for the citizen
        log.exception("identity provider %s failed", provider.name)
        raise SignInError(_("%(provider)s answered something we cannot use; please try again later.",
                            provider=provider.label), status=502) from exc


# --- the account ---------------------------------------------------------------------

@dataclass
class _Details:
    id_number: str
    full_name: str | None
    phone: str | None
    email: str | None


def _checked(found: Identity) -> _Details:
    problem = citizen_id_problem(found.id_number)
    if problem:
        raise SignInError(_("The identity provider did not give a valid citizen ID (%(problem)s); "
                            "no account was created.", problem=problem), status=422)
    if found.birth_date is not None and found.birth_date.year != birth_year(found.id_number):
        raise SignInError(_("The date of birth the identity provider gave does not match the "
                            "citizen ID; no account was created."), status=422)
    # +84 912 345 678, 84912345678 → 0912345678, the form the rest of the product keeps
    phone = "".join(c for c in found.phone or "" if c in "0123456789")
    if phone.startswith("84") and len(phone) in (11, 12):
        phone = "0" + phone[2:]
    return _Details(found.id_number, found.full_name, phone or None, found.email)


def account_for(provider: str, found: Identity):
    """The citizen account of this identity: the one linked to the provider's
    subject, else the one with the citizen ID (then linked), else a new one."""
    details = _checked(found)
    sm = current_app.appbuilder.sm
    link = db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.provider == provider, ExternalIdentity.subject == found.subject))
    profile = db.session.scalar(select(UserProfile).where(UserProfile.id_number == details.id_number))
    if link is not None and (profile is None or profile.user_id != link.user_id):
        raise SignInError(_("This identity is linked to an account with another citizen ID; "
                            "please contact the one-stop desk."), status=409)
    if profile is None:
        profile = _new_citizen(details)
    user = sm.get_user_by_id(profile.user_id)
    if profile.kind != "citizen" or {role.name for role in user.roles} != {"Citizen"}:
        raise SignInError(_("This citizen ID belongs to a staff account; staff sign in with their "
                            "username and password."), status=409)
    if not user.active:
        raise SignInError(_("This account is locked; please contact the one-stop desk."), status=403)
    _remember(provider, found.subject, user.id, link)
    return user


def _new_citizen(details: _Details) -> UserProfile:
    body = {"id_number": details.id_number, "full_name": details.full_name or "",
            "phone": details.phone, "email": details.email,
            # never typed by anyone: the account signs in through its provider
            "password": secrets.token_urlsafe(32)}
    for key in set(citizen_errors(body)) & {"phone", "email"}:
        body[key] = None  # a phone or e-mail we cannot use is left out, not a reason to refuse
    try:
        register_citizen(body)
    except BuilderError as error:
        errors = getattr(error, "errors", {})
        if "full_name" in errors:
            raise SignInError(_("The identity provider did not give your full name; no account was "
                                "created."), status=422) from error
        profile = db.session.scalar(  # registered at the same moment by another request
            select(UserProfile).where(UserProfile.id_number == details.id_number))
        if profile is None:
            raise SignInError(str(error.message), status=error.status) from error
        return profile
    return db.session.scalar(select(UserProfile).where(UserProfile.id_number == details.id_number))


def _remember(provider: str, subject: str, user_id: int, link: ExternalIdentity | None) -> None:
    try:
        if link is None:
            link = ExternalIdentity(provider=provider, subject=subject, user_id=user_id)
            db.session.add(link)
        link.last_sign_in_at = utcnow()
        db.session.commit()
    except IntegrityError:  # the same person signing in twice at once: the other request linked it
        db.session.rollback()
