"""Online payment of a dossier's fees through a gateway plugin.

The applicant starts a payment (a pending :class:`Payment` of the whole fee)
and is sent to the gateway. The payment's state changes only on the
gateway's verified server-to-server notice (IPN), never on the browser's
return: a notice is checked for its signature, its payment and its amount,
and settles a pending payment once; a repeated notice changes nothing."""
from __future__ import annotations

import logging
import math
import re
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from builder.database import write_transaction
from builder.errors import BuilderError, Conflict, Forbidden, InvalidData, NotFound
from builder.extensions import db
from builder.jobs.queue import enqueue
from builder.models import Dossier, Payment
from builder.models.types import utcnow
from builder.plugins import payment_gateways
from builder.process import deadlines, history, statuses as S
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
)

log = logging.getLogger(__name__)

# A pending payment blocks a new one this long: VNPay's link is valid for 15
# minutes and its notice may come a little after. Older, it is closed as
# cancelled when the applicant starts again.
PENDING_WINDOW = timedelta(minutes=30)
NOT_PAYABLE = frozenset({S.DRAFT, S.REFUSED, S.WITHDRAWN})
MAX_PAYMENT_ID = 2**31 - 1  # the column is a 32-bit integer


class GatewayUnavailable(BuilderError):
    """The gateway could not start a payment (its service failed)."""

    status = 502


# --- reading ----------------------------------------------------------------

def amount_due(dossier: Dossier) -> int:
    """The sum of the fees of the dossier's version of the service, in VND."""
    return sum(fee["amount"] for fee in dossier.version.package.get("fees", []))


def payment_dict(payment: Payment, redirect_url: str | None = None) -> dict:
    return {"id": payment.id, "amount": payment.amount, "status": payment.status,
            "gateway": payment.gateway, "redirect_url": redirect_url}


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
        return_url=return_url, client_ip=client_ip, locale=locale,
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
    for payment in session.scalars(
        select(Payment).where(Payment.dossier_id == dossier.id, Payment.status.in_(("paid", "pending")))
    ):
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
    if not isinstance(reference, str) or not re.fullmatch(r"[0-9]{1,10}", reference):
        return None
    value = int(reference)
    return value if 0 < value <= MAX_PAYMENT_ID else None


def _locked(session, model, row_id: int):
    """The row re-read in this transaction, locked on PostgreSQL (SQLite's
    write transaction already holds the database's write lock)."""
    query = select(model).where(model.id == row_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _record_paid(session, gateway: PaymentGateway, dossier: Dossier, payment: Payment,
                 result: CallbackResult) -> None:
    now = utcnow()
    payment.status, payment.paid_at = "paid", now
    payment.reference = (result.gateway_transaction or "")[:128] or None
    before = dossier.status
    if before == S.AWAITING_PAYMENT:
        _resume(dossier, now)
    with force_locale("vi"):  # the history is the dossier's record, in Vietnamese
        comment = _("Paid %(amount)s VND through %(gateway)s.",
                    amount=f"{payment.amount:,}".replace(",", "."), gateway=gateway.label)
    history.append(
        session, dossier, at=now, action="payment", actor_id=None, actor_name=gateway.label,
        agency_id=None, from_status=before, to_status=dossier.status, step=dossier.current_step,
        comment=comment, step_due_at=dossier.step_due_at,
        details={"payment_id": payment.id, "gateway": gateway.name, "amount": payment.amount,
                 "transaction": result.gateway_transaction},
    )
    if dossier.status != before:
        enqueue("builder.jobs.tasks.notify_status_changed", dossier.id, before, dossier.status)


def _resume(dossier: Dossier, now: datetime) -> None:
    """Out of status 6 (waiting for payment) back to the status it was paused
    from; the clock was paused (DOMAIN.md), so the deadlines move on by the
    office time the pause lasted."""
    back_to = dossier.paused_status or (S.PROCESSING if dossier.received_at else S.SUBMITTED)
    paused_at = dossier.clock_paused_at
    if paused_at is not None:
        package = dossier.version.package
        if dossier.due_at is not None:
            dossier.due_at = _moved(dossier.agency, paused_at, now, dossier.due_at,
                                    package["processing_time"].get("unit", "working_days"),
                                    dossier.clock_remaining_seconds)
        if dossier.step_due_at is not None:
            step = next((s for s in package["process"]["steps"] if s["id"] == dossier.current_step), {})
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
