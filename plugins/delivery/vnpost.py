"""VNPost (Bưu điện Việt Nam, the public postal service) through its MyVNPost
order API: create an order for a dossier or a result, track its waybill, read
its signed status callbacks.

What follows VNPost's API as integrators use it: the ``h-token`` header; the
order's fields (``CustomerCode``, ``OrderCode``, ``Sender*``/``Receiver*``
``Fullname``/``Tel``/``Address``/``ProvinceId``/``WardId``, ``ServiceName``,
``PackageContent``, ``CodAmountEvaluation``, ``WeightEvaluation``,
``PickupType``, ``CustomerNote``); the answer's ``ItemCode`` (the waybill,
e.g. ``EL491610889VN``) and ``Id``; tracking by ``ListItemCode`` at
``Order/GetListOrderByManagerWithCustomCode``; the callback's envelope
``{"Data": "<order as JSON text>", "SendDate", "SignData"}`` and the
``OrderStatusId`` codes (70 taken in by a post office, 91 a delivery attempt
failed, 100/110/120 delivered, 161 return under way, 170 returned to the
sender, 10/60/61/62 deleted or cancelled).

What is ours, since VNPost does not publish it: ``SignData`` is the hex
HMAC-SHA256, keyed with ``callback_secret``, of ``SendDate + "." + Data``
(the exact texts sent); the province and commune ids are the statistics
office's codes of the two-tier units (VNPost's own ids may need a mapping);
the paths below ``base_url`` (``Order/CreateOrder``).

Settings, in ``PLUGINS["vnpost"]``:

``base_url``
    the API's root, e.g. ``https://donhang.vnpost.vn/api/api``.
``customer_code``
    our customer code (CustomerCode) at VNPost.
``token``
    the API token sent as ``h-token``; keep it in the environment.
``callback_secret``
    the key of the callbacks' signature, agreed with VNPost.
``sender``
    the one-stop office's postal details, for what an agency's record lacks:
    ``{"name", "address", "phone", "email", "province_code", "commune_code"}``.
``service`` (optional, ``BK``), ``weight_grams`` (optional, 500), ``timeout`` (optional, 10 s)
    the postal service (BK ordinary, EMS express), the parcel's weight, how
    long to wait for VNPost.

The callback address to give VNPost is ``<PUBLIC_URL>/delivery/vnpost/callback``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import datetime
from typing import Any, Mapping

import requests
from flask_babel import gettext as _

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.delivery import (
    ACCEPTED,
    CANCELLED,
    DELIVERED,
    IN_TRANSIT,
    RETURNED,
    TO_AGENCY,
    CarrierUnavailable,
    DeliveryCallback,
    OrderReceipt,
    Party,
    ShippingOrder,
    TrackingEvent,
)
from builder.process.calendar import VIETNAM
from builder.providers.settings import missing, not_addresses

REQUIRED_SETTINGS = ("base_url", "customer_code", "token", "callback_secret")
SENDER_KEYS = ("name", "address", "phone", "province_code", "commune_code")
TIME_FORMAT = "%d/%m/%Y %H:%M:%S"  # VNPost's LastUpdateTime, Vietnam time
CREATE_PATH = "Order/CreateOrder"
TRACK_PATH = "Order/GetListOrderByManagerWithCustomCode"
PICKUP_AT_SENDER = 1  # PickupType: the postman collects at the sender's address
# OrderStatusId -> our state; 20 (order registered) says nothing of the parcel
STATES = {
    70: ACCEPTED, 91: IN_TRANSIT, 161: IN_TRANSIT, 100: DELIVERED, 110: DELIVERED, 120: DELIVERED,
    170: RETURNED, 10: CANCELLED, 60: CANCELLED, 61: CANCELLED, 62: CANCELLED,
}


def sign(secret: str, send_date: str, data: str) -> str:
    message = f"{send_date}.{data}".encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), TIME_FORMAT).replace(tzinfo=VIETNAM)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)


def event_of(order: Any) -> TrackingEvent | None:
    """The state one of VNPost's order objects reports, or None."""
    if not isinstance(order, dict):
        return None
    try:
        code = int(order.get("OrderStatusId"))
    except (TypeError, ValueError):
        return None
    waybill, at = order.get("ItemCode"), parse_time(order.get("LastUpdateTime"))
    if code not in STATES or not isinstance(waybill, str) or not waybill or at is None:
        return None
    note = order.get("DeliveryNote") or order.get("CauseName")
    return TrackingEvent(waybill=waybill, status=STATES[code], at=at,
                         note=note if isinstance(note, str) else None, carrier_code=str(code),
                         order_number=order.get("OrderCode") if isinstance(order.get("OrderCode"), str) else None)


