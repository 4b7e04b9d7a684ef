"""The public catalogue of procedures."""
from __future__ import annotations

import io

from flask import jsonify, request, send_file
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import func, select

from builder.api.body import page_arg
from builder.documents.blank import published_blank_form
from builder.errors import BadRequest, NotFound
from builder.extensions import db
from builder.forms.package import fold
from builder.models import Agency, Procedure

PER_PAGE = 20


def procedure_item(procedure: Procedure) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "level": procedure.level,
        "agency_code": procedure.agency.code,
        "agency_name": procedure.agency.name,
        "field": procedure.field,
        "online": procedure.online,
    }


def procedure_detail(procedure: Procedure) -> dict:
    version = procedure.current_version
    package = version.package
    detail = {key: value for key, value in package.items() if key != "templates"}
    detail.update(procedure_item(procedure))
    detail["version"] = version.number
    detail["published_at"] = version.published_at.isoformat()
    return detail


class ProcedureApi(BaseApi):
    route_base = "/api/v1/procedures"
    openapi_spec_tag = "Catalogue"

    @expose("", methods=["GET"])
    def list(self):
        """Search the published procedures.
        ---
        get:
          summary: Search procedures (diacritics and case ignored)
          parameters:
          - {in: query, name: q, schema: {type: string}}
          - {in: query, name: agency, schema: {type: string}}
          - {in: query, name: level, schema: {type: integer, minimum: 1, maximum: 4}}
          - {in: query, name: page, schema: {type: integer, minimum: 1, maximum: 100000}}
          responses:
            200:
              description: A page of procedures
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count: {type: integer}
                      items: {type: array, items: {type: object}}
        """
        query = select(Procedure).where(Procedure.current_version_id.is_not(None))
        text = request.args.get("q", "").strip()
        if text:
            for word in fold(text).split():
                query = query.where(Procedure.search_name.contains(word, autoescape=True))
        agency_code = request.args.get("agency")
        if agency_code:
            query = query.join(Agency, Procedure.agency_id == Agency.id).where(
                Agency.code == agency_code
            )
        level = request.args.get("level")
        if level is not None:
            if level not in ("1", "2", "3", "4"):
                raise BadRequest(_("The level must be 1, 2, 3 or 4."))
            query = query.where(Procedure.level == int(level))
        page = page_arg()
        count = db.session.scalar(select(func.count()).select_from(query.subquery()))
        items = db.session.scalars(
            query.order_by(Procedure.name).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        )
        return jsonify({"count": count, "page": page, "items": [procedure_item(p) for p in items]})

    @expose("/<code>", methods=["GET"])
    def get(self, code: str):
        """A procedure's level-1 information and its current published version.
        ---
        get:
          summary: One procedure
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: The procedure}
            404: {description: No published procedure has this code}
        """
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
        if procedure is None or procedure.current_version is None:
            raise NotFound(_("No published procedure has the code %(code)s.", code=code))
        return jsonify(procedure_detail(procedure))

    @expose("/<code>/form.pdf", methods=["GET"])
    def form_pdf(self, code: str):
        """The blank printable form of a procedure's published version (level 2).
        ---
        get:
          summary: The blank form, A4, to print and fill in by hand
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200:
              description: The blank form
              content: {application/pdf: {}}
            404: {description: No published procedure has this code}
        """
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
        if procedure is None or procedure.current_version is None:
            raise NotFound(_("No published procedure has the code %(code)s.", code=code))
        return send_file(
            io.BytesIO(published_blank_form(procedure.current_version)),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"{procedure.code}.pdf",
        )
