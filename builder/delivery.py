"""Postal delivery of dossiers and results through a carrier plugin.

Two directions, one order each per dossier (DOMAIN.md, "Postal delivery"):

- ``to_applicant``: the result, when the dossier reaches status 9 and the
  applicant chose delivery by post;
- ``to_agency``: the paper dossier, when the applicant submits online, the
  service allows it (``"delivery": {"dossier_by_post": true}`` in the package)
  and the applicant asks for it (``"delivery": {"dossier_by_post": true}`` in
  the dossier); the carrier collects it at the applicant's address.

The order is recorded (state ``requested``) in the transaction that decides
it, and sent to the carrier by a job: a carrier that is down makes the job
fail and retry, and the poll sweep sends any order still without a waybill, so
nothing is lost; the same order number goes out each time, so the carrier
never makes a second parcel. The carrier's status events arrive by signed
callback (``POST /delivery/<carrier>/callback``) and by polling (the worker's
sweep, or ``motcua jobs poll-deliveries``); each is recorded once, and an
event older than the order's state never overwrites it."""
from __future__ import annotations

import logging
import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Mapping

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from builder.database import write_transaction
from builder.errors import BadRequest, Forbidden, NotFound
from builder.extensions import db
from builder.forms.addresses import communes, provinces
from builder.jobs.queue import enqueue
from builder.models import DeliveryEvent, DeliveryOrder, Dossier
from builder.models.types import utcnow
from builder.plugins import carriers
from builder.process import statuses as S
from builder.providers.delivery import (
    DIRECTIONS,
    EVENT_STATUSES,
    FINAL_STATUSES,
    TO_AGENCY,
    TO_APPLICANT,
    Carrier,
    Party,
    ShippingOrder,
    TrackingEvent,
)
from builder.process.calendar import VIETNAM

__all__ = ["delivery_errors", "handle_callback", "on_status_changed", "on_submitted", "place_order",
           "poll_deliveries", "record_events", "request_order", "Carrier"]

log = logging.getLogger(__name__)

PLACE_JOB = "builder.jobs.delivery_tasks.place_delivery_order"
# An order the job has not placed after this long is placed again by the poll sweep.
PLACE_AGAIN_AFTER = timedelta(minutes=10)
PHONE = re.compile(r"^\+?[0-9 .-]{8,15}$")

STATUS_LABELS = {
    "requested": _l("Postal order being placed"),
    "accepted": _l("Accepted by the post office"),
    "in_transit": _l("In transit"),
    "delivered": _l("Delivered"),
    "returned": _l("Returned to the sender"),
    "cancelled": _l("Postal order cancelled"),
}
DIRECTION_LABELS = {
    TO_AGENCY: _l("Dossier sent to the agency by post"),
    TO_APPLICANT: _l("Result sent to the applicant by post"),
}
RANK = {"requested": -1, **{status: rank for rank, status in enumerate(EVENT_STATUSES)}}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- the dossier's delivery choice --------------------------------------------------

def delivery_errors(package: dict, delivery: Any, submitting: bool) -> dict[str, list[str]]:
    """What is wrong with a dossier's ``delivery`` beyond its method: by post,
    an address in the current administrative units (required on submission);
    ``dossier_by_post`` only where the service allows it."""
    if not isinstance(delivery, dict):
        return {}
    errors: dict[str, list[str]] = {}
    by_post = delivery.get("dossier_by_post", False)
    if not isinstance(by_post, bool):
        errors["delivery.dossier_by_post"] = [_("Must be yes or no.")]
    elif by_post and not (package.get("delivery") or {}).get("dossier_by_post"):
        errors["delivery.dossier_by_post"] = [_("This service does not take paper dossiers by post.")]
    address = delivery.get("address")
    if address is None:
        if submitting and (delivery.get("method") == "post" or by_post is True):
            errors["delivery.address"] = [_("Enter the postal address.")]
        return errors
    if not isinstance(address, dict):
        return {**errors, "delivery.address": [_("Must be a group of fields.")]}
    province, commune, street = (address.get(k) for k in ("province", "commune", "street"))
    names = dict(provinces())
    if province in (None, ""):
        errors["delivery.address.province"] = [_("Choose the province or centrally-run city.")]
    elif not isinstance(province, str) or province not in names:
        errors["delivery.address.province"] = [_("No province or centrally-run city has this code.")]
    elif commune in (None, ""):
        errors["delivery.address.commune"] = [_("Choose the commune, ward or special zone.")]
    elif not isinstance(commune, str) or commune not in dict(communes(province)):
        errors["delivery.address.commune"] = [_("The commune is not in the chosen province.")]
    if not isinstance(street, str) or not 2 <= len(street.strip()) <= 200:
        errors["delivery.address.street"] = [_("Enter the house number and street (2 to 200 characters).")]
    for key, limit in (("name", 100), ("phone", 20)):
        value = address.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > limit):
            errors[f"delivery.address.{key}"] = [_("Must be text of at most %(n)s characters.", n=limit)]
    phone = address.get("phone")
    if isinstance(phone, str) and phone.strip() and not PHONE.match(phone):
        errors["delivery.address.phone"] = [_("Is not a phone number.")]
    return errors


