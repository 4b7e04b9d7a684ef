"""Payments: the applicant starts one (``POST /api/v1/dossiers/<key>/payments``);
the gateway sends the browser back to ``/payments/<gateway>/return``, which
only shows the outcome, and tells us the outcome server to server at
``/payments/<gateway>/ipn``, which alone changes the payment. The desk records
fees paid in cash or by transfer, and refunds; the e-receipt a gateway issued
is kept and served with the payment."""
from __future__ import annotations

from typing import Any

from flask import (Blueprint, Flask, Response, current_app, jsonify, render_template_string, request,
                   url_for)
from flask_appbuilder.api import BaseApi, expose
from flask_babel import get_locale, gettext as _

from builder.api.auth import api_user, login_required
from builder.api.body import json_body, json_object
from builder.errors import NotFound
from builder.process import payments as service
from builder.process.dossiers import find_dossier
from builder.storage import read_bytes


class PaymentApi(BaseApi):
    route_base = "/api/v1/dossiers"
    openapi_spec_tag = "Payments"

    @expose("/<key>/payments", methods=["POST"])
    @login_required
    def start(self, key: str):
        """The applicant starts paying the dossier's fees through a gateway and
        is sent to ``redirect_url`` (null for a gateway with nowhere to go, the desk).
        ---
        post:
          summary: Start paying a dossier's fees
          security: [{jwt: []}]
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [gateway]
                  properties:
                    gateway: {type: string, description: 'the service''s gateway, e.g. vnpay'}
          responses:
            201:
              description: A pending payment, and where to send the payer
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      amount: {type: integer, description: VND}
                      status: {type: string, enum: [pending]}
                      gateway: {type: string}
                      redirect_url: {type: string, nullable: true}
            400: {description: Malformed JSON}
            401: {description: Not signed in}
            403: {description: Not the applicant}
            404: {description: No such dossier, or not yours}
            409: {description: 'Nothing to pay, already paid, or a payment in progress'}
            422: {description: Unknown or unconfigured gateway, or not the service's}
            502: {description: The gateway could not start the payment}
        """
        user = api_user()
        dossier = find_dossier(user, key)
        body = json_object()
        name = body.get("gateway")
        payment, redirect_url = service.start(
            user, dossier, name, _return_url(name), request.remote_addr or "127.0.0.1",
            "en" if str(get_locale()) == "en" else "vn",
        )
        return jsonify(service.payment_dict(payment, redirect_url)), 201

    @expose("/<key>/payments", methods=["GET"])
    @login_required
    def list_payments(self, key: str):
        """The dossier's payments, oldest first, with their e-receipts.
        ---
        get:
          summary: A dossier's payments
          security: [{jwt: []}]
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            200:
              description: 'Each: id, amount (VND), status (unpaid, pending, paid, cancelled,
                refunded), status_label, gateway, created_at, paid_at, refunded_at,
                receipt_number, receipt_url (the e-receipt, or null)'
            401: {description: Not signed in}
            404: {description: No such dossier, or not yours}
        """
        dossier = find_dossier(api_user(), key)
        return jsonify([service.payment_dict(p) for p in service.payments_of(dossier)])

    @expose("/<key>/payments/desk", methods=["POST"])
    @login_required
    def record_at_desk(self, key: str):
        """The one-stop desk records fees paid in cash or by bank transfer.
        ---
        post:
          summary: Record a payment at the desk
          security: [{jwt: []}]
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [method, receipt_number]
                  properties:
                    method: {type: string, enum: [cash, transfer]}
                    receipt_number: {type: string, maxLength: 64}
                    amount: {type: integer, description: 'VND; when given, must be the fee'}
          responses:
            201: {description: The paid payment}
            403: {description: Not the desk of the dossier's agency}
            404: {description: No such dossier}
            409: {description: 'Nothing to pay, already paid, or a payment in progress'}
            422: {description: Bad method, receipt number or amount}
        """
        dossier = find_dossier(api_user(), key)
        payment = service.record_desk_payment(api_user(), dossier, json_body())
        return jsonify(service.payment_dict(payment)), 201

    @expose("/<key>/payments/<row_id:payment_id>/refund", methods=["POST"])
    @login_required
    def refund(self, key: str, payment_id: int):
        """The agency paid a paid payment back.
        ---
        post:
          summary: Record a refund
          security: [{jwt: []}]
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          - {in: path, name: payment_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [reason]
                  properties:
                    reason: {type: string, maxLength: 500}
          responses:
            200: {description: The refunded payment}
            403: {description: Not the desk of the dossier's agency}
            404: {description: No such dossier or payment}
            409: {description: The payment is not paid}
            422: {description: No reason}
        """
        dossier = find_dossier(api_user(), key)
        payment = service.refund(api_user(), dossier, payment_id, json_body())
        return jsonify(service.payment_dict(payment)), 200

    @expose("/<key>/payments/<row_id:payment_id>/receipt", methods=["GET"])
    @login_required
    def receipt(self, key: str, payment_id: int):
        """The e-receipt (biên lai điện tử) the gateway issued for a payment.
        ---
        get:
          summary: A payment's e-receipt
          security: [{jwt: []}]
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          - {in: path, name: payment_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: The receipt as the gateway gave it
              content:
                application/pdf: {}
            404: {description: 'No such dossier or payment, or no receipt yet'}
        """
        dossier = find_dossier(api_user(), key)
        payment = service.find_payment(dossier, payment_id)
        if not payment.receipt_sha256:
            raise NotFound(_("The payment %(id)s has no e-receipt yet.", id=payment_id))
        response = Response(read_bytes(payment.receipt_sha256),
                            content_type=payment.receipt_content_type or "application/pdf")
        response.headers["Content-Disposition"] = (
            f'inline; filename="bien-lai-{dossier.code}-{payment.id}.pdf"')
        return response


