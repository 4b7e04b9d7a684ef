"""The dossier's state machine: every action of API.md is a transition checked
for state (409), role and agency (403), done in one transaction with its
history entry, and safe when two people act at once (the dossier row is locked
and versioned: one wins, the other gets 409).

Which actions a step allows, and where they lead, comes from the service
package's process (``process.steps[].actions``); what each action does to the
status and the clock is the law's (DOMAIN.md) and lives here. The pauses
(``request_payment`` into status 6, ``stop`` into 8, and ``resume``) are not
steps of a process: the handling agency's officers and leaders may pause a
dossier at any step, and the clock stops until it resumes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from builder.database import write_transaction
from builder.errors import Conflict, Forbidden, InvalidData, NotFound
from builder.extensions import db
from builder.inputs import calendar_date
from builder.jobs.queue import enqueue
from builder.models import Agency, Dossier, DossierTransfer
from builder.models.types import utcnow
from builder.process import deadlines, history, results, statuses as S
from builder.process.results import ResultFile
from builder.security import profile_of, role_names
from builder.process.calendar import UNITS, VIETNAM

SUPPLEMENT_WINDOW_WORKING_DAYS = 3


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[int]
    owner: bool = False  # the applicant's own action
    needs: tuple[str, ...] = ()  # body fields that must be given
    receiving_desk: bool = False  # done by the agency that received the dossier
    roles: tuple[str, ...] = ()  # not a step's action: these roles of the handling agency, at any step


RULES: dict[str, Rule] = {
    "receive": Rule(frozenset({S.SUBMITTED}), receiving_desk=True),
    "refuse": Rule(frozenset({S.SUBMITTED}), needs=("comment",), receiving_desk=True),
    "request_supplement": Rule(frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING}), needs=("comment",)),
    "supplement": Rule(frozenset({S.SUPPLEMENT_REQUESTED}), owner=True),
    "assign": Rule(frozenset({S.RECEIVED, S.PROCESSING}), needs=("assignee",)),
    "forward": Rule(frozenset({S.RECEIVED, S.PROCESSING})),
    "approve": Rule(frozenset({S.RECEIVED, S.PROCESSING})),
    "return_result": Rule(frozenset({S.PROCESSED}), receiving_desk=True),
    "transfer": Rule(frozenset({S.RECEIVED, S.PROCESSING}), needs=("to_agency",)),
    "apologize": Rule(frozenset({S.RECEIVED, S.PROCESSING}), needs=("new_due_date", "comment")),
    "withdraw": Rule(frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED,
                                S.AWAITING_PAYMENT, S.STOPPED}), owner=True),
    "request_payment": Rule(frozenset({S.RECEIVED, S.PROCESSING}), roles=("Officer", "Leader")),
    "stop": Rule(frozenset({S.RECEIVED, S.PROCESSING}), needs=("comment",), roles=("Leader",)),
    "resume": Rule(frozenset({S.STOPPED}), roles=("Leader",)),
}
MAX_AMOUNT = 2**31 - 1  # VND; the payment's column is a 32-bit integer
# the one-stop documents an action issues (DOMAIN.md: 02, 03, 04)
NOTICE_OF = {"request_supplement": "supplement_request", "refuse": "refusal", "apologize": "apology"}


# --- the process definition ---------------------------------------------------

def steps_of(dossier: Dossier) -> dict[str, dict]:
    return {step["id"]: step for step in dossier.version.package["process"]["steps"]}


def step_action(dossier: Dossier, action: str) -> dict | None:
    """The action as the current step declares it, or None."""
    step = steps_of(dossier).get(dossier.current_step or "")
    if step is None:
        return None
    return next((a for a in step.get("actions", []) if a["action"] == action), None)


# --- who may act ----------------------------------------------------------------

def _place(dossier: Dossier, rule: Rule) -> int:
    if rule.receiving_desk or dossier.status == S.SUBMITTED:
        return dossier.agency_id
    return dossier.handling_agency_id or dossier.agency_id


def refusal(user, dossier: Dossier, action: str) -> Conflict | Forbidden | NotFound | None:
    """Why ``user`` may not do ``action`` now (409 / 403), or None."""
    reason = _reason(user, dossier, action)
    return None if reason is None else reason[0](str(reason[1]))


def _reason(user, dossier: Dossier, action: str):
    """:func:`refusal`'s error class and its message, not yet translated:
    the actions listed in every answer only need to know there is a reason
    (translating each one cost more than deciding it)."""
    rule = RULES.get(action)
    if rule is None:
        return NotFound, _l("Unknown action %(action)s.", action=action)
    if dossier.status not in rule.statuses:
        return Conflict, _l("The action %(action)s is not possible when the dossier is: %(status)s.",
                            action=action, status=S.status_label(dossier.status))
    if rule.owner:
        if dossier.applicant_id != user.id:
            return Forbidden, _l("Only the applicant may do this.")
        return None
    if rule.roles:
        return _pause_reason(user, dossier, rule)
    declared = step_action(dossier, action)
    if declared is None:
        return Conflict, _l("The action %(action)s is not possible at this step.", action=action)
    step = steps_of(dossier)[dossier.current_step]
    role = declared.get("role") or step.get("role")
    if role not in role_names(user):
        return Forbidden, _l("This step is for the role %(role)s.", role=role)
    profile = profile_of(user)
    agency_id = profile.agency_id if profile else None
    if agency_id != _place(dossier, rule):
        return Forbidden, _l("This dossier is handled by another agency.")
    if step.get("agency_code") and (profile.agency is None or profile.agency.code != step["agency_code"]):
        return Forbidden, _l("This step is for the agency %(code)s.", code=step["agency_code"])
    return None


def _pause_reason(user, dossier: Dossier, rule: Rule):
    if not set(rule.roles) & set(role_names(user)):
        return Forbidden, _l("Only these roles may do this: %(roles)s.", roles=", ".join(rule.roles))
    profile = profile_of(user)
    if (profile.agency_id if profile else None) != _place(dossier, rule):
        return Forbidden, _l("This dossier is handled by another agency.")
    return None


def available_actions(user, dossier: Dossier) -> list[str]:
    if user is None or dossier.code is None:
        return []
    # the status rules out most actions; the others are decided without translating why not
    return [name for name, rule in RULES.items()
            if dossier.status in rule.statuses and _reason(user, dossier, name) is None]


# --- doing it -----------------------------------------------------------------

def perform(user, key: str, body: Any, result_files: list[ResultFile] | None = None) -> Dossier:
    """Do ``body["action"]`` on the dossier ``key``; ``result_files`` are the
    result PDFs a leader attaches to the approval that completes processing."""
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise InvalidData(_("The action is not valid."), {"action": [_("This field is required.")]})
    action = body["action"]
    rule = RULES.get(action)
    if rule is None:
        raise InvalidData(_("The action is not valid."), {"action": [_("Unknown action %(action)s.", action=action)]})
    missing = {f: [_("This field is required.")] for f in rule.needs if not _given(body.get(f))}
    if "comment" in body and body["comment"] is not None and not isinstance(body["comment"], str):
        missing["comment"] = [_("Must be text.")]
    if missing:
        raise InvalidData(_("The action is not valid."), missing)
    if "results" in body:
        result_files = [*(result_files or []), *results.files_from_json(body["results"])]
    from builder.process.dossiers import find_dossier

    if result_files:
        if action != "approve":
            raise InvalidData(_("The action is not valid."),
                              {"results": [_("A result is attached to the approval.")]})
        results.check_files(result_files)
        problem = refusal(user, find_dossier(user, key), action)
        if problem is not None:  # nothing is stored for someone who may not approve
            raise problem
        # stored before the transaction, as attachments are: a rollback leaves
        # only an unreferenced blob in the content-addressed store
        body = {**body, "results": results.store_files(result_files)}

    try:
        with write_transaction() as session:
            dossier = find_dossier(user, key, for_update=True)
            dossier_id = dossier.id
            problem = refusal(user, dossier, action)
            if problem is not None:
                raise problem
            before = dossier.status
            with session.no_autoflush:  # one UPDATE of the dossier, at the end
                entry = _EFFECTS[action](session, user, dossier, body)
            logged = history.append(
                session, dossier, at=utcnow(), action=action, actor_id=user.id, actor_name=_actor_name(user),
                agency_id=None if rule.owner else _actor_agency(user), from_status=before,
                to_status=dossier.status, step=dossier.current_step, comment=body.get("comment"),
                step_due_at=dossier.step_due_at, details=entry or None,
            )
            session.flush()
            if action == "receive":
                enqueue("builder.jobs.tasks.render_receipt", dossier.id, queue="pdf")
            if action in NOTICE_OF:
                enqueue("builder.jobs.tasks.render_notice", dossier.id, NOTICE_OF[action], logged.id, queue="pdf")
            if entry and entry.get("result") is not None:
                enqueue("builder.jobs.result_tasks.issue_results", dossier.id, logged.id, queue="pdf")
            enqueue("builder.jobs.tasks.render_control_sheet", dossier.id, queue="pdf")
            if dossier.status != before:
                enqueue("builder.jobs.tasks.notify_status_changed", dossier.id, before, dossier.status)
    except StaleDataError as exc:
        raise Conflict(_("Someone else acted on this dossier at the same time; please reload.")) from exc
    return db.session.get(Dossier, dossier_id)


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _actor_name(user) -> str:
    profile = profile_of(user)
    return profile.full_name if profile else user.username


def _actor_agency(user) -> int | None:
    profile = profile_of(user)
    return profile.agency_id if profile else None


def _enter(dossier: Dossier, step_id: str | None, now: datetime, status: int | None = None) -> None:
    steps = steps_of(dossier)
    dossier.current_step = step_id
    step = steps.get(step_id or "")
    if status is not None:
        dossier.status = status
    elif step is not None:
        dossier.status = step["status"]
    agency = dossier.handling_agency or dossier.agency
    dossier.step_due_at = deadlines.due(agency, now, step.get("duration")) if step else None
    if dossier.status == S.PROCESSED and dossier.resolved_at is None:
        dossier.resolved_at, dossier.resolution = now, resolution(now, dossier.due_at)


def resolution(resolved_at: datetime, due_at: datetime | None) -> str:
    """early: before the due date; on_time: on it, by the due instant; late: after."""
    if due_at is None or resolved_at > due_at:
        return "late" if due_at is not None else "on_time"
    if resolved_at.astimezone(VIETNAM).date() < due_at.astimezone(VIETNAM).date():
        return "early"
    return "on_time"


def _target(dossier: Dossier, action: str) -> str | None:
    declared = step_action(dossier, action) or {}
    target = declared.get("to")
    if target is not None and target not in steps_of(dossier):
        raise Conflict(_("The process leads to an unknown step %(step)s.", step=target))
    return target


def _receive(session, user, dossier, body):
    now = utcnow()
    dossier.received_at = now
    package = dossier.version.package
    dossier.due_at = deadlines.due(dossier.agency, now, package["processing_time"])
    target = _target(dossier, "receive")
    # received: the processing unit starts it (status 4) with its first act
    _enter(dossier, target, now, status=S.RECEIVED)
    return {"due_at": dossier.due_at.isoformat() if dossier.due_at else None}


def _refuse(session, user, dossier, body):
    dossier.status, dossier.current_step, dossier.step_due_at = S.REFUSED, None, None
    return None


def _request_supplement(session, user, dossier, body):
    now = utcnow()
    if dossier.status != S.SUBMITTED and dossier.received_at is not None:
        calendar = deadlines.calendar_for(dossier.agency)
        received = dossier.received_at.astimezone(VIETNAM).date()
        if calendar.working_days_between(received, now.astimezone(VIETNAM).date()) > SUPPLEMENT_WINDOW_WORKING_DAYS:
            raise Conflict(_("A supplement may only be requested within %(n)s working days of reception.",
                             n=SUPPLEMENT_WINDOW_WORKING_DAYS))
    dossier.paused_status = dossier.status
    dossier.clock_paused_at = now
    dossier.status = S.SUPPLEMENT_REQUESTED
    return None


def _supplement(session, user, dossier, body):
    from builder.process.dossiers import _form_errors, _missing_components

    now = utcnow()
    if "data" in body:
        if not isinstance(body["data"], dict):
            raise InvalidData(_("The dossier is not valid."), {"data": [_("Must be a group of fields.")]})
        dossier.data = body["data"]
    errors = _form_errors(dossier.version, dossier.data, shape_only=False)
    errors.update(_missing_components(dossier))
    if errors:
        raise InvalidData(_("The dossier is not valid."), errors)
    back_to = dossier.paused_status or S.SUBMITTED
    dossier.clock_paused_at, dossier.paused_status = None, None
    if back_to == S.SUBMITTED:
        dossier.status = S.SUBMITTED  # back to the desk's queue, not yet received
        return None
    # complete again: the deadline restarts from zero (DOMAIN.md)
    dossier.due_at = deadlines.due(dossier.agency, now, dossier.version.package["processing_time"])
    _enter(dossier, dossier.current_step, now, status=S.PROCESSING)
    return {"due_at": dossier.due_at.isoformat() if dossier.due_at else None}


def _assign(session, user, dossier, body):
    from builder.models import UserProfile

    sm_user = _find_user(body["assignee"])
    profile = session.get(UserProfile, sm_user.id) if sm_user else None
    handling = dossier.handling_agency_id or dossier.agency_id
    if sm_user is None or profile is None or profile.agency_id != handling or "Officer" not in role_names(sm_user):
        raise InvalidData(_("The action is not valid."),
                          {"assignee": [_("Choose an officer of the agency handling this dossier.")]})
    dossier.assignee_id = sm_user.id
    if dossier.status == S.RECEIVED:
        dossier.status = S.PROCESSING
    return {"assignee": sm_user.username}


def _find_user(username: Any):
    from flask import current_app

    if not isinstance(username, str):
        return None
    user = current_app.appbuilder.sm.find_user(username=username)
    return user if user is not None and getattr(user, "active", True) else None


def _forward(session, user, dossier, body):
    _enter(dossier, _target(dossier, "forward"), utcnow())
    return None


def _approve(session, user, dossier, body):
    target = _target(dossier, "approve")
    _enter(dossier, target, utcnow(), status=None if target else S.PROCESSED)
    if dossier.handling_agency_id and dossier.handling_agency_id != dossier.agency_id:
        # inter-agency: the result goes back to the desk that received the dossier
        open_transfer = session.scalar(
            select(DossierTransfer).where(DossierTransfer.dossier_id == dossier.id,
                                          DossierTransfer.returned_at.is_(None))
            .order_by(DossierTransfer.id.desc()))
        if open_transfer is not None:
            open_transfer.returned_at = utcnow()
        dossier.handling_agency = dossier.agency
    return _result_of(dossier, body)


def _result_of(dossier: Dossier, body: dict) -> dict | None:
    """The result an approval into status 9 issues: the files attached, or
    the package's template; rendered and stored by a job after the commit."""
    files = body.get("results") or []
    if dossier.status != S.PROCESSED:
        if files:
            raise InvalidData(_("The action is not valid."),
                              {"results": [_("A result is attached to the approval that completes processing.")]})
        return None
    if files:
        return {"result": "attached", "results": files}
    if results.result_template(dossier.version.package) is not None:
        return {"result": "template"}
    return None


