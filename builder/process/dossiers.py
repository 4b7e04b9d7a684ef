"""The life of a dossier up to its submission: drafts, attachments, submission
with its code, and what the applicant, staff and the public may read of it."""
from __future__ import annotations

import functools
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from builder.database import Computed, adopt, insert_rows, row_values, write_transaction
from builder.delivery import delivery_errors, delivery_view, public_delivery
from builder.errors import Conflict, InvalidData, NotFound, TooLarge, UnsupportedType, require_object
from builder.extensions import db
from builder.forms.validation import validate_data
from builder.inputs import whole_number
from builder.jobs.queue import enqueue, outbox_row
from builder.jobs.signature_tasks import VERIFIABLE_TYPES
from builder.models import Agency, Attachment, Dossier, HistoryEntry, Payment, Procedure
from builder.models.types import utcnow
from builder.process import history, statuses
from builder.process.codes import code_written_by_insert, counted, next_code_and_id, next_dossier_code
from builder.process.published import agency_by_code, published_procedure, seed_dossier
from builder.security import profile_of, role_names, staff_agency_ids
from builder.signatures import attachment_signature
from builder import storage

FILE_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
DELIVERY_METHODS = ("online", "desk", "post")


# --- reading ---------------------------------------------------------------

def can_see(user, dossier: Dossier) -> bool:
    """The applicant, and staff of the receiving or the handling agency."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if dossier.applicant_id == user.id:
        return True
    agencies = staff_agency_ids(user)
    return agencies is None or bool({dossier.agency_id, dossier.handling_agency_id} & agencies)


def find_dossier(user, key: str, for_update: bool = False) -> Dossier:
    """A dossier by its code, or a draft by its id; 404 for anyone who may not
    see it. ``for_update`` reads it afresh and locks its row (PostgreSQL)
    inside a write transaction."""
    draft_id = whole_number(key)
    query = (select(Dossier).where(Dossier.code == key if draft_id is None else
                                   or_(Dossier.code == key, Dossier.id == draft_id))
             .options(joinedload(Dossier.attachments)))  # every answer lists them: one query, not two
    if for_update:
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Dossier)  # the dossier's row, not its attachments'
        query = query.execution_options(populate_existing=True)
    dossier = db.session.scalars(query).unique().first()
    if dossier is None or not can_see(user, dossier):
        raise NotFound(_("No dossier %(code)s.", code=key))
    seed_dossier(dossier)
    return dossier


def list_dossiers(user, status: int | None, page: int, per_page: int = 20, *,
                  procedure: str | None = None, due: str | None = None, mine: bool = False):
    """The caller's dossiers (citizen) or their agency's queue (staff),
    filtered by status, procedure, deadline (``soon``: less than a working
    day left; ``overdue``) and assignment to the caller."""
    query = select(Dossier)
    agencies = staff_agency_ids(user)
    if agencies is None:
        pass
    elif agencies:
        query = query.where(or_(Dossier.agency_id.in_(agencies), Dossier.handling_agency_id.in_(agencies),
                                Dossier.applicant_id == user.id))
    else:
        query = query.where(Dossier.applicant_id == user.id)
    if status is not None:
        query = query.where(Dossier.status == status)
    if procedure:
        query = query.join(Procedure, Dossier.procedure_id == Procedure.id).where(Procedure.code == procedure)
    if mine:
        query = query.where(Dossier.assignee_id == user.id)
    if due in ("soon", "overdue"):
        now = utcnow()
        running = Dossier.status.in_((statuses.RECEIVED, statuses.PROCESSING))
        if due == "overdue":
            query = query.where(running, Dossier.due_at < now)
        else:
            from builder.process import deadlines

            profile = profile_of(user)
            calendar = deadlines.calendar_for(profile.agency if profile else None)
            query = query.where(running, Dossier.due_at >= now,
                                Dossier.due_at <= calendar.resume(now, calendar.day_length))
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    order = (Dossier.due_at.asc(), Dossier.id) if due else (Dossier.id.desc(),)
    items = db.session.scalars(query.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    return total, list(items)


def _iso(value):
    return value.isoformat() if value else None


def payment_summary(dossier: Dossier) -> dict | None:
    from builder.process.payments import amount_due

    package = dossier.version.package
    amount = amount_due(dossier)
    if amount == 0:
        return None
    query = select(Payment).where(Payment.dossier_id == dossier.id)
    if dossier.payment_requested_at is not None:  # an officer's request (status 6) is paid anew
        query = query.where(Payment.created_at >= dossier.payment_requested_at)
    latest = db.session.scalar(query.order_by(Payment.id.desc()))
    gateway = (package.get("payment") or {}).get("gateway")
    if latest is None:
        return {"status": "unpaid", "amount": amount, "gateway": gateway}
    return {"status": latest.status, "amount": latest.amount, "gateway": latest.gateway}


def attachment_dict(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "component": attachment.component,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "signature": attachment_signature(attachment),
    }


def dossier_dict(dossier: Dossier, user=None) -> dict:
    from builder.process.engine import available_actions

    return {
        "id": dossier.id,
        "code": dossier.code,
        "procedure": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "version": dossier.version.number,
        "agency_code": dossier.agency.code,
        "handling_agency_code": (dossier.handling_agency or dossier.agency).code,
        "current_step": dossier.current_step,
        "step_due_at": _iso(dossier.step_due_at),
        "status": dossier.status,
        "status_label": statuses.status_label(dossier.status),
        "channel": dossier.channel,
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "data": dossier.data,
        "delivery": delivery_view(dossier),
        "created_at": _iso(dossier.created_at),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "returned_at": _iso(dossier.returned_at),
        "attachments": [attachment_dict(a) for a in dossier.attachments],
        "payment": payment_summary(dossier),
        "available_actions": available_actions(user, dossier),
    }


def lookup_dict(dossier: Dossier) -> dict:
    """What anyone may learn from a dossier's code: nothing personal."""
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "agency": dossier.agency.name,
        "status": dossier.status,
        "status_label": statuses.status_label(dossier.status),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "returned_at": _iso(dossier.returned_at),
        "delivery": public_delivery(dossier),
    }


