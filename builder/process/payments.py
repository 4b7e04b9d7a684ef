"""Online payment of a dossier's fees through a gateway plugin.

The applicant starts a payment (a pending :class:`Payment` of the whole fee)
and is sent to the gateway. The payment's state changes only on the
gateway's verified server-to-server notice (IPN), never on the browser's
return: a notice is checked for its signature, its payment and its amount,
and settles a pending payment once; a repeated notice changes nothing."""
from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from builder.database import write_transaction
from builder.errors import BuilderError, Conflict, Forbidden, InvalidData, NotFound, require_object
from builder.extensions import db
from builder.inputs import whole_number
from builder.jobs.queue import enqueue
from builder.models import Dossier, Payment
from builder.models.types import utcnow
from builder.plugins import payment_gateways
from builder.process import history, statuses as S
from builder.process.engine import resume_clock
from builder.providers import (
    IPN_ALREADY_CONFIRMED,
    IPN_CONFIRMED,
    IPN_ERROR,
    IPN_INVALID_AMOUNT,
    IPN_INVALID_SIGNATURE,
    IPN_NOT_FOUND,
    CallbackResult,
    PaymentGateway,
    PaymentRequest,
    QueryableGateway,
    ReceiptIssuer,
)
from builder.security import profile_of, role_names, staff_agency_ids
from builder.storage import store_bytes

log = logging.getLogger(__name__)

# A pending payment blocks a new one this long: VNPay's link is valid for 15
# minutes and its notice may come a little after. Older, it is closed as
# cancelled when the applicant starts again.
PENDING_WINDOW = timedelta(minutes=30)
NOT_PAYABLE = frozenset({S.DRAFT, S.REFUSED, S.WITHDRAWN})


class GatewayUnavailable(BuilderError):
    """The gateway could not start a payment (its service failed)."""

    status = 502


# --- reading ----------------------------------------------------------------

def amount_due(dossier: Dossier) -> int:
    """What the applicant owes, in VND: the amount an officer asked for
    (``request_payment``, status 6), else the sum of the fees of the
    dossier's version of the service."""
    if dossier.payment_requested is not None:
        return dossier.payment_requested
    return sum(fee["amount"] for fee in dossier.version.package.get("fees", []))


def payment_dict(payment: Payment, redirect_url: str | None = None) -> dict:
    receipt_url = None
    if payment.receipt_sha256 and payment.dossier.code:
        receipt_url = f"/api/v1/dossiers/{payment.dossier.code}/payments/{payment.id}/receipt"
    return {"id": payment.id, "amount": payment.amount, "status": payment.status,
            "status_label": state_label(payment.status), "gateway": payment.gateway,
            "redirect_url": redirect_url,
            "created_at": _iso(payment.created_at), "paid_at": _iso(payment.paid_at),
            "refunded_at": _iso(payment.refunded_at), "receipt_number": payment.receipt_number,
            "receipt_url": receipt_url}