def _return_result(session, user, dossier, body):
    now = utcnow()
    dossier.status, dossier.returned_at = S.RETURNED, now
    dossier.current_step, dossier.step_due_at = None, None
    return None


def _transfer(session, user, dossier, body):
    code = body["to_agency"]
    target = session.scalar(select(Agency).where(Agency.code == code)) if isinstance(code, str) else None
    current = dossier.handling_agency_id or dossier.agency_id
    if target is None or target.id == current:
        raise InvalidData(_("The action is not valid."),
                          {"to_agency": [_("Choose another existing agency.")]})
    lead = None
    if body.get("lead_agency") is not None:
        lead = session.scalar(select(Agency).where(Agency.code == body["lead_agency"]))
        if lead is None:
            raise InvalidData(_("The action is not valid."), {"lead_agency": [_("No agency has the code %(code)s.", code=body["lead_agency"])]})
    now = utcnow()
    duration = body.get("duration")
    if duration is not None and not (isinstance(duration, dict) and isinstance(duration.get("value"), (int, float))
                                     and duration.get("unit", "working_days") in UNITS):
        raise InvalidData(_("The action is not valid."), {"duration": [_("Is not valid.")]})
    transfer = DossierTransfer(
        dossier_id=dossier.id, from_agency_id=current, to_agency_id=target.id,
        lead_agency_id=(lead or target).id, task=body.get("comment"),
        due_at=deadlines.due(target, now, duration) if duration else None,
    )
    session.add(transfer)
    dossier.handling_agency = target
    dossier.assignee_id = None
    dossier.status = S.PROCESSING
    if transfer.due_at:
        dossier.step_due_at = transfer.due_at
    return {"to_agency": target.code, "lead_agency": (lead or target).code,
            "due_at": transfer.due_at.isoformat() if transfer.due_at else None}