# --- requesting an order -----------------------------------------------------------

def chosen_carrier_name(package: dict) -> str | None:
    """The service's carrier, or the only one installed."""
    named = (package.get("delivery") or {}).get("carrier")
    if named:
        return named
    found = list(carriers())
    return found[0] if len(found) == 1 else None


def on_submitted(dossier_id: int) -> DeliveryOrder | None:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.channel != "online":
        return None
    delivery = dossier.delivery or {}
    if delivery.get("dossier_by_post") is not True:
        return None
    return request_order(dossier_id, TO_AGENCY)


def on_status_changed(dossier_id: int, to_status: int) -> DeliveryOrder | None:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or to_status != S.PROCESSED:
        return None
    if (dossier.delivery or {}).get("method") != "post":
        return None
    return request_order(dossier_id, TO_APPLICANT)


def request_order(dossier_id: int, direction: str) -> DeliveryOrder:
    """Record the dossier's order for ``direction`` (once) and the job that
    places it. Never raises for want of a carrier: the order keeps the reason,
    shown to staff, and is placed once a carrier is set up."""
    assert direction in DIRECTIONS
    with write_transaction() as session:
        dossier = _locked(session, Dossier, dossier_id)
        order = session.scalar(select(DeliveryOrder).where(
            DeliveryOrder.dossier_id == dossier_id, DeliveryOrder.direction == direction))
        if order is not None:
            return order
        package = dossier.version.package
        carrier = chosen_carrier_name(package)
        applicant, agency = _applicant_party(dossier), _agency_party(dossier)
        order = DeliveryOrder(
            dossier_id=dossier.id, direction=direction, carrier=carrier or "",
            order_number=dossier.code + ("-HS" if direction == TO_AGENCY else ""),
            status="requested", cod_amount=int((package.get("delivery") or {}).get("cod_amount", 0)),
            sender=asdict(applicant if direction == TO_AGENCY else agency),
            receiver=asdict(agency if direction == TO_AGENCY else applicant),
            description=_description(dossier, direction),
        )
        if carrier is None:
            order.last_error = "no carrier: name one in the package's delivery.carrier"
        session.add(order)
        session.flush()
        if carrier is not None:
            enqueue(PLACE_JOB, order.id)
    return order


def _applicant_party(dossier: Dossier) -> Party:
    address = (dossier.delivery or {}).get("address") or {}
    province, commune = address.get("province"), address.get("commune")
    commune_name = dict(communes(province)).get(commune) if province else None
    province_name = dict(provinces()).get(province)
    full = ", ".join(part for part in (address.get("street"), commune_name, province_name) if part)
    return Party(name=address.get("name") or dossier.applicant_name or "",
                 address=full, phone=address.get("phone") or dossier.applicant_phone,
                 email=dossier.applicant_email, province_code=province, commune_code=commune)


def _agency_party(dossier: Dossier) -> Party:
    """The receiving agency's one-stop desk; the carrier completes what its
    record lacks (codes, address) from its own sender settings."""
    agency = dossier.agency
    return Party(name=agency.name, address=agency.address or "", phone=agency.phone, email=agency.email)


