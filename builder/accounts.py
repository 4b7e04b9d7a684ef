"""Creating accounts: citizens register themselves; staff are created by an
operator and belong to an agency."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from builder.errors import Conflict, InvalidData, NotFound
from builder.extensions import db
from builder.forms.citizen_id import citizen_id_problem
from builder.models import Agency, UserProfile

ROLES = ("Admin", "Designer", "Desk", "Officer", "Leader", "Citizen")
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def _split_name(full_name: str) -> tuple[str, str]:
    """Vietnamese order is family, middle, given: 'Nguyễn Văn An' → ('An', 'Nguyễn Văn')."""
    parts = full_name.split()
    return (parts[-1], " ".join(parts[:-1]) or parts[-1])


def citizen_errors(body: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def text(key: str) -> str | None:
        value = body.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            errors[key] = [_("Must be text.")]
            return None
        return value.strip()

    id_number = body.get("id_number")
    problem = citizen_id_problem(id_number)
    if problem:
        errors["id_number"] = [str(problem)]
    full_name = text("full_name")
    if "full_name" not in errors and (not full_name or len(full_name) < 2 or len(full_name) > 255):
        errors["full_name"] = [_("Please enter your full name.")]
    phone = text("phone")
    if "phone" not in errors and phone is not None and not _PHONE.match(phone):
        errors["phone"] = [_("Is not a Vietnamese phone number.")]
    email = text("email")
    if "email" not in errors and email is not None and not _EMAIL.match(email):
        errors["email"] = [_("Must be an e-mail address.")]
    password = body.get("password")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors["password"] = [_("The password needs at least %(n)s characters.", n=MIN_PASSWORD)]
    return errors


def register_citizen(body: dict):
    """Create a citizen account whose username is the citizen ID number."""
    errors = citizen_errors(body)
    if errors:
        raise InvalidData(_("The registration is not valid."), errors)
    sm = current_app.appbuilder.sm
    id_number = body["id_number"]
    if sm.find_user(username=id_number) is not None:
        raise Conflict(_("An account with this citizen ID already exists."))
    email = (body.get("email") or "").strip() or None
    full_name = " ".join(body["full_name"].split())
    return _add_user(
        username=id_number,
        full_name=full_name,
        password=body["password"],
        role="Citizen",
        email=email,
        profile=UserProfile(
            kind="citizen",
            full_name=full_name,
            id_number=id_number,
            phone=(body.get("phone") or "").strip() or None,
            email=email,
        ),
    )


def create_staff(username: str, password: str, role: str, agency_code: str | None,
                 full_name: str | None = None, email: str | None = None):
    if role not in ROLES:
        raise InvalidData(_("Unknown role."), {"role": [_("Unknown role.")]})
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise NotFound(_("No agency has the code %(code)s.", code=agency_code))
    elif role not in ("Admin", "Citizen"):
        raise InvalidData(
            _("Staff accounts belong to an agency."),
            {"agency": [_("Staff accounts belong to an agency.")]},
        )
    if current_app.appbuilder.sm.find_user(username=username) is not None:
        raise Conflict(_("The username %(name)s is taken.", name=username))
    full_name = full_name or username
    return _add_user(
        username=username,
        full_name=full_name,
        password=password,
        role=role,
        email=email,
        profile=UserProfile(
            kind="citizen" if role == "Citizen" else "staff",
            full_name=full_name,
            agency_id=agency.id if agency else None,
            email=email,
        ),
    )


def _add_user(username, full_name, password, role, email, profile):
    sm = current_app.appbuilder.sm
    role_obj = sm.find_role(role) or sm.add_role(role)
    first, last = _split_name(full_name)
    # Flask-AppBuilder wants a unique e-mail; people without one get a
    # placeholder in a reserved domain that can never receive mail.
    user = sm.add_user(
        username=username,
        first_name=first,
        last_name=last,
        email=email if email and sm.find_user(email=email) is None else f"{username}@users.invalid",
        role=role_obj,
        password=password,
        commit=False,
    )
    try:
        if not user:
            raise IntegrityError("add_user", {}, Exception(username))
        db.session.flush()
        profile.user_id = user.id
        db.session.add(profile)
        db.session.commit()
    except IntegrityError as exc:  # a concurrent registration took the name
        db.session.rollback()
        raise Conflict(_("An account with this username already exists.")) from exc
    return user