def state_label(status: str) -> str:
    labels = {"unpaid": _("Not paid"), "pending": _("Payment in progress"), "paid": _("Paid"),
              "cancelled": _("Cancelled"), "refunded": _("Refunded")}
    return labels.get(status, status)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def callback_url(gateway_name: str, which: str) -> str:
    """Where a gateway sends the browser back (``return``) or its notice (``ipn``)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/payments/{quote(gateway_name, safe='')}/{which}"


def find_gateway(name: str) -> PaymentGateway:
    gateway = payment_gateways().get(name)
    if gateway is None:
        raise NotFound(_("No payment gateway is named %(name)s.", name=name))
    return gateway


def payment_of(gateway: PaymentGateway, result: CallbackResult) -> Payment | None:
    """The payment a verified callback speaks of, read only."""
    payment_id = _payment_id(result.reference)
    payment = db.session.get(Payment, payment_id) if payment_id is not None else None
    return payment if payment is not None and payment.gateway == gateway.name else None


# --- starting ---------------------------------------------------------------

def start(user, dossier: Dossier, gateway_name: Any, return_url: str, client_ip: str,
          locale: str = "vn") -> tuple[Payment, str | None]:
    """Open a pending payment of the dossier's fees and ask the gateway where
    to send the payer; returns the payment and that URL (None: pay at the desk)."""
    if dossier.applicant_id != user.id:
        raise Forbidden(_("Only the applicant may do this."))
    _check_payable(dossier)
    amount = amount_due(dossier)
    if amount <= 0:
        raise Conflict(_("The dossier %(code)s has no fee to pay.", code=dossier.code))
    gateway = _chosen_gateway(dossier, gateway_name)
    now = utcnow()
    with write_transaction() as session:
        locked = _locked(session, Dossier, dossier.id)
        _check_payable(locked)
        _close_stale_payments(session, locked, now)
        payment = Payment(dossier_id=locked.id, amount=amount, gateway=gateway.name,
                          status="pending", created_at=now)
        session.add(payment)
        session.flush()
        payment_id, code = payment.id, locked.code
    request = PaymentRequest(
        payment_id=payment_id, dossier_code=code, amount=amount,
        description=_("Fees of dossier %(code)s", code=code),
        return_url=return_url, notify_url=callback_url(gateway.name, "ipn"), client_ip=client_ip,
        locale=locale, created_at=now,
    )
    try:  # outside the transaction: a gateway may call its service
        redirect_url = gateway.start_payment(request)
    except Exception as exc:
        log.exception("payment gateway %s could not start payment %s", gateway.name, payment_id)
        with write_transaction() as session:
            _locked(session, Payment, payment_id).status = "cancelled"
        raise GatewayUnavailable(
            _("The payment gateway %(name)s could not start the payment; please try again later.",
              name=gateway.label)) from exc
    return db.session.get(Payment, payment_id), redirect_url


def _check_payable(dossier: Dossier) -> None:
    if dossier.status in NOT_PAYABLE:
        raise Conflict(_("The fees cannot be paid when the dossier is: %(status)s.",
                         status=S.status_label(dossier.status)))


def _chosen_gateway(dossier: Dossier, name: Any) -> PaymentGateway:
    invalid = _("The payment is not valid.")
    if not isinstance(name, str) or not name:
        raise InvalidData(invalid, {"gateway": [_("This field is required.")]})
    gateway = payment_gateways().get(name)
    if gateway is None:
        raise InvalidData(invalid, {"gateway": [_("No payment gateway is named %(name)s.", name=name)]})
    offered = (dossier.version.package.get("payment") or {}).get("gateway")
    if offered is None:
        raise Conflict(_("This service does not take payments online."))
    if name != offered:
        raise InvalidData(invalid, {"gateway": [_("This service takes payments through %(name)s.",
                                                  name=offered)]})
    problems = gateway.check_config()
    if problems:
        log.error("payment gateway %s is not configured: %s", name, "; ".join(problems))
        raise InvalidData(invalid, {"gateway": [_("The payment gateway %(name)s is not set up yet.",
                                                  name=gateway.label)]})
    return gateway


def _close_stale_payments(session, dossier: Dossier, now: datetime) -> None:
    """409 when the fees are paid or a recent payment is still open; close an
    open payment whose link has long expired."""
    query = select(Payment).where(Payment.dossier_id == dossier.id, Payment.status.in_(("paid", "pending")))
    if dossier.payment_requested_at is not None:  # what was paid before an officer's request is not it
        query = query.where(Payment.created_at >= dossier.payment_requested_at)
    for payment in session.scalars(query):
        if payment.status == "paid":
            raise Conflict(_("The fees of dossier %(code)s are already paid.", code=dossier.code))
        wait = payment.created_at + PENDING_WINDOW - now
        if wait > timedelta():
            raise Conflict(_("A payment of this dossier is in progress; finish it, or start "
                             "another in %(minutes)s minutes.",
                             minutes=math.ceil(wait.total_seconds() / 60)))
        payment.status = "cancelled"


# --- the gateway's notice ---------------------------------------------------

def handle_ipn(gateway_name: str, params: dict[str, Any]) -> tuple[str, int, str]:
    """Settle a payment from the gateway's server-to-server notice and answer
    in the gateway's format: ``(body, status, content type)``."""
    gateway = find_gateway(gateway_name)
    try:
        outcome = _settle(gateway, params)
    except Exception:  # the gateway is told to try again later
        log.exception("the notice of payment gateway %s could not be settled", gateway_name)
        outcome = IPN_ERROR
    return gateway.ipn_answer(outcome)


def _settle(gateway: PaymentGateway, params: dict[str, Any]) -> str:
    result = gateway.verify_callback(params)
    if not result.valid_signature:
        log.warning("payment gateway %s: a notice with an invalid signature", gateway.name)
        return IPN_INVALID_SIGNATURE
    return settle(gateway, result)


