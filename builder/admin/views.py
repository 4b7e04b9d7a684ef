"""Model views of the back office. Staff see the dossiers of their agency only."""
from __future__ import annotations

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from builder.models import Agency, Dossier, DocumentTemplate, JobRecord, Procedure
from builder.security import all_agency_ids, staff_agency_ids


def visible_agency_ids() -> list[int]:
    ids = staff_agency_ids(g.user)
    return all_agency_ids() if ids is None else sorted(ids)


class FilterForStaff(BaseFilter):
    """Dossiers received by, or now handled by, the agencies ``func()`` names."""

    name = "Received or handled by the user's agency"
    arg_name = "staff"

    def apply(self, query, func):
        from sqlalchemy import or_

        ids = func()
        return query.filter(or_(Dossier.agency_id.in_(ids), Dossier.handling_agency_id.in_(ids)))


class DossierView(ModelView):
    datamodel = SQLAInterface(Dossier)
    base_permissions = ["can_list", "can_show"]
    base_filters = [["agency_id", FilterForStaff, visible_agency_ids]]
    base_order = ("id", "desc")
    list_title = _("Dossiers")
    show_title = _("Dossier")
    list_columns = ["code", "procedure", "applicant_name", "status_text", "submitted_at", "agency"]
    show_columns = [
        "code", "procedure", "version", "agency", "applicant_name", "applicant_id_number",
        "applicant_phone", "applicant_email", "status_text", "channel", "submitted_at",
        "received_at", "due_at", "returned_at", "data_text",
    ]
    search_columns = ["code", "applicant_name", "applicant_id_number", "status", "procedure"]
    label_columns = {
        "code": _("Dossier code"),
        "procedure": _("Procedure"),
        "version": _("Version"),
        "agency": _("Agency"),
        "applicant_name": _("Applicant"),
        "applicant_id_number": _("Citizen ID"),
        "applicant_phone": _("Phone"),
        "applicant_email": _("E-mail"),
        "status": _("Status"),
        "status_text": _("Status"),
        "channel": _("Channel"),
        "submitted_at": _("Submitted at"),
        "received_at": _("Received at"),
        "due_at": _("Due at"),
        "returned_at": _("Returned at"),
        "data_text": _("Form data"),
    }


class ProcedureView(ModelView):
    datamodel = SQLAInterface(Procedure)
    base_permissions = ["can_list", "can_show"]
    list_columns = ["code", "name", "agency", "level", "online", "current_version"]
    show_columns = ["code", "name", "agency", "field", "level", "online", "current_version", "created_at"]
    search_columns = ["code", "name", "field", "level"]
    label_columns = {
        "code": _("Code"), "name": _("Name"), "agency": _("Agency"), "field": _("Field"),
        "level": _("Level"), "online": _("Online"), "current_version": _("Published version"),
        "created_at": _("Created at"),
    }


class AgencyView(ModelView):
    datamodel = SQLAInterface(Agency)
    list_columns = ["code", "name", "level", "parent"]
    add_columns = edit_columns = ["code", "name", "level", "parent", "address", "phone", "email", "office_hours"]
    description_columns = {"office_hours": _("e.g. 07:30-11:30, 13:30-17:00; empty: the parent agency's")}

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def _check(self, item):
        from builder.process.deadlines import parse_office_hours

        if item.office_hours:
            try:
                parse_office_hours(item.office_hours)
            except ValueError as exc:
                raise ValueError(str(_("Office hours must read like 07:30-11:30, 13:30-17:00."))) from exc
    search_columns = ["code", "name", "level"]
    label_columns = {
        "code": _("Agency code"), "name": _("Name"), "level": _("Level"), "parent": _("Parent agency"),
        "address": _("Address"), "phone": _("Phone"), "email": _("E-mail"),
        "office_hours": _("Office hours"),
    }


class JobView(ModelView):
    """Failed and waiting jobs stay visible to staff."""

    datamodel = SQLAInterface(JobRecord)
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    list_columns = ["id", "func", "args", "queue", "state", "attempts", "created_at", "finished_at"]
    show_columns = list_columns + ["last_error"]


class DocumentTemplateView(ModelView):
    """Admins edit the templates of the one-stop documents (receipt.html,
    supplement_request.html, refusal.html, apology.html, control_sheet.html,
    register.html, form.html, blank_form.html). An edited template replaces
    the shipped one; deleting it restores the shipped one. It is checked
    before it is saved and runs sandboxed."""

    datamodel = SQLAInterface(DocumentTemplate)
    list_columns = ["name", "updated_at", "updated_by"]
    add_columns = edit_columns = ["name", "html"]
    label_columns = {"name": _("Template"), "html": _("HTML (Jinja)"), "updated_at": _("Updated at"),
                     "updated_by": _("Updated by")}
    description_columns = {"name": _("The file it replaces, e.g. receipt.html"),
                           "html": _("It may extend the shipped one: {% extends \"receipt.html\" %} does not work "
                                     "for the same name; copy the shipped template and change it.")}

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def _check(self, item):
        from builder.documents.render import TEMPLATE_DIR, check_template

        if not (TEMPLATE_DIR / (item.name or "")).is_file() or item.name.startswith("_"):
            raise ValueError(str(_("No shipped template has this name.")))
        problem = check_template(item.html or "")
        if problem:
            raise ValueError(problem)
        item.updated_by = g.user.username if g.user else None
