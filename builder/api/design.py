"""Service design (Designer or Admin): drafts, publication, export and import
of whole service packages, and the process as BPMN 2.0."""
from __future__ import annotations

import copy

from flask import Response, jsonify, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import select

from builder.api.auth import api_user, roles_required
from builder.api.body import json_body
from builder.database import write_transaction
from builder.errors import Conflict, Forbidden, InvalidData, NotFound, TooLarge, UnsupportedType
from builder.extensions import db
from builder.forms.package import check_package, publish, save_draft
from builder.models import Agency, Procedure
from builder.process.bpmn import BpmnError, from_bpmn, to_bpmn
from builder.security import is_admin, profile_of

DESIGNERS = ("Designer", "Admin")
MAX_BPMN_BYTES = 2 * 1024 * 1024


def _may_design(user, agency_code: str) -> None:
    """A designer designs for their agency and the agencies below it."""
    if is_admin(user):
        return
    profile = profile_of(user)
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    if profile is None or profile.agency is None or agency is None:
        raise Forbidden(_("You may only design the services of your agency."))
    if profile.agency_id != agency.id and profile.agency_id not in {a.id for a in agency.ancestors()}:
        raise Forbidden(_("You may only design the services of your agency."))


def _procedure(code: str) -> Procedure:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise NotFound(_("No procedure has the code %(code)s.", code=code))
    _may_design(api_user(), procedure.agency.code)
    return procedure


def _working_package(procedure: Procedure) -> dict:
    if procedure.draft is not None:
        return procedure.draft
    return procedure.current_version.package


def _state(procedure: Procedure) -> dict:
    return {"code": procedure.code,
            "version": procedure.current_version.number if procedure.current_version else None,
            "state": "draft" if procedure.draft is not None and (
                procedure.current_version is None or procedure.draft != procedure.current_version.package)
            else "published"}


def _save(package, creating: bool | None) -> Procedure:
    """Check and save a package as the draft; ``creating`` True refuses an
    existing code, False refuses a new one, None takes both (import)."""
    check_package(package)
    _may_design(api_user(), package["agency_code"])
    exists = db.session.scalar(select(Procedure.id).where(Procedure.code == package["code"])) is not None
    if creating is True and exists:
        raise Conflict(_("A procedure with the code %(code)s exists; replace its draft with PUT.",
                         code=package["code"]))
    if creating is False and not exists:
        raise NotFound(_("No procedure has the code %(code)s.", code=package["code"]))
    with write_transaction() as session:
        procedure = save_draft(session, package)
    return procedure


class DesignApi(BaseApi):
    route_base = "/api/v1/procedures"
    openapi_spec_tag = "Service design"

    @expose("", methods=["POST"])
    @roles_required(*DESIGNERS)
    def create(self):
        """Create a procedure from a whole service package, as a draft.
        ---
        post:
          summary: Create a service (draft)
          requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
          responses:
            201: {description: '{"code", "version": null, "state": "draft"}'}
            409: {description: The code exists}
            422: {description: Invalid package, errors keyed by JSON path}
        """
        return jsonify(_state(_save(json_body(), creating=True))), 201

    @expose("/<code>", methods=["PUT"])
    @roles_required(*DESIGNERS)
    def replace(self, code: str):
        """Replace the draft of a procedure.
        ---
        put:
          summary: Replace the draft
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: The draft's state}
            422: {description: Invalid package}
        """
        package = json_body()
        if not isinstance(package, dict) or package.get("code") != code:
            raise InvalidData(_("The service package is not valid."),
                              {"code": [_("The code in the body must be %(code)s.", code=code)]})
        _procedure(code)
        return jsonify(_state(_save(package, creating=False)))

    @expose("/<code>/publish", methods=["POST"])
    @roles_required(*DESIGNERS)
    def publish(self, code: str):
        """Publish the draft as the next immutable version.
        ---
        post:
          summary: Publish
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: '{"code", "version"}'}
        """
        procedure = _procedure(code)
        with write_transaction() as session:
            version = publish(session, procedure, published_by=api_user().username)
        return jsonify({"code": code, "version": version.number})

    @expose("/<code>/export", methods=["GET"])
    @roles_required(*DESIGNERS)
    def export(self, code: str):
        """The package (the draft if there is one, else the published version).
        ---
        get:
          summary: Export a package
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: The package JSON}
        """
        procedure = _procedure(code)
        response = jsonify(_working_package(procedure))
        response.headers["Content-Disposition"] = f"attachment; filename={code}.json"
        return response

    @expose("/import", methods=["POST"])
    @roles_required(*DESIGNERS)
    def import_(self):
        """Import a package file: a new procedure, or a new draft of one.
        ---
        post:
          summary: Import a package
          responses:
            201: {description: The draft's state}
            422: {description: Invalid package}
        """
        return jsonify(_state(_save(json_body(), creating=None))), 201

    @expose("/<code>/process.bpmn", methods=["GET"])
    @roles_required(*DESIGNERS)
    def bpmn_get(self, code: str):
        """The process as BPMN 2.0 XML (lanes, user tasks, flows, diagram).
        ---
        get:
          summary: Process as BPMN
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          responses:
            200: {description: BPMN 2.0, content: {application/xml: {}}}
        """
        procedure = _procedure(code)
        package = _working_package(procedure)
        xml = to_bpmn(package["process"], name=package["name"], code=code)
        return Response(xml, mimetype="application/xml",
                        headers={"Content-Disposition": f"attachment; filename={code}.bpmn"})

    @expose("/<code>/process.bpmn", methods=["PUT"])
    @roles_required(*DESIGNERS)
    def bpmn_put(self, code: str):
        """Replace the draft's process with one drawn in a BPMN modeller.
        ---
        put:
          summary: Import a process from BPMN
          parameters:
          - {in: path, name: code, required: true, schema: {type: string}}
          requestBody: {required: true, content: {application/xml: {}}}
          responses:
            200: {description: The draft's state}
            422: {description: 'What cannot be mapped, naming the element'}
        """
        procedure = _procedure(code)
        if request.mimetype not in ("application/xml", "text/xml", "application/bpmn+xml"):
            raise UnsupportedType(_("Send the process as BPMN XML (Content-Type: application/xml)."))
        if request.content_length is not None and request.content_length > MAX_BPMN_BYTES:
            raise TooLarge(_("The request is too large (at most %(kb)s KB).", kb=MAX_BPMN_BYTES // 1024))
        request.max_content_length = MAX_BPMN_BYTES
        try:
            process = from_bpmn(request.get_data())
        except BpmnError as exc:
            # the message names the element at fault (its tag and id), when there is one
            raise InvalidData(_("The BPMN process cannot be used."), {"process": [str(exc)]}) from exc
        package = copy.deepcopy(_working_package(procedure))
        package["process"] = process
        return jsonify(_state(_save(package, creating=False)))
