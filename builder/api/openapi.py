"""The OpenAPI document of the whole API, public at /api/v1/openapi.json."""
from __future__ import annotations

from flask import current_app, jsonify
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.api.manager import OpenApi


class OpenApiDocument(BaseApi):
    route_base = "/api/v1"
    openapi_spec_tag = "OpenAPI"

    @expose("/openapi.json", methods=["GET"])
    def spec(self):
        """The OpenAPI 3 document of /api/v1.
        ---
        get:
          summary: This document
          responses:
            200: {description: OpenAPI 3}
        """
        spec = OpenApi._create_api_spec("v1")  # the "jwt" scheme comes with the login API
        for view in current_app.appbuilder.baseviews:
            if isinstance(view, BaseApi) and view.version == "v1":
                view.add_api_spec(spec)
        document = spec.to_dict()
        document["info"]["title"] = current_app.config["APP_NAME"]
        return jsonify(document)
