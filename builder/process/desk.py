"""The reception desk registers a paper dossier brought in person: it is
received on the spot (the desk has checked it), gets its code and due date,
and the receipt is printed. The declaration stays on paper and is scanned in
as an attachment; typed form data is optional and, when given, checked
against the form's schema like any other. A result sent by post needs the
postal address, checked like an online dossier's (builder.delivery)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from builder.database import write_transaction
from builder.delivery import delivery_errors
from builder.errors import Forbidden, InvalidData, require_object
from builder.forms.citizen_id import citizen_id_problem
from builder.jobs.queue import enqueue
from builder.models import Dossier
from builder.models.types import utcnow
from builder.process import deadlines, history, statuses as S
from builder.process.codes import next_dossier_code
from builder.process.dossiers import (
    DELIVERY_METHODS,
    _form_errors,
    _receiving_agency,
    published_procedure,
)
from builder.security import profile_of, role_names


def _applicant_errors(applicant: Any) -> dict[str, list[str]]:
    if not isinstance(applicant, dict):
        return {"applicant": [_("Must be a group of fields.")]}
    errors: dict[str, list[str]] = {}
    name = applicant.get("name")
    if not isinstance(name, str) or len(name.strip()) < 2:
        errors["applicant.name"] = [_("Please enter your full name.")]
    if applicant.get("id_number") not in (None, ""):
        problem = citizen_id_problem(applicant["id_number"])
        if problem:
            errors["applicant.id_number"] = [str(problem)]
    for key in ("phone", "email", "address"):
        if applicant.get(key) is not None and not isinstance(applicant[key], str):
            errors[f"applicant.{key}"] = [_("Must be text.")]
    return errors


def register_paper_dossier(user, body: Any) -> Dossier:
    profile = profile_of(user)
    if "Desk" not in role_names(user) or profile is None or profile.agency is None:
        raise Forbidden(_("Only the reception desk registers paper dossiers."))
    require_object(body)
    procedure = published_procedure(body.get("procedure"))
    if procedure is None:
        raise InvalidData(_("The dossier is not valid."), {"procedure": [
            _("No published procedure has the code %(code)s.", code=body.get("procedure"))]})
    version = procedure.current_version
    package = version.package
    errors = _applicant_errors(body.get("applicant"))
    received = body.get("components", [])
    known = {c["id"] for c in package.get("components", [])}
    if not isinstance(received, list) or not all(isinstance(c, str) and c in known for c in received):
        errors["components"] = [_("Is not one of the allowed choices.")]
    else:
        for component in package.get("components", []):
            if component.get("required") and component["id"] not in received:
                errors[f"components.{component['id']}"] = [_("Please attach: %(name)s.", name=component["name"])]
    data = body.get("data") or {}
    if not isinstance(data, dict):
        errors["data"] = [_("Must be a group of fields.")]
    elif data:
        errors.update(_form_errors(version, data, shape_only=False))
    delivery = body.get("delivery") or {"method": "desk"}
    if not isinstance(delivery, dict) or delivery.get("method") not in DELIVERY_METHODS \
            or delivery["method"] not in package.get("delivery_methods", []):
        errors["delivery.method"] = [_("This service does not return results this way.")]
    elif delivery.get("dossier_by_post") not in (None, False):  # the paper dossier is here already
        errors["delivery.dossier_by_post"] = [_("A dossier brought to the desk is not sent by post.")]
    else:  # a result by post needs the address it goes to
        errors.update(delivery_errors(package, delivery, submitting=True))
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    agency = _receiving_agency(procedure, profile.agency.code)
    applicant = body["applicant"]
    steps = package["process"]["steps"]
    target = next((a.get("to") for a in steps[0].get("actions", []) if a["action"] == "receive"), None)
    with write_transaction() as session:
        now = utcnow()
        dossier = Dossier(
            procedure=procedure, version=version, agency=agency, applicant_id=None,
            applicant_name=" ".join(applicant["name"].split()), applicant_id_number=applicant.get("id_number") or None,
            applicant_phone=applicant.get("phone") or None, applicant_email=applicant.get("email") or None,
            data=data, channel="desk", delivery=delivery, status=S.RECEIVED,
            submitted_at=now, received_at=now, current_step=target,
            due_at=deadlines.due(agency, now, package["processing_time"]),
        )
        with session.no_autoflush:
            dossier.code = next_dossier_code(session, agency.code, now)
        step = next((s for s in steps if s["id"] == target), None)
        dossier.step_due_at = deadlines.due(agency, now, step.get("duration")) if step else None
        session.add(dossier)
        actor = profile.full_name
        history.append(session, dossier, at=now, action="submit", actor_id=user.id, actor_name=actor,
                       agency_id=agency.id, from_status=S.DRAFT, to_status=S.SUBMITTED, step=steps[0]["id"],
                       comment=_("Submitted in person at the one-stop desk."), first=True)
        history.append(session, dossier, at=now, action="receive", actor_id=user.id, actor_name=actor,
                       agency_id=agency.id, from_status=S.SUBMITTED, to_status=S.RECEIVED, step=target,
                       step_due_at=dossier.step_due_at, details={"components_received": received})
        enqueue("builder.jobs.tasks.render_receipt", dossier.id, queue="pdf")
        enqueue("builder.jobs.tasks.render_control_sheet", dossier.id, queue="pdf")
        enqueue("builder.jobs.tasks.notify_status_changed", dossier.id, S.DRAFT, S.RECEIVED)
    return dossier