def _apologize(session, user, dossier, body):
    if dossier.apologized_at is not None:
        raise Conflict(_("An apology was already issued for this dossier; it is allowed once."))
    new_date = calendar_date(str(body["new_due_date"])[:10])
    if new_date is None:
        raise InvalidData(_("The action is not valid."), {"new_due_date": [_("Must be a date (YYYY-MM-DD).")]})
    calendar = deadlines.calendar_for(dossier.handling_agency or dossier.agency)
    today = utcnow().astimezone(VIETNAM).date()
    if dossier.due_at is None:
        raise Conflict(_("This dossier has no due date yet."))
    due_date = dossier.due_at.astimezone(VIETNAM).date()
    if calendar.working_days_between(today, due_date) < 1:
        raise Conflict(_("An apology must come at least one working day before the due date."))
    if new_date <= due_date or not calendar.is_working_day(new_date):
        raise InvalidData(_("The action is not valid."),
                          {"new_due_date": [_("Choose a working day after the current due date.")]})
    old = dossier.due_at
    dossier.due_at = datetime.combine(new_date, time(17, 0), VIETNAM).astimezone(ZoneInfo("UTC"))
    dossier.apologized_at = utcnow()
    return {"old_due_at": old.isoformat(), "new_due_at": dossier.due_at.isoformat()}