# --- writing ---------------------------------------------------------------

def _check_body(body: Any, creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    require_object(body)
    if creating and not isinstance(body.get("procedure"), str):
        errors["procedure"] = [_("This field is required.")]
    if "data" in body and not isinstance(body["data"], dict):
        errors["data"] = [_("Must be a group of fields.")]
    if "submit" in body and not isinstance(body["submit"], bool):
        errors["submit"] = [_("Must be yes or no.")]
    delivery = body.get("delivery")
    if delivery is not None:
        if not isinstance(delivery, dict) or delivery.get("method") not in DELIVERY_METHODS:
            errors["delivery.method"] = [_("Is not one of the allowed choices.")]
        elif delivery.get("address") is not None and not isinstance(delivery["address"], dict):
            errors["delivery.address"] = [_("Must be a group of fields.")]
    if "agency" in body and not isinstance(body["agency"], str):
        errors["agency"] = [_("Must be text.")]
    return errors


def _receiving_agency(procedure: Procedure, code: str | None, read_only: bool = False) -> Agency:
    """The agency that receives the dossier: the procedure's, or one below
    it (``read_only`` as for :func:`published_procedure`)."""
    if code is None or code == procedure.agency.code:
        return procedure.agency
    agency = agency_by_code(code, read_only)
    if agency is None or procedure.agency_id not in {a.id for a in agency.ancestors()}:
        raise InvalidData(
            _("The dossier is not valid."),
            {"agency": [_("This agency does not handle this procedure.")]},
        )
    return agency


def _check_delivery(package: dict, delivery: dict | None, submitting: bool = False) -> None:
    if delivery and delivery["method"] not in package.get("delivery_methods", []):
        raise InvalidData(
            _("The dossier is not valid."),
            {"delivery.method": [_("This service does not return results this way.")]},
        )
    errors = delivery_errors(package, delivery, submitting)  # the postal address
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)


def _form_errors(dossier_or_version, data: dict, shape_only: bool) -> dict[str, list[str]]:
    version = dossier_or_version
    schema = version.package["form"]["schema"]
    # a published version never changes; its id and instant name it uniquely
    key = f"version:{version.id}:{version.published_at.isoformat()}"
    errors = validate_data(schema, data, cache_key=key, shape_only=shape_only)
    return {f"data.{path}" if path else "data": messages for path, messages in errors.items()}


def _missing_components(dossier: Dossier) -> dict[str, list[str]]:
    attached = {a.component for a in dossier.attachments}
    return {
        f"components.{c['id']}": [_("Please attach: %(name)s.", name=c["name"])]
        for c in dossier.version.package.get("components", [])
        if c.get("required") and c["id"] not in attached
    }