def settle(gateway: PaymentGateway, result: CallbackResult) -> str:
    """Settle a payment from what the gateway said, verified (its notice, or
    its answer to a query): once, for the fee's amount, with the rows locked.
    The one path by which a gateway changes a payment."""
    if result.pending:  # the gateway does not know yet: nothing to settle
        return IPN_ERROR
    payment_id = _payment_id(result.reference)
    if payment_id is None:
        return IPN_NOT_FOUND
    with write_transaction() as session:
        found = session.get(Payment, payment_id)
        if found is None or found.gateway != gateway.name:
            return IPN_NOT_FOUND
        # the dossier first, as every writer of the dossier does: its history has one tail
        dossier = _locked(session, Dossier, found.dossier_id)
        payment = _locked(session, Payment, payment_id)
        if result.amount != payment.amount:
            log.warning("payment %s: the gateway says %r VND, the fee is %s VND",
                        payment.id, result.amount, payment.amount)
            return IPN_INVALID_AMOUNT
        if payment.status != "pending":
            if result.paid and payment.status != "paid":
                log.error("payment %s was paid at the gateway (transaction %s) after it was %s; "
                          "reconcile it", payment.id, result.gateway_transaction, payment.status)
            return IPN_ALREADY_CONFIRMED
        payment.raw = result.raw
        if result.paid:
            _record_paid(session, gateway, dossier, payment, result)
        else:  # cancelled by the payer or failed: this attempt is over
            payment.status = "cancelled"
    return IPN_CONFIRMED


def _payment_id(reference: Any) -> int | None:
    """The payment a gateway's reference names (our id, in digits), or None."""
    if not isinstance(reference, str) or reference != reference.strip():
        return None
    return whole_number(reference) or None  # 0 names no payment