class VNPostCarrier:
    name = "vnpost"
    label = "VNPost (Bưu điện Việt Nam)"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def check_config(self) -> list[str]:
        problems = [*missing(self.name, self.settings, REQUIRED_SETTINGS),
                    *not_addresses(self.name, self.settings, ("base_url",))]
        sender = self.settings.get("sender")
        if not isinstance(sender, dict) or any(not isinstance(sender.get(k), str) or not sender[k].strip()
                                               for k in SENDER_KEYS):
            problems.append(_("%(key)s of %(plugin)s must give %(parts)s.", key="sender", plugin=self.name,
                              parts=", ".join(SENDER_KEYS)))
        return problems

    # --- talking to VNPost ----------------------------------------------------------

    def _post(self, path: str, body: Any) -> Any:
        url = self.settings["base_url"].rstrip("/") + "/" + path
        try:
            response = requests.post(url, json=body, timeout=float(self.settings.get("timeout", 10)),
                                     headers={"h-token": self.settings["token"]})
        except requests.RequestException as exc:
            raise CarrierUnavailable(f"VNPost is unreachable: {exc}") from exc
        if response.status_code != 200:
            raise CarrierUnavailable(f"VNPost answered {response.status_code}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError as exc:
            raise CarrierUnavailable(f"VNPost answered with no JSON: {response.text[:300]}") from exc

    def _completed(self, party: Party) -> Party:
        """The agency's side, completed from the office's sender settings."""
        office = self.settings.get("sender") or {}
        return replace(party, **{key: office[key] for key in ("address", "phone", "province_code",
                                                              "commune_code", "email")
                                 if not getattr(party, key) and office.get(key)})

    def create_order(self, order: ShippingOrder) -> OrderReceipt:
        sender, receiver = order.sender, order.receiver
        if order.direction == TO_AGENCY:
            receiver = self._completed(receiver)
        else:
            sender = self._completed(sender)
        body = {
            "CustomerCode": order.customer_code or self.settings["customer_code"],
            "OrderCode": order.order_number,
            "SenderFullname": sender.name, "SenderTel": sender.phone or "",
            "SenderAddress": sender.address, "SenderEmail": sender.email or "",
            "SenderProvinceId": sender.province_code or "", "SenderWardId": sender.commune_code or "",
            "ReceiverFullname": receiver.name, "ReceiverTel": receiver.phone or "",
            "ReceiverAddress": receiver.address, "ReceiverEmail": receiver.email or "",
            "ReceiverProvinceId": receiver.province_code or "", "ReceiverWardId": receiver.commune_code or "",
            "ServiceName": self.settings.get("service", "BK"),
            "PackageContent": order.description,
            "WeightEvaluation": int(self.settings.get("weight_grams", 500)),
            "CodAmountEvaluation": order.cod_amount,
            "IsReceiverPayFreight": False,
            "PickupType": PICKUP_AT_SENDER,
            "CustomerNote": order.dossier_code,
        }
        answer = self._post(CREATE_PATH, body)
        waybill = answer.get("ItemCode") if isinstance(answer, dict) else None
        if not isinstance(waybill, str) or not waybill:
            message = answer.get("Message") if isinstance(answer, dict) else None
            raise CarrierUnavailable(f"VNPost did not take order {order.order_number}: {message or answer!r}")
        return OrderReceipt(waybill=waybill, carrier_order_id=str(answer.get("Id") or "") or None, raw=answer)

    def track(self, waybill: str) -> list[TrackingEvent]:
        answer = self._post(TRACK_PATH, {"PageSize": 1, "ListItemCode": [waybill]})
        items = answer.get("Items", []) if isinstance(answer, dict) else answer
        if not isinstance(items, list):
            raise CarrierUnavailable(f"VNPost's tracking answer is not a list: {answer!r}"[:300])
        events = [event_of(item) for item in items]
        return [e for e in events if e is not None and e.waybill == waybill]

    # --- VNPost's callbacks ---------------------------------------------------------

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> DeliveryCallback:
        try:
            envelope = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return DeliveryCallback(valid_signature=False, malformed=True)
        if not isinstance(envelope, dict) or not all(
                isinstance(envelope.get(k), str) for k in ("Data", "SendDate", "SignData")):
            return DeliveryCallback(valid_signature=False, malformed=True)
        secret = self.settings.get("callback_secret")
        if not isinstance(secret, str) or not secret:
            return DeliveryCallback(valid_signature=False)
        expected = sign(secret, envelope["SendDate"], envelope["Data"])
        if not hmac.compare_digest(expected.encode("ascii"), envelope["SignData"].lower().encode("utf-8")):
            return DeliveryCallback(valid_signature=False)
        try:
            data = json.loads(envelope["Data"])
        except ValueError:
            return DeliveryCallback(valid_signature=True, malformed=True)
        orders = data if isinstance(data, list) else [data]
        events = [event_of(order) for order in orders]
        if any(e is None and not _registered_only(o) for e, o in zip(events, orders)):
            return DeliveryCallback(valid_signature=True, malformed=True)
        return DeliveryCallback(valid_signature=True, events=[e for e in events if e is not None])


def _registered_only(order: Any) -> bool:
    """Status 20 (the order reached MyVNPost) carries no parcel event."""
    return isinstance(order, dict) and str(order.get("OrderStatusId")) == "20"


@hookimpl
def register_carriers(app):
    return [VNPostCarrier(plugin_settings("vnpost", app))]