def create_dossier(user, body: Any) -> Dossier:
    errors = _check_body(body, creating=True)
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    # the shared read-only copies: the dossier links them without a query or a merge
    procedure = published_procedure(body["procedure"], read_only=True)
    if procedure is None:
        raise InvalidData(
            _("The dossier is not valid."),
            {"procedure": [_("No published procedure has the code %(code)s.", code=body["procedure"])]},
        )
    version = procedure.current_version
    package = version.package
    if package.get("level", 1) < 3:
        raise Conflict(_("This service is not offered online."))
    data = body.get("data") or {}
    submit = body.get("submit", True)
    _check_delivery(package, body.get("delivery"), submitting=submit)
    errors = _form_errors(version, data, shape_only=not submit)
    if submit:
        errors.update(
            {
                f"components.{c['id']}": [_("Please attach: %(name)s.", name=c["name"])]
                for c in package.get("components", [])
                if c.get("required")
            }
        )
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    agency = _receiving_agency(procedure, body.get("agency"), read_only=True)
    profile = profile_of(user)
    # PostgreSQL: the submission is one statement (the counter, the dossier, its entry and jobs)
    in_one_statement = submit and code_written_by_insert(db.session.get_bind().dialect.name)
    with write_transaction(one_statement=in_one_statement) as session:
        dossier = Dossier(
            procedure_id=procedure.id,
            version_id=version.id,
            agency_id=agency.id,
            applicant_id=user.id,
            applicant_name=profile.full_name if profile else user.username,
            applicant_id_number=profile.id_number if profile else None,
            applicant_phone=profile.phone if profile else None,
            applicant_email=profile.email if profile else None,
            data=data,
            status=statuses.DRAFT,
            channel="online",
            delivery=body.get("delivery"),
            attachments=[],  # a new dossier has none: no query for them in the answer
        )
        # the catalogue as it is, not a change to save: its foreign keys are set above
        for name, value in (("procedure", procedure), ("version", version), ("agency", agency)):
            set_committed_value(dossier, name, value)
        if submit:
            _submit(session, user, dossier, new=True, code_in_insert=in_one_statement)
        else:
            session.add(dossier)
    return dossier


def update_draft(user, dossier: Dossier, body: Any) -> Dossier:
    _require_owner_draft(user, dossier)
    errors = _check_body(body, creating=False)
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    _check_delivery(dossier.version.package, body.get("delivery"))
    data = body.get("data", dossier.data) or {}
    errors = _form_errors(dossier.version, data, shape_only=True)
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    dossier_id = dossier.id
    with write_transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        _require_owner_draft(user, dossier)  # again, under the write lock
        dossier.data = data
        if "delivery" in body:
            dossier.delivery = body["delivery"]
    return dossier


def submit_draft(user, dossier: Dossier) -> Dossier:
    _require_owner_draft(user, dossier)
    _check_delivery(dossier.version.package, dossier.delivery, submitting=True)
    errors = _form_errors(dossier.version, dossier.data, shape_only=False)
    errors.update(_missing_components(dossier))
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    dossier_id = dossier.id
    with write_transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        _require_owner_draft(user, dossier)
        _submit(session, user, dossier)
    return dossier


def _require_owner_draft(user, dossier: Dossier) -> None:
    if dossier.applicant_id != user.id:
        raise NotFound(_("No dossier %(code)s.", code=dossier.id))
    if dossier.status != statuses.DRAFT:
        raise Conflict(_("The dossier %(code)s was already submitted.", code=dossier.code))