def _withdraw(session, user, dossier, body):
    dossier.status, dossier.current_step, dossier.step_due_at = S.WITHDRAWN, None, None
    dossier.clock_paused_at = dossier.paused_status = dossier.clock_remaining_seconds = None
    return None


# --- the pauses (statuses 6 and 8) ----------------------------------------------

def pause_clock(dossier: Dossier, now: datetime, status: int) -> None:
    """Into status 6 or 8: the status to come back to, and the office time
    left before the dossier's due date (kept, so a calendar edited during
    the pause does not change what was left)."""
    dossier.paused_status, dossier.clock_paused_at = dossier.status, now
    dossier.clock_remaining_seconds = None
    if dossier.due_at is not None:
        unit = dossier.version.package["processing_time"].get("unit", "working_days")
        left = deadlines.calendar_for(dossier.agency).remaining(now, dossier.due_at, unit)
        dossier.clock_remaining_seconds = int(left.total_seconds())
    dossier.status = status


def resume_clock(dossier: Dossier, now: datetime) -> None:
    """Out of a pause back to the status it was paused from; the deadlines
    (the dossier's and its step's) move on by the office time the pause lasted."""
    back_to = dossier.paused_status or (S.PROCESSING if dossier.received_at else S.SUBMITTED)
    paused_at = dossier.clock_paused_at
    if paused_at is not None:
        package = dossier.version.package
        if dossier.due_at is not None:
            dossier.due_at = _moved(dossier.agency, paused_at, now, dossier.due_at,
                                    package["processing_time"].get("unit", "working_days"),
                                    dossier.clock_remaining_seconds)
        if dossier.step_due_at is not None:
            step = steps_of(dossier).get(dossier.current_step or "", {})
            dossier.step_due_at = _moved(dossier.handling_agency or dossier.agency, paused_at, now,
                                         dossier.step_due_at,
                                         (step.get("duration") or {}).get("unit", "working_days"), None)
    dossier.status = back_to
    dossier.paused_status = dossier.clock_paused_at = dossier.clock_remaining_seconds = None


