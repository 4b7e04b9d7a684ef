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
        ---
        get:
          summary: List plugins
          responses:
            200: {description: The plugins}
            403: {description: Admins only}
        """
        return jsonify(plugin_info())
