"""The OpenAPI document of the whole API, public at /api/v1/openapi.json.

Every error answer has one shape (API.md, "Errors"): the document names it
``Error`` and gives it to each operation as its ``default`` answer and as the
content of each 4xx and 5xx answer the operation lists."""
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
        _describe_errors(document)
        return jsonify(document)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "what was wrong, in the request's language (Vietnamese first)"},
        "errors": {
            "type": "object",
            "description": "per field path (object keys and list indexes joined with dots), its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _describe_errors(document: dict) -> None:
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, answer in responses.items():
                if str(status)[0] in "45" and isinstance(answer, dict) and "content" not in answer \
                        and "$ref" not in answer:
                    answer["content"] = ERROR_CONTENT
            responses.setdefault("default", {"description": "An error (see API.md, \"Errors\")",
                                             "content": ERROR_CONTENT})