def _locked(session, model, row_id: int):
    """The row re-read in this transaction, locked on PostgreSQL (SQLite's
    write transaction already holds the database's write lock)."""
    query = select(model).where(model.id == row_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _record_paid(session, gateway: PaymentGateway, dossier: Dossier, payment: Payment,
                 result: CallbackResult, actor=None, comment: str | None = None) -> None:
    """``actor``: the staff member who recorded a payment at the desk (None:
    the gateway said so); ``comment``: the history's, in Vietnamese."""
    now = utcnow()
    payment.status, payment.paid_at = "paid", now
    payment.reference = (result.gateway_transaction or "")[:128] or None
    before = dossier.status
    if before == S.AWAITING_PAYMENT and _pays_the_request(dossier, payment):
        resume_clock(dossier, now)
    if comment is None:
        with force_locale("vi"):  # the history is the dossier's record, in Vietnamese
            comment = _("Paid %(amount)s VND through %(gateway)s.",
                        amount=_vnd(payment.amount), gateway=gateway.label)
    history.append(
        session, dossier, at=now, action="payment", actor_id=actor.id if actor else None,
        actor_name=_actor_name(actor) if actor else gateway.label,
        agency_id=_actor_agency(actor) if actor else None,
        from_status=before, to_status=dossier.status, step=dossier.current_step,
        comment=comment, step_due_at=dossier.step_due_at,
        details={"payment_id": payment.id, "gateway": gateway.name, "amount": payment.amount,
                 "transaction": result.gateway_transaction},
    )
    if isinstance(gateway, ReceiptIssuer):  # after the commit; polling retries it
        enqueue("builder.jobs.payment_tasks.fetch_receipt", payment.id)
    if dossier.status != before:
        enqueue("builder.jobs.tasks.notify_status_changed", dossier.id, before, dossier.status)


def _pays_the_request(dossier: Dossier, payment: Payment) -> bool:
    """A payment started before an officer asked for one (status 6) pays
    something else and does not resume the dossier."""
    requested_at = dossier.payment_requested_at
    return requested_at is None or payment.created_at >= requested_at


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _actor_name(user) -> str:
    profile = profile_of(user)
    return profile.full_name if profile else user.username


def _actor_agency(user) -> int | None:
    profile = profile_of(user)
    return profile.agency_id if profile else None


# --- at the desk: cash or transfer, and refunds -------------------------------

DESK_GATEWAY = "desk"
DESK_METHODS = ("cash", "transfer")


def _check_desk(user, dossier: Dossier) -> None:
    """The one-stop desk of an agency handling the dossier, or an admin."""
    agencies = staff_agency_ids(user)
    allowed = bool(role_names(user) & {"Desk", "Admin"}) and (
        agencies is None or bool({dossier.agency_id, dossier.handling_agency_id} & agencies))
    if not allowed:
        raise Forbidden(_("Only the one-stop desk of the dossier's agency records payments."))


def _text_field(body: dict, key: str, max_length: int, errors: dict, missing: str) -> str | None:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        errors[key] = [missing]
        return None
    value = " ".join(value.split())
    if len(value) > max_length:
        errors[key] = [_("At most %(n)s characters.", n=max_length)]
        return None
    return value


def record_desk_payment(user, dossier: Dossier, body: Any) -> Payment:
    """The desk took the fees in cash or by bank transfer, and gave (or
    keeps) a receipt by its number: the payment is paid at once."""
    _check_desk(user, dossier)
    require_object(body)
    errors: dict[str, list[str]] = {}
    method = body.get("method")
    if method not in DESK_METHODS:
        errors["method"] = [_("Is not one of the allowed choices.")]
    receipt = _text_field(body, "receipt_number", 64, errors, _("Please enter the receipt number."))
    _check_payable(dossier)
    amount = amount_due(dossier)
    if amount <= 0:
        raise Conflict(_("The dossier %(code)s has no fee to pay.", code=dossier.code))
    if "amount" in body and body["amount"] != amount:
        errors["amount"] = [_("The fees of this dossier are %(amount)s VND.", amount=_vnd(amount))]
    if errors:
        raise InvalidData(_("The payment is not valid."), errors)
    gateway = payment_gateways().get(DESK_GATEWAY)
    if gateway is None:
        raise Conflict(_("Payment at the desk is not available."))
    now = utcnow()
    with write_transaction() as session:
        locked = _locked(session, Dossier, dossier.id)
        _check_payable(locked)
        _close_stale_payments(session, locked, now)
        payment = Payment(dossier_id=locked.id, amount=amount, gateway=gateway.name, status="pending",
                          created_at=now, receipt_number=receipt,
                          raw={"method": method, "receipt_number": receipt, "recorded_by": user.username})
        session.add(payment)
        session.flush()
        with force_locale("vi"):
            how = _("in cash") if method == "cash" else _("by bank transfer")
            comment = _("Paid %(amount)s VND at the desk %(how)s, receipt number %(number)s.",
                        amount=_vnd(amount), how=how, number=receipt)
        result = CallbackResult(valid_signature=True, reference=str(payment.id), amount=amount, paid=True,
                                gateway_transaction=receipt, raw=payment.raw)
        _record_paid(session, gateway, locked, payment, result, actor=user, comment=comment)
        payment_id = payment.id
    return db.session.get(Payment, payment_id)


def refund(user, dossier: Dossier, payment_id: int, body: Any) -> Payment:
    """The agency paid the fees back (a refused dossier, a fee charged twice):
    a paid payment becomes refunded, with the reason in the history."""
    _check_desk(user, dossier)
    require_object(body)
    errors: dict[str, list[str]] = {}
    reason = _text_field(body, "reason", 500, errors, _("Please give the reason of the refund."))
    if errors:
        raise InvalidData(_("The refund is not valid."), errors)
    now = utcnow()
    with write_transaction() as session:
        locked = _locked(session, Dossier, dossier.id)
        payment = _locked(session, Payment, payment_id)
        if payment is None or payment.dossier_id != locked.id:
            raise NotFound(_("The dossier %(code)s has no payment %(id)s.", code=locked.code, id=payment_id))
        if payment.status != "paid":
            raise Conflict(_("Only paid fees can be refunded; this payment is: %(status)s.",
                             status=state_label(payment.status)))
        payment.status, payment.refunded_at = "refunded", now
        with force_locale("vi"):
            comment = _("Refunded %(amount)s VND: %(reason)s", amount=_vnd(payment.amount), reason=reason)
        history.append(
            session, locked, at=now, action="refund", actor_id=user.id, actor_name=_actor_name(user),
            agency_id=_actor_agency(user), from_status=locked.status, to_status=locked.status,
            step=locked.current_step, comment=comment, step_due_at=locked.step_due_at,
            details={"payment_id": payment.id, "gateway": payment.gateway, "amount": payment.amount,
                     "reason": reason},
        )
    return db.session.get(Payment, payment_id)


def payments_of(dossier: Dossier) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.dossier_id == dossier.id)
                                   .order_by(Payment.id)))


