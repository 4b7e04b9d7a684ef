"""The reception desk's own routes."""
from __future__ import annotations

import io

from flask import jsonify, send_file, url_for
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import select

from builder.api.auth import api_user, roles_required
from builder.api.body import json_body, json_object
from builder import storage
from builder.database import write_transaction
from builder.errors import InvalidData, NotFound
from builder.extensions import db
from builder.jobs.queue import enqueue
from builder.models import AgencyDocument
from builder.process.desk import register_paper_dossier
from builder.process.dossiers import dossier_dict
from builder.security import profile_of


def _desk_agency_id() -> int:
    profile = profile_of(api_user())
    if profile is None or profile.agency_id is None:
        raise NotFound(_("Your account belongs to no agency."))
    return profile.agency_id


def _year(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise InvalidData(_("The request is not valid."), {"year": [_("Choose a year from 2000 to 2100.")]})
    return value


class DeskApi(BaseApi):
    route_base = "/api/v1/desk"
    openapi_spec_tag = "Reception desk"

    @expose("/dossiers", methods=["POST"])
    @roles_required("Desk")
    def register(self):
        """Register a paper dossier brought to the desk: received at once, with its code,
        due date and receipt. Scans are then attached with POST /api/v1/dossiers/<code>/attachments.
        ---
        post:
          summary: Register a paper dossier
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [procedure, applicant, components]
                  properties:
                    procedure: {type: string}
                    applicant:
                      type: object
                      required: [name]
                      properties:
                        name: {type: string}
                        id_number: {type: string}
                        phone: {type: string}
                        email: {type: string}
                        address: {type: string}
                    components: {type: array, items: {type: string}, description: ids of the components received}
                    data: {type: object, description: the declaration typed in (optional)}
                    delivery: {type: object}
          responses:
            201: {description: The dossier, received}
            403: {description: Not the desk}
            422: {description: Invalid data or missing components}
        """
        user = api_user()
        return jsonify(dossier_dict(register_paper_dossier(user, json_body()), user)), 201

    @expose("/register", methods=["POST"])
    @roles_required("Desk")
    def make_register(self):
        """Have the register of dossiers (document 06) of the desk's agency
        for a year printed by a worker.
        ---
        post:
          summary: Print the register of a year
          requestBody:
            content: {application/json: {schema: {type: object, properties: {year: {type: integer}}}}}
          responses:
            202: {description: '{"url", "ready": false}: being printed'}
        """
        year = _year(json_object().get("year"))
        agency_id = _desk_agency_id()
        with write_transaction():
            enqueue("builder.jobs.tasks.render_register", agency_id, year, queue="pdf")
        return jsonify({"url": url_for("DeskApi.register_pdf", year=year), "ready": False}), 202

    @expose("/register/<int(min=2000, max=2100):year>.pdf", methods=["GET"])
    @roles_required("Desk")
    def register_pdf(self, year: int):
        """The last printed register of a year.
        ---
        get:
          summary: Download the register
          parameters:
          - {in: path, name: year, required: true, schema: {type: integer}}
          responses:
            200: {description: The PDF, content: {application/pdf: {}}}
            404: {description: Not printed yet}
        """
        record = db.session.scalar(select(AgencyDocument).where(
            AgencyDocument.agency_id == _desk_agency_id(), AgencyDocument.kind == "register",
            AgencyDocument.period == str(_year(year))))
        if record is None:
            raise NotFound(_("This document is not ready yet."))
        return send_file(io.BytesIO(storage.read_bytes(record.sha256)), mimetype="application/pdf",
                         download_name=f"so-theo-doi-ho-so-{year}.pdf")