def _return_url(gateway: Any) -> str:
    if not isinstance(gateway, str):
        return ""
    return service.callback_url(gateway, "return")


# --- the gateway's callbacks --------------------------------------------------

callbacks = Blueprint("payment_callbacks", __name__, url_prefix="/payments")

RETURN_PAGE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem;
       color: #222; }
.paid { color: #146c2e; } .cancelled, .failed, .unverified, .unknown { color: #a4262c; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="{{ outcome }}">{{ message }}</p>
{% if amount %}<p>{{ amount }}</p>{% endif %}
{% if lookup_url %}<p><a href="{{ lookup_url }}">{{ follow }}</a></p>{% endif %}
</body>
</html>
"""


def _callback_params() -> dict[str, Any]:
    """The query string, and a POSTed form or JSON object (MoMo posts JSON)."""
    params: dict[str, Any] = request.args.to_dict()
    if request.method == "POST":
        request.max_content_length = current_app.config["MAX_JSON_BODY"]
        if request.is_json:
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update(request.form.to_dict())
    return params


def _return_message(outcome: str, code: str | None, status: str | None) -> str:
    if outcome == "unverified":
        return _("The payment gateway's answer could not be verified.")
    if outcome == "unknown":
        return _("No payment matches this answer.")
    if outcome == "paid" and status == "paid":
        return _("The fees of dossier %(code)s are paid.", code=code)
    if outcome == "paid":
        return _("The gateway reports the payment of dossier %(code)s as made; it will show as paid "
                 "once the gateway confirms it.", code=code)
    if outcome == "cancelled":
        return _("You cancelled the payment of dossier %(code)s.", code=code)
    return _("The payment of dossier %(code)s did not go through.", code=code)


@callbacks.route("/<gateway>/return", methods=["GET"])
def return_page(gateway: str):
    """Where the gateway sends the payer back. It shows what the gateway says
    and the payment's recorded state, and changes nothing."""
    found = service.find_gateway(gateway)
    result = found.verify_callback(request.args.to_dict())
    payment = service.payment_of(found, result) if result.valid_signature else None
    if not result.valid_signature:
        outcome, http_status = "unverified", 400
    elif payment is None:
        outcome, http_status = "unknown", 404
    else:
        outcome = "paid" if result.paid else "cancelled" if result.cancelled else "failed"
        http_status = 200
    code = payment.dossier.code if payment else None
    message = _return_message(outcome, code, payment.status if payment else None)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify({"outcome": outcome, "message": message, "dossier": code,
                        "payment": service.payment_dict(payment) if payment else None}), http_status
    amount = f"{payment.amount:,}".replace(",", ".") if payment else None
    page = render_template_string(
        RETURN_PAGE, lang=str(get_locale()), title=_("Payment of fees"), outcome=outcome,
        message=message, amount=_("Amount: %(amount)s VND", amount=amount) if amount else None,
        lookup_url=url_for("portal.lookup", code=code) if code else None, follow=_("Follow a dossier"),
    )
    return Response(page, status=http_status, content_type="text/html; charset=utf-8")


@callbacks.route("/<gateway>/ipn", methods=["GET", "POST"])
def ipn(gateway: str):
    """The gateway's server-to-server notice, answered in its own format."""
    body, status, content_type = service.handle_ipn(gateway, _callback_params())
    return Response(body, status=status, content_type=content_type)


def register_payment_callbacks(app: Flask) -> None:
    """The callbacks come from the gateway, with no session nor CSRF token."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(callbacks)
    app.register_blueprint(callbacks)
