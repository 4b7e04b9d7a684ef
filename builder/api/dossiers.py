"""Dossiers: submit, read, attach files, history, documents; and the public lookup."""
from __future__ import annotations

from flask import current_app, jsonify, request, send_file, url_for
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import select
import io

from builder import storage
from builder.api.auth import api_user, login_required
from builder.api.body import json_body, page_arg
from builder.errors import BadRequest, NotFound
from builder.inputs import whole_number
from builder.extensions import db
from builder.models import Document, Dossier
from builder.process import dossiers as service
from builder.process.results import RESULT_KIND, ResultFile, is_result_kind

DOCUMENT_KINDS = ("form", "receipt", "control_sheet", "supplement_request", "refusal", "apology", "result")


class DossierApi(BaseApi):
    route_base = "/api/v1/dossiers"
    openapi_spec_tag = "Dossiers"

    @expose("", methods=["POST"])
    @login_required
    def create(self):
        """Submit a dossier, or save a draft with "submit": false.
        ---
        post:
          summary: Submit a dossier or save a draft
          security: [{jwt: []}]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [procedure]
                  properties:
                    procedure: {type: string}
                    data: {type: object}
                    delivery:
                      type: object
                      properties:
                        method: {type: string, enum: [online, desk, post]}
                        address: {type: object}
                    agency: {type: string, description: receiving agency, below the procedure's}
                    submit: {type: boolean, default: true}
          responses:
            201: {description: The dossier}
            400: {description: Malformed JSON}
            401: {description: Not signed in}
            413: {description: Body too large}
            422: {description: 'Invalid data: errors per field path'}
        """
        dossier = service.create_dossier(api_user(), json_body())
        return jsonify(service.dossier_dict(dossier, api_user())), 201

    @expose("", methods=["GET"])
    @login_required
    def list(self):
        """The caller's own dossiers (citizen) or the agency's (staff).
        ---
        get:
          summary: List dossiers
          parameters:
          - {in: query, name: status, schema: {type: integer, minimum: 0, maximum: 10}}
          - {in: query, name: procedure, schema: {type: string}}
          - {in: query, name: due, schema: {type: string, enum: [soon, overdue]}}
          - {in: query, name: assignee, schema: {type: string, enum: [me]}}
          - {in: query, name: page, schema: {type: integer, minimum: 1, maximum: 100000}}
          responses:
            200: {description: A page of dossiers}
        """
        status = request.args.get("status")
        if status is not None:
            status = whole_number(status, maximum=10)
            if status is None:
                raise BadRequest(_("The status must be a number from 0 to 10."))
        due = request.args.get("due")
        if due not in (None, "soon", "overdue"):
            raise BadRequest(_("due must be soon or overdue."))
        total, items = service.list_dossiers(
            api_user(), status, page_arg(),
            procedure=request.args.get("procedure"), due=due,
            mine=request.args.get("assignee") == "me",
        )
        return jsonify({"count": total, "items": [service.dossier_dict(d, api_user()) for d in items]})

    @expose("/<key>", methods=["GET"])
    @login_required
    def get(self, key: str):
        """One dossier, for its owner and the staff handling it.
        ---
        get:
          summary: Read a dossier by its code (or a draft by its id)
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            200: {description: The dossier}
            404: {description: Not found, or not yours}
        """
        return jsonify(service.dossier_dict(service.find_dossier(api_user(), key), api_user()))

    @expose("/<key>", methods=["PUT"])
    @login_required
    def update(self, key: str):
        """Replace a draft's data.
        ---
        put:
          summary: Replace a draft's data
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            200: {description: The draft}
            409: {description: Already submitted}
        """
        user = api_user()
        dossier = service.update_draft(user, service.find_dossier(user, key), json_body())
        return jsonify(service.dossier_dict(dossier, api_user()))

    @expose("/<key>/submit", methods=["POST"])
    @login_required
    def submit(self, key: str):
        """Submit a draft: it gets its code.
        ---
        post:
          summary: Submit a draft
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            201: {description: The submitted dossier}
            409: {description: Already submitted}
            422: {description: Invalid data or missing components}
        """
        user = api_user()
        dossier = service.submit_draft(user, service.find_dossier(user, key))
        return jsonify(service.dossier_dict(dossier, api_user())), 201

    @expose("/<key>/attachments", methods=["POST"])
    @login_required
    def attach(self, key: str):
        """Attach a file (PDF, JPEG or PNG, judged by its content) to a component.
        ---
        post:
          summary: Attach a file
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    component: {type: string}
                    file: {type: string, format: binary}
          responses:
            201: {description: The attachment}
            413: {description: Too large}
            415: {description: Not a PDF, JPEG or PNG}
        """
        user = api_user()
        dossier = service.find_dossier(user, key)
        request.max_content_length = current_app.config["ATTACHMENT_MAX_BYTES"] + 64 * 1024
        attachment = service.add_attachment(
            user, dossier, request.form.get("component"), request.files.get("file")
        )
        return jsonify(service.attachment_dict(attachment)), 201

    @expose("/<key>/attachments/<row_id:attachment_id>", methods=["GET"])
    @login_required
    def attachment(self, key: str, attachment_id: int):
        """An attached file, for its owner and the staff handling the dossier.
        ---
        get:
          summary: Download an attachment
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          responses:
            200: {description: The file}
            404: {description: Not found}
        """
        dossier = service.find_dossier(api_user(), key)
        found = next((a for a in dossier.attachments if a.id == attachment_id), None)
        if found is None:
            raise NotFound(_("No such attachment."))
        return send_file(io.BytesIO(storage.read_bytes(found.sha256)), mimetype=found.content_type,
                         download_name=found.filename)

    @expose("/<key>/actions", methods=["POST"])
    @login_required
    def act(self, key: str):
        """Act on a dossier: receive, refuse, request_supplement, supplement,
        assign, forward, approve, return_result, transfer, apologize, withdraw,
        request_payment, stop, resume. JSON, or multipart/form-data with the
        same fields and the result PDFs as ``results`` files (approve).
        ---
        post:
          summary: Act on a dossier
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [action]
                  properties:
                    action: {type: string}
                    comment: {type: string}
                    assignee: {type: string, description: with assign}
                    to_agency: {type: string, description: with transfer}
                    lead_agency: {type: string, description: with transfer}
                    duration: {type: object, description: 'with transfer: {value, unit}'}
                    new_due_date: {type: string, format: date, description: with apologize}
                    data: {type: object, description: with supplement}
                    amount:
                      type: integer
                      minimum: 1
                      description: >-
                        with request_payment: VND to pay (status 6), the reason in comment;
                        omitted, the service's fees paid after processing (fee_mode after)
                    results:
                      type: array
                      description: >-
                        with the approve that completes processing (status 9): the result
                        PDFs, issued as documents of kind result; without them the
                        service's result template, if any, is rendered
                      items:
                        type: object
                        required: [content]
                        properties:
                          filename: {type: string}
                          content: {type: string, format: byte, description: the PDF in base64}
              multipart/form-data:
                schema:
                  type: object
                  required: [action]
                  properties:
                    action: {type: string}
                    comment: {type: string}
                    amount: {type: integer}
                    results:
                      type: array
                      items: {type: string, format: binary}
          responses:
            200: {description: The updated dossier}
            403: {description: Not your role or agency}
            409: {description: Not possible in the current state}
            413: {description: A result file too large}
            415: {description: A result file that is not a PDF}
            422: {description: Missing or invalid fields}
        """
        from builder.process.engine import perform

        user = api_user()
        if request.mimetype == "multipart/form-data":
            body, files = _action_form()
        else:
            body, files = json_body(), None
        dossier = perform(user, key, body, result_files=files)
        return jsonify(service.dossier_dict(dossier, user))

    @expose("/<key>/evaluation", methods=["POST"])
    @login_required
    def evaluate(self, key: str):
        """The applicant rates a resolved dossier: each criterion 3 (very
        satisfied), 2 (satisfied) or 1 (not satisfied); once.
        ---
        post:
          summary: Evaluate a dossier
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [overall, ease, timeliness, attitude]
                  properties:
                    overall: {type: integer, minimum: 1, maximum: 3}
                    ease: {type: integer, minimum: 1, maximum: 3}
                    timeliness: {type: integer, minimum: 1, maximum: 3}
                    attitude: {type: integer, minimum: 1, maximum: 3}
                    comment: {type: string}
          responses:
            201: {description: Recorded}
            409: {description: Not resolved yet, or already evaluated}
            422: {description: Invalid ratings}
        """
        from builder.process.evaluations import evaluate

        user = api_user()
        evaluation = evaluate(user, service.find_dossier(user, key), json_body())
        return jsonify({"id": evaluation.id, "overall": evaluation.overall, "ease": evaluation.ease,
                        "timeliness": evaluation.timeliness, "attitude": evaluation.attitude,
                        "comment": evaluation.comment}), 201

    @expose("/<key>/history", methods=["GET"])
    @login_required
    def history(self, key: str):
        """Every action on the dossier, oldest first.
        ---
        get:
          summary: A dossier's history
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            200: {description: The history}
        """
        dossier = service.find_dossier(api_user(), key)
        return jsonify(
            [
                {
                    "at": entry.at.isoformat(),
                    "actor": entry.actor_name,
                    "agency": entry.agency.code if entry.agency else None,
                    "action": entry.action,
                    "from_status": entry.from_status,
                    "to_status": entry.to_status,
                    "comment": entry.comment,
                }
                for entry in dossier.history
            ]
        )

    @expose("/<key>/documents", methods=["GET"])
    @login_required
    def documents(self, key: str):
        """The dossier's generated documents; ``ready`` is false while a worker renders one.
        ---
        get:
          summary: A dossier's documents
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          responses:
            200: {description: The documents}
        """
        dossier = service.find_dossier(api_user(), key)
        made = {d.kind: d for d in dossier.documents}
        titles = {d.kind: d.title for d in dossier.documents if d.title}
        expected = (["form"] if dossier.code else []) + (["receipt"] if dossier.received_at else [])
        if len(dossier.history) > 1:
            expected.append("control_sheet")
        kinds = expected + [k for k in made if k not in expected]
        return jsonify(
            [
                {
                    "kind": RESULT_KIND if is_result_kind(kind) else kind,  # result-2, ...: more results
                    "url": url_for("DossierApi.document", key=key, kind=kind, _external=False),
                    "sha256": made[kind].sha256 if kind in made else None,
                    "ready": kind in made,
                    **({"title": titles[kind]} if kind in titles else {}),
                }
                for kind in kinds
            ]
        )

    @expose("/<key>/documents/<kind>.pdf", methods=["GET"])
    @login_required
    def document(self, key: str, kind: str):
        """One generated document as a PDF.
        ---
        get:
          summary: Download a document
          parameters:
          - {in: path, name: key, required: true, schema: {type: string}}
          - {in: path, name: kind, required: true, schema: {type: string}}
          responses:
            200:
              description: The PDF
              content: {application/pdf: {}}
            404: {description: Not made yet}
        """
        dossier = service.find_dossier(api_user(), key)
        document = db.session.scalar(
            select(Document).where(Document.dossier_id == dossier.id, Document.kind == kind)
        )
        if (kind not in DOCUMENT_KINDS and not is_result_kind(kind)) or document is None:
            raise NotFound(_("This document is not ready yet."))
        return send_file(
            io.BytesIO(storage.read_bytes(document.sha256)),
            mimetype="application/pdf",
            download_name=f"{dossier.code}-{kind}.pdf",
        )


def _action_form() -> tuple[dict, list[ResultFile]]:
    """An action sent as a form: its fields, and the files under ``results``."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    body: dict = {key: value for key, value in request.form.items() if key != "results"}
    amount = whole_number(body.get("amount"))  # anything else is refused by the action, in words
    if amount is not None:
        body["amount"] = amount
    files = [ResultFile(upload.filename, upload.stream.read(limit + 1))
             for upload in request.files.getlist("results") if upload.filename]
    return body, files


class LookupApi(BaseApi):
    route_base = "/api/v1/lookup"
    openapi_spec_tag = "Lookup"

    @expose("/<code>", methods=["GET"])
    def get(self, code: str):
        """Anyone may follow a dossier by its code; nothing personal is shown.
        ---
        get:
          summary: Look up a dossier's status
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: Status and dates}
            404: {description: No such code}
        """
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None:
            raise NotFound(_("No dossier %(code)s.", code=code))
        return jsonify(service.lookup_dict(dossier))
