"""The installed plugins (admin)."""
from __future__ import annotations

from flask import jsonify
from flask_appbuilder.api import BaseApi, expose

from builder.api.auth import roles_required
from builder.plugins import plugin_info


class PluginApi(BaseApi):
    route_base = "/api/v1/plugins"
    openapi_spec_tag = "Plugins"

    @expose("", methods=["GET"])
    @roles_required("Admin")
    def list(self):
        """The installed plugins, their hooks and whether they are configured.
        A blocked plugin is listed with ``blocked`` true (it is not loaded).
        ---
        get:
          summary: List plugins
          responses:
            200:
              description: The plugins, by name
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      type: object
                      properties:
                        name: {type: string}
                        version: {type: string, nullable: true}
                        hooks: {type: array, items: {type: string}}
                        kind:
                          type: string
                          nullable: true
                          enum: [payment, signature, delivery, notification, identity, other]
                        providers: {type: array, items: {type: string}}
                        configured: {type: boolean}
                        problems:
                          type: array
                          items: {type: string}
                          description: What check_config() found wrong, in the request's language
                        blocked: {type: boolean}
            401: {description: Not signed in}
            403: {description: Admins only}
        """
        return jsonify(plugin_info(include_blocked=True))
