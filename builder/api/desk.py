"""The reception desk's own routes."""
from __future__ import annotations

from flask import jsonify
from flask_appbuilder.api import BaseApi, expose

from builder.api.auth import api_user, roles_required
from builder.api.body import json_body
from builder.process.desk import register_paper_dossier
from builder.process.dossiers import dossier_dict


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