def _moved(agency, paused_at: datetime, now: datetime, due_at: datetime, unit: str,
           remaining_seconds: int | None) -> datetime:
    calendar = deadlines.calendar_for(agency)
    left = (timedelta(seconds=remaining_seconds) if remaining_seconds is not None
            else calendar.remaining(paused_at, due_at, unit))
    return calendar.resume(now, left, unit)


def _request_payment(session, user, dossier, body):
    package = dossier.version.package
    if (package.get("payment") or {}).get("gateway") is None:
        raise Conflict(_("This service takes no payments; it names no payment gateway."))
    amount, reason = body.get("amount"), body.get("comment")
    if amount is None:
        # the package's fees paid after processing (fee mode "after")
        fees = package.get("fees", []) if package.get("fee_mode") == "after" else []
        amount = sum(fee["amount"] for fee in fees)
        if amount <= 0:
            raise InvalidData(_("The action is not valid."),
                              {"amount": [_("This service has no fee paid after processing; give the amount.")]})
        reason = reason or "; ".join(fee["name"] for fee in fees)
    elif isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidData(_("The action is not valid."),
                          {"amount": [_("Must be a whole number of VND, more than 0.")]})
    elif not _given(reason):
        raise InvalidData(_("The action is not valid."),
                          {"comment": [_("Give the reason of the payment (the fee or obligation).")]})
    now = utcnow()
    dossier.payment_requested, dossier.payment_requested_at = amount, now
    pause_clock(dossier, now, S.AWAITING_PAYMENT)
    return {"amount": amount, "reason": reason}


def _stop(session, user, dossier, body):
    pause_clock(dossier, utcnow(), S.STOPPED)
    return None


def _resume(session, user, dossier, body):
    resume_clock(dossier, utcnow())
    return {"due_at": dossier.due_at.isoformat() if dossier.due_at else None,
            "step_due_at": dossier.step_due_at.isoformat() if dossier.step_due_at else None}


_EFFECTS = {
    "receive": _receive,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "supplement": _supplement,
    "assign": _assign,
    "forward": _forward,
    "approve": _approve,
    "return_result": _return_result,
    "transfer": _transfer,
    "apologize": _apologize,
    "withdraw": _withdraw,
    "request_payment": _request_payment,
    "stop": _stop,
    "resume": _resume,
}
