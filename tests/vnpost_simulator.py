"""A local stand-in for VNPost's order API, served over HTTP in a thread.

It takes orders (``Order/CreateOrder``, one waybill per customer code and
order code, however often the order is sent), answers tracking
(``Order/GetListOrderByManagerWithCustomCode``) and pushes status callbacks
to our callback URL in VNPost's envelope ``{"Data", "SendDate", "SignData"}``,
signed as docs/hooks/register_carriers.md says, with this module's own
HMAC-SHA256 (never the plugin's code). ``down = True`` makes it answer 503."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
REQUIRED = ("CustomerCode", "OrderCode", "SenderFullname", "SenderAddress", "ReceiverFullname",
            "ReceiverAddress", "ServiceName")


def signed_envelope(secret: str, order: dict, send_date: str | None = None) -> dict:
    data = json.dumps(order, ensure_ascii=False)
    send_date = send_date or datetime.now(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")
    sign = hmac.new(secret.encode(), f"{send_date}.{data}".encode(), hashlib.sha256).hexdigest()
    return {"Data": data, "SendDate": send_date, "SignData": sign}


class ServedApp:
    """A WSGI app on a free local port, in a daemon thread."""

    def __init__(self, wsgi) -> None:
        self.server = make_server("127.0.0.1", 0, wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


class VNPostSimulator:
    def __init__(self, token: str, secret: str, callback_url: str | None = None) -> None:
        self.token, self.secret, self.callback_url = token, secret, callback_url
        self.down = False
        self.orders: dict[tuple[str, str], dict] = {}  # (CustomerCode, OrderCode) -> order
        self.create_requests: list[dict] = []
        self.next_number = 491610889
        self.app = self._make_app()
        self.served: ServedApp | None = None

    @property
    def url(self) -> str:
        return self.served.url

    def start(self) -> "VNPostSimulator":
        self.served = ServedApp(self.app)
        return self

    def stop(self) -> None:
        self.served.stop()

    def _make_app(self) -> Flask:
        app = Flask("vnpost_simulator")

        @app.before_request
        def gate():
            if self.down:
                return jsonify({"Message": "Service Unavailable"}), 503
            if request.headers.get("h-token") != self.token:
                return jsonify({"Message": "Token không hợp lệ"}), 401
            return None

        @app.post("/Order/CreateOrder")
        def create_order():
            body = request.get_json()
            self.create_requests.append(body)
            missing = [k for k in REQUIRED if not body.get(k)]
            if missing:
                return jsonify({"IsSuccess": False, "Message": f"Thiếu {', '.join(missing)}"}), 200
            key = (body["CustomerCode"], body["OrderCode"])
            if key not in self.orders:
                self.next_number += 1
                self.orders[key] = {
                    **body, "Id": f"id-{self.next_number}", "ItemCode": f"EL{self.next_number}VN",
                    "OrderStatusId": 20, "LastUpdateTime": self._now(), "DeliveryNote": None,
                }
            order = self.orders[key]
            return jsonify({"IsSuccess": True, "Id": order["Id"], "ItemCode": order["ItemCode"],
                            "OrderCode": order["OrderCode"], "OrderStatusId": order["OrderStatusId"]})

        @app.post("/Order/GetListOrderByManagerWithCustomCode")
        def track():
            wanted = set(request.get_json().get("ListItemCode") or [])
            return jsonify([self._public(o) for o in self.orders.values() if o["ItemCode"] in wanted])

        return app

    @staticmethod
    def _now() -> str:
        return datetime.now(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")

    @staticmethod
    def _public(order: dict) -> dict:
        keys = ("Id", "ItemCode", "OrderCode", "CustomerCode", "OrderStatusId", "LastUpdateTime",
                "DeliveryNote", "ReceiverFullname")
        return {k: order.get(k) for k in keys}

    def order_by_waybill(self, waybill: str) -> dict:
        return next(o for o in self.orders.values() if o["ItemCode"] == waybill)

    def advance(self, waybill: str, status_id: int, at: datetime, note: str | None = None,
                push: bool = True) -> requests.Response | None:
        """The parcel reaches a state; with ``push``, the callback is sent."""
        order = self.order_by_waybill(waybill)
        order.update(OrderStatusId=status_id, LastUpdateTime=at.astimezone(VIETNAM).strftime(
            "%d/%m/%Y %H:%M:%S"), DeliveryNote=note)
        return self.push(self._public(order)) if push else None

    def push(self, order: dict, secret: str | None = None) -> requests.Response:
        envelope = signed_envelope(secret or self.secret, order)
        return requests.post(self.callback_url, data=json.dumps(envelope),
                             headers={"Content-Type": "application/json"}, timeout=10)