def _submit(session, user, dossier: Dossier, new: bool = False, code_in_insert: bool = False) -> None:
    """Submit a draft, or a ``new`` dossier not yet in the session: the hot
    path of a one-call submission, written with Core statements (the counter
    with the new dossier's id; then the dossier with its chain head, its first
    history entry and its jobs, in one statement on PostgreSQL, which with
    ``code_in_insert`` takes the id, bumps the counter, writes the code and
    computes the entry's hash too: see :mod:`builder.process.codes`)."""
    now = utcnow()
    with session.no_autoflush:  # the dossier is inserted once, with its code
        if code_in_insert:
            dossier_id, code = counted(dossier.agency.code, now)
        elif new:
            dossier.code, dossier.id = next_code_and_id(session, dossier.agency.code, now)
        else:
            dossier.code = next_dossier_code(session, dossier.agency.code, now)
    dossier.status = statuses.SUBMITTED
    dossier.submitted_at = now
    steps = dossier.version.package["process"]["steps"]
    dossier.current_step = steps[0]["id"]  # the reception step
    jobs = [enqueue("builder.jobs.tasks.render_form_pdf", dossier.id, queue="pdf"),
            enqueue("builder.jobs.tasks.notify_submitted", dossier.id)]
    entry_fields = dict(at=now, action="submit", actor_id=user.id, actor_name=dossier.applicant_name,
                        agency_id=None, from_status=statuses.DRAFT, to_status=statuses.SUBMITTED,
                        step=dossier.current_step)
    if not new:
        history.append(session, dossier, first=True, **entry_fields)
        return
    if not code_in_insert:
        # the first entry's hash is the head the dossier is written with: no UPDATE after
        entry = history.new_entry(dossier.id, None, **entry_fields)
        dossier.history_head = entry.hash
        keys = insert_rows(session, [row_values(dossier), history.entry_row(entry), *map(outbox_row, jobs)])
    else:  # the statement gives the id, the code and the hash; the other rows refer to its id
        entry = HistoryEntry(dossier_id=None, prev_hash=None, **entry_fields)
        digest = history.digest_computed(entry, dossier_id.expression)
        table, values = row_values(dossier)
        values.update(id=dossier_id, code=code, history_head=digest)
        entry_table, entry_values = history.entry_row(entry)
        entry_values.update(dossier_id=dossier_id, hash=digest)
        job_rows = [(job_table, dict(job_values, args=Computed(_job_args(dossier_id.expression), {})))
                    for job_table, job_values in map(outbox_row, jobs)]
        keys = insert_rows(session, [(table, values), (entry_table, entry_values), *job_rows])
        dossier.code, dossier.history_head = code.value, digest.value
        entry.dossier_id, entry.hash = keys[0], digest.value
        for record in jobs:
            record.args = [keys[0]]
    adopt(session, dossier, keys[0])
    entry.id = keys[1]
    for record, key in zip(jobs, keys[2:]):
        record.id = key


@functools.cache
def _job_args(dossier_id):
    """A job's arguments, ``[dossier id]``, in SQL over the id's expression."""
    return func.jsonb_build_array(dossier_id, type_=JSONB)


def _sniff(head: bytes) -> str | None:
    for signature, content_type in FILE_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


SCANNABLE = (statuses.RECEIVED, statuses.PROCESSING)
ATTACHABLE = (statuses.DRAFT, statuses.SUPPLEMENT_REQUESTED)


def _may_attach(user, dossier: Dossier) -> bool:
    """The applicant, to a draft or during a supplement; the receiving desk,
    scanning a paper dossier it registered."""
    if dossier.applicant_id is not None and dossier.applicant_id == user.id:
        return dossier.status in ATTACHABLE
    profile = profile_of(user)
    return (dossier.channel == "desk" and dossier.status in SCANNABLE and profile is not None
            and profile.agency_id == dossier.agency_id and "Desk" in role_names(user))


def add_attachment(user, dossier: Dossier, component: Any, upload) -> Attachment:
    if not can_see(user, dossier):
        raise NotFound(_("No dossier %(code)s.", code=dossier.code or dossier.id))
    if not _may_attach(user, dossier):
        raise Conflict(_("Files can only be attached to a draft or during a supplement."))
    components = {c["id"]: c for c in dossier.version.package.get("components", [])}
    if not isinstance(component, str) or component not in components:
        raise InvalidData(
            _("The attachment is not valid."),
            {"component": [_("Is not one of the allowed choices.")]},
        )
    if upload is None or not upload.filename:
        raise InvalidData(_("The attachment is not valid."), {"file": [_("This field is required.")]})
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(_("A file may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
    content_type = _sniff(data[:16])
    if content_type is None or content_type not in current_app.config["ATTACHMENT_TYPES"]:
        raise UnsupportedType(_("Only PDF, JPEG and PNG files are accepted."))
    digest = storage.store_bytes(data)
    dossier_id = dossier.id
    with write_transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        if not _may_attach(user, dossier):
            raise Conflict(_("Files can only be attached to a draft or during a supplement."))
        attachment = Attachment(
            dossier_id=dossier.id,
            component=component,
            filename=upload.filename[-255:],
            content_type=content_type,
            size=len(data),
            sha256=digest,
        )
        session.add(attachment)
        if content_type in VERIFIABLE_TYPES:  # its signatures are checked after the commit
            session.flush()
            enqueue("builder.jobs.signature_tasks.verify_attachment", attachment.id)
    return attachment