def find_payment(dossier: Dossier, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.dossier_id != dossier.id:
        raise NotFound(_("The dossier %(code)s has no payment %(id)s.", code=dossier.code, id=payment_id))
    return payment


# --- polling the gateways, and their e-receipts ---------------------------------

POLL_MIN_AGE = timedelta(minutes=1)  # give the notice its chance first
POLL_MAX_AGE = timedelta(days=3)  # older and still open: a person reconciles it
POLL_BATCH = 200


def request_of(payment: Payment) -> PaymentRequest:
    """The request that started a payment, rebuilt from it (to query the gateway)."""
    code = payment.dossier.code or ""
    with force_locale("vi"):
        description = _("Fees of dossier %(code)s", code=code)
    return PaymentRequest(
        payment_id=payment.id, dossier_code=code, amount=payment.amount, description=description,
        return_url=callback_url(payment.gateway, "return"), notify_url=callback_url(payment.gateway, "ipn"),
        created_at=payment.created_at,
    )


def poll_payments(now: datetime | None = None) -> dict[str, int]:
    """Ask the gateways about every pending payment older than a minute
    whose notice never came, and settle it the way its notice would have;
    fetch the e-receipts still missing. Workers run it every
    PAYMENT_POLL_SECONDS; ``motcua jobs poll-payments`` runs it from cron."""
    now = now or utcnow()
    counts = {"paid": 0, "cancelled": 0, "waiting": 0, "errors": 0, "receipts": 0}
    ready = {name: g for name, g in payment_gateways().items() if not g.check_config()}
    queryable = sorted(name for name, g in ready.items() if isinstance(g, QueryableGateway))
    issuers = sorted(name for name, g in ready.items() if isinstance(g, ReceiptIssuer))
    pending = db.session.scalars(
        select(Payment.id).where(Payment.status == "pending", Payment.gateway.in_(queryable),
                                 Payment.created_at <= now - POLL_MIN_AGE,
                                 Payment.created_at >= now - POLL_MAX_AGE)
        .order_by(Payment.id).limit(POLL_BATCH)
    ).all() if queryable else []
    for payment_id in pending:
        counts[_poll_one(ready, payment_id)] += 1
    missing = db.session.scalars(
        select(Payment.id).where(Payment.status == "paid", Payment.gateway.in_(issuers),
                                 Payment.receipt_sha256.is_(None), Payment.paid_at >= now - POLL_MAX_AGE)
        .order_by(Payment.id).limit(POLL_BATCH)
    ).all() if issuers else []
    for payment_id in missing:
        try:
            counts["receipts"] += fetch_receipt(payment_id)
        except Exception:
            log.warning("the receipt of payment %s could not be fetched", payment_id, exc_info=True)
            counts["errors"] += 1
    return counts


def _poll_one(gateways: dict[str, PaymentGateway], payment_id: int) -> str:
    payment = db.session.get(Payment, payment_id)
    gateway = gateways[payment.gateway]
    request = request_of(payment)
    db.session.rollback()  # no transaction stays open while the gateway answers
    try:
        result = gateway.query(request)
    except Exception:
        log.warning("payment gateway %s could not tell how payment %s stands", gateway.name, payment_id,
                    exc_info=True)
        return "errors"
    if not result.valid_signature or result.reference != request.reference:
        log.warning("payment gateway %s: an unverified answer about payment %s", gateway.name, payment_id)
        return "errors"
    if result.pending:
        return "waiting"
    outcome = settle(gateway, result)
    if outcome == IPN_CONFIRMED:
        return "paid" if result.paid else "cancelled"
    if outcome != IPN_ALREADY_CONFIRMED:  # already: its notice came meanwhile
        log.warning("payment %s: the answer of %s was not settled (%s)", payment_id, gateway.name, outcome)
        return "errors"
    return "waiting"


def fetch_receipt(payment_id: int) -> bool:
    """Fetch and keep a paid payment's e-receipt; true when one was stored.
    Raises when the gateway cannot be reached (the job or the poll retries)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.status != "paid" or payment.receipt_sha256:
        return False
    gateway = payment_gateways().get(payment.gateway)
    if not isinstance(gateway, ReceiptIssuer):
        return False
    request = request_of(payment)
    db.session.rollback()
    receipt = gateway.fetch_receipt(request)
    if receipt is None:
        return False
    digest = store_bytes(receipt.content)
    with write_transaction() as session:
        row = _locked(session, Payment, payment_id)
        if row.receipt_sha256:
            return False
        row.receipt_sha256, row.receipt_content_type = digest, receipt.content_type[:100]
    return True