def _description(dossier: Dossier, direction: str) -> str:
    what = "Hồ sơ" if direction == TO_AGENCY else "Kết quả giải quyết hồ sơ"
    return f"{what} {dossier.code} - {dossier.procedure.name}"[:500]


def _locked(session, model, row_id: int):
    query = select(model).where(model.id == row_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


# --- placing it with the carrier (a job) ------------------------------------------

def place_order(order_id: int) -> str | None:
    """Send the order to its carrier and keep the waybill; returns it. An
    order that has one is not sent again. Raises when the carrier cannot take
    it, so the job retries."""
    order = db.session.get(DeliveryOrder, order_id)
    if order is None or order.waybill:
        return order.waybill if order else None
    carrier = carriers().get(order.carrier)
    if carrier is None:
        _note_error(order_id, f"no carrier named {order.carrier!r} is installed")
        raise LookupError(f"delivery order {order_id}: no carrier named {order.carrier!r}")
    problems = carrier.check_config()
    if problems:
        _note_error(order_id, "; ".join(problems))
        raise LookupError(f"delivery order {order_id}: carrier {carrier.name} is not configured")
    request = shipping_order(order)
    db.session.rollback()  # no transaction held while the carrier answers
    try:
        receipt = carrier.create_order(request)
    except Exception as exc:
        _note_error(order_id, f"{type(exc).__name__}: {exc}")
        raise
    with write_transaction() as session:
        order = _locked(session, DeliveryOrder, order_id)
        if not order.waybill:
            order.waybill, order.carrier_order_id = receipt.waybill, receipt.carrier_order_id
            order.ordered_at, order.last_error = utcnow(), None
        return order.waybill


def shipping_order(order: DeliveryOrder) -> ShippingOrder:
    return ShippingOrder(
        customer_code="",  # the carrier's own setting: it knows us by it
        order_number=order.order_number,
        dossier_code=order.dossier.code, direction=order.direction,
        sender=Party(**order.sender), receiver=Party(**order.receiver),
        description=order.description, cod_amount=order.cod_amount,
    )


def _note_error(order_id: int, error: str) -> None:
    db.session.rollback()
    with write_transaction() as session:
        order = session.get(DeliveryOrder, order_id)
        if order is not None:
            order.last_error = error[:2000]


# --- the carrier's events ----------------------------------------------------------

def record_events(carrier_name: str, events: list[TrackingEvent], source: str) -> dict[str, int]:
    """Record each event once on its order; an order's state moves only to a
    later event (by time, then by the parcel's progress)."""
    counts = {"recorded": 0, "repeated": 0, "unknown": 0}
    for event in events:
        if event.status not in EVENT_STATUSES:
            counts["unknown"] += 1
            continue
        with write_transaction() as session:
            found = session.scalar(select(DeliveryOrder.id).where(
                DeliveryOrder.carrier == carrier_name, DeliveryOrder.waybill == event.waybill))
            if found is None:
                counts["unknown"] += 1
                continue
            order = _locked(session, DeliveryOrder, found)
            at = event.at.replace(microsecond=0)
            seen = session.scalar(select(DeliveryEvent.id).where(
                DeliveryEvent.order_id == order.id, DeliveryEvent.status == event.status,
                DeliveryEvent.at == at))
            if seen is not None:
                counts["repeated"] += 1
                continue
            session.add(DeliveryEvent(order_id=order.id, status=event.status, at=at,
                                      note=(event.note or None) and event.note[:500],
                                      carrier_code=event.carrier_code, source=source))
            if order.status_at is None or (at, RANK[event.status]) > (order.status_at, RANK[order.status]):
                order.status, order.status_at = event.status, at
            counts["recorded"] += 1
    return counts


def handle_callback(carrier_name: str, headers: Mapping[str, str], body: bytes) -> dict[str, int]:
    carrier = carriers().get(carrier_name)
    if carrier is None:
        raise NotFound(_("No postal carrier is named %(name)s.", name=carrier_name))
    result = carrier.verify_callback(headers, body)
    if result.malformed:
        raise BadRequest(_("The carrier's notice could not be read."))
    if not result.valid_signature:
        log.warning("carrier %s: a callback with an invalid signature", carrier_name)
        raise Forbidden(_("The carrier's notice is not signed with the agreed key."))
    counts = record_events(carrier.name, result.events, "callback")
    if result.events and counts["unknown"] == len(result.events):
        raise NotFound(_("No postal order has this waybill."))
    return counts


def poll_deliveries(limit: int = 500) -> dict[str, int]:
    """Ask each carrier about its orders still on their way, and place again
    the orders the job could not place."""
    counts = {"polled": 0, "recorded": 0, "placed": 0, "failed": 0}
    installed = carriers()
    stale = utcnow() - PLACE_AGAIN_AFTER
    unplaced = db.session.scalars(select(DeliveryOrder.id).where(
        DeliveryOrder.waybill.is_(None), DeliveryOrder.carrier != "",
        DeliveryOrder.created_at < stale).order_by(DeliveryOrder.id).limit(limit)).all()
    for order_id in unplaced:
        try:
            place_order(order_id)
            counts["placed"] += 1
        except Exception:
            log.exception("delivery order %s could not be placed", order_id)
            counts["failed"] += 1
    rows = db.session.execute(select(DeliveryOrder.carrier, DeliveryOrder.waybill).where(
        DeliveryOrder.waybill.is_not(None), DeliveryOrder.status.not_in(tuple(FINAL_STATUSES)))
        .order_by(DeliveryOrder.id).limit(limit)).all()
    db.session.rollback()
    for carrier_name, waybill in rows:
        carrier = installed.get(carrier_name)
        if carrier is None:
            continue
        try:
            events = carrier.track(waybill)
        except Exception:  # the next sweep asks again
            log.exception("carrier %s could not say where %s is", carrier_name, waybill)
            counts["failed"] += 1
            continue
        counts["polled"] += 1
        counts["recorded"] += record_events(carrier_name, events, "poll")["recorded"]
    return counts


# --- reading -----------------------------------------------------------------------

def may_have_orders(dossier: Dossier) -> bool:
    """Orders are only ever made for a result sent by post or a paper
    dossier sent by post: any other dossier is answered without a query."""
    delivery = dossier.delivery or {}
    return delivery.get("method") == "post" or delivery.get("dossier_by_post") is True


def orders_of(dossier: Dossier) -> list[DeliveryOrder]:
    if not may_have_orders(dossier):
        return []
    return list(db.session.scalars(select(DeliveryOrder).where(DeliveryOrder.dossier_id == dossier.id)
                                   .order_by(DeliveryOrder.id)))


def order_dict(order: DeliveryOrder, personal: bool = True) -> dict:
    body = {
        "direction": order.direction,
        "direction_label": str(DIRECTION_LABELS[order.direction]),
        "carrier": order.carrier,
        "status": order.status,
        "status_label": status_label(order.status),
        "status_at": order.status_at.isoformat() if order.status_at else None,
    }
    if personal:
        body.update(
            waybill=order.waybill, order_number=order.order_number,
            events=[{"status": e.status, "status_label": status_label(e.status), "at": e.at.isoformat(),
                     "at_local": e.at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y"), "note": e.note}
                    for e in order.events],
        )
    return body


def delivery_view(dossier: Dossier, staff: bool = False) -> dict | None:
    """The dossier's ``delivery`` with its postal orders: the result's
    ``waybill`` and ``status`` at the top, every order under ``orders``
    (for ``staff``, with why an order is not placed yet)."""
    orders = orders_of(dossier)
    if dossier.delivery is None and not orders:
        return None
    view = dict(dossier.delivery or {})
    result = next((o for o in orders if o.direction == TO_APPLICANT), None)
    if result is not None:
        view["waybill"], view["status"] = result.waybill, result.status
    view["orders"] = [dict(order_dict(o), **({"problem": o.last_error} if staff else {})) for o in orders]
    return view


def public_delivery(dossier: Dossier) -> list[dict]:
    """What the public lookup shows: directions and states, no waybill, no address."""
    return [order_dict(o, personal=False) for o in orders_of(dossier)]
