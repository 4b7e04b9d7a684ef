"""Citizen accounts."""
from __future__ import annotations

from flask import jsonify
from flask_appbuilder.api import BaseApi, expose

from builder.accounts import register_citizen
from builder.api.body import json_object


class CitizenApi(BaseApi):
    route_base = "/api/v1/citizens"
    openapi_spec_tag = "Citizens"

    @expose("", methods=["POST"])
    def register(self):
        """Register a citizen account; the username is the citizen ID.
        ---
        post:
          summary: Register a citizen
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [id_number, full_name, password]
                  properties:
                    id_number: {type: string, pattern: '^[0-9]{12}$'}
                    full_name: {type: string}
                    phone: {type: string}
                    email: {type: string, format: email}
                    password: {type: string, minLength: 8}
          responses:
            201:
              description: Created
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      username: {type: string}
            409: {description: An account with this ID exists}
            422: {description: Invalid data, with errors per field}
        """
        user = register_citizen(json_object())
        return jsonify({"username": user.username}), 201
