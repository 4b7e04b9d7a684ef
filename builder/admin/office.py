"""The one-stop office in the browser: the work queue of a person and of their
unit, and the dossier page with its form data, files, history, documents and
the actions the person may take now. Server-rendered, works without JavaScript."""
from __future__ import annotations

from datetime import date

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from builder.delivery import delivery_view
from builder.errors import BuilderError
from builder.extensions import db
from builder.forms.display import sections
from builder.inputs import whole_number
from builder.models import Agency, Procedure, UserProfile
from builder.process import dossiers as service
from builder.process import statuses
from builder.process.action_labels import ACTION_LABELS, action_label
from builder.process.engine import available_actions, perform
from builder.signatures import signature_summary
from builder.process.results import ResultFile



class ActionForm(FlaskForm):
    action = HiddenField()
    comment = TextAreaField(validators=[Optional()])
    assignee = SelectField(choices=[], validators=[Optional()], validate_choice=False)
    to_agency = SelectField(choices=[], validators=[Optional()], validate_choice=False)
    transfer_days = StringField(validators=[Optional()])
    new_due_date = DateField(validators=[Optional()])
    amount = StringField(validators=[Optional()])


POSTAL_ADDRESS_PARTS = ("province", "commune", "street", "name", "phone")


def _desk_delivery(posted) -> dict:
    """The result's delivery from the desk's page: by post, with the postal
    address typed (portal/_delivery_address.html); left out when none of it
    is, so the check says it is missing."""
    method = posted.get("delivery") or "desk"
    address = {k: posted.get(f"delivery-address-{k}", "").strip() for k in POSTAL_ADDRESS_PARTS}
    if method != "post" or not any(address[k] for k in POSTAL_ADDRESS_PARTS[:3]):
        return {"method": method}
    return {"method": method, "address": {k: v for k, v in address.items() if v}}


def _officers(agency_id: int) -> list[tuple[str, str]]:
    sm = current_app.appbuilder.sm
    profiles = db.session.scalars(select(UserProfile).where(UserProfile.agency_id == agency_id,
                                                            UserProfile.kind == "staff"))
    choices = []
    for profile in profiles:
        user = db.session.get(sm.user_model, profile.user_id)
        if user is not None and any(r.name == "Officer" for r in user.roles):
            choices.append((user.username, profile.full_name))
    return choices


class OfficeView(BaseView):
    route_base = "/mot-cua"
    default_view = "queue"

    @expose("/tiep-nhan", methods=["GET", "POST"])
    @has_access
    def desk(self):
        """The desk registers a paper dossier: the applicant, the components
        received, their scans; then the dossier page with its receipt."""
        from builder.process.desk import register_paper_dossier
        from builder.process.dossiers import add_attachment

        form = ActionForm()
        procedures = db.session.scalars(select(Procedure).where(Procedure.current_version_id.is_not(None))
                                        .order_by(Procedure.name)).all()
        chosen = next((p for p in procedures if p.code == request.values.get("procedure")), None)
        errors: dict = {}
        if request.method == "POST" and chosen is not None and "register" in request.form:
            if not form.validate_on_submit():
                flash(_("The form has expired; please try again."), "danger")
                return redirect(url_for("OfficeView.desk", procedure=chosen.code))
            body = {
                "procedure": chosen.code,
                "applicant": {key: request.form.get(key, "").strip() or None
                              for key in ("name", "id_number", "phone", "email", "address")},
                "components": request.form.getlist("components"),
                "delivery": _desk_delivery(request.form),
            }
            body["applicant"]["name"] = body["applicant"]["name"] or ""
            try:
                dossier = register_paper_dossier(g.user, body)
                for component in body["components"]:
                    upload = request.files.get(f"scan-{component}")
                    if upload is not None and upload.filename:
                        add_attachment(g.user, dossier, component, upload)
                flash(_("Received: %(code)s. The receipt is being printed.", code=dossier.code), "success")
                return redirect(url_for("OfficeView.dossier", code=dossier.code))
            except BuilderError as error:
                errors = error.extra.get("errors") or {"": [error.message]}
        return self.render_template(
            "office/desk.html", form=form, procedures=procedures, chosen=chosen,
            package=chosen.current_version.package if chosen else None, errors=errors, values=request.form,
            address={k: request.form.get(f"delivery-address-{k}", "") for k in POSTAL_ADDRESS_PARTS},
            address_errors={path[len("delivery.address."):]: messages for path, messages in errors.items()
                            if path == "delivery.address" or path.startswith("delivery.address.")})

    @expose("/ho-so")
    @has_access
    def queue(self):
        status = request.args.get("status")
        due = request.args.get("due") if request.args.get("due") in ("soon", "overdue") else None
        total, items = service.list_dossiers(
            g.user, whole_number(status, maximum=10),
            max(1, request.args.get("page", 1, type=int)), per_page=25,
            procedure=request.args.get("procedure") or None, due=due, mine=request.args.get("mine") == "1",
        )
        procedures = db.session.scalars(select(Procedure).where(Procedure.current_version_id.is_not(None))
                                        .order_by(Procedure.name)).all()
        return self.render_template(
            "office/queue.html", items=items, total=total, args=request.args,
            statuses=statuses.STATUS_LABELS, procedures=procedures, status_label=statuses.status_label)

    @expose("/ho-so/<code>", methods=["GET", "POST"])
    @has_access
    def dossier(self, code: str):
        form = ActionForm()
        if request.method == "POST":
            if form.validate_on_submit():
                body = {"action": form.action.data, "comment": form.comment.data or None}
                if form.action.data == "assign":
                    body["assignee"] = form.assignee.data
                if form.action.data == "transfer":
                    body["to_agency"] = form.to_agency.data
                    days = whole_number(form.transfer_days.data)
                    if days is not None:
                        body["duration"] = {"value": days, "unit": "working_days"}
                if form.action.data == "apologize":
                    body["new_due_date"] = form.new_due_date.data.isoformat() if form.new_due_date.data else None
                if form.action.data == "request_payment" and (form.amount.data or "").strip():
                    digits = form.amount.data.replace(".", "").replace(",", "").strip()
                    amount = whole_number(digits)
                    body["amount"] = amount if amount is not None else form.amount.data
                files = [ResultFile(f.filename, f.read()) for f in request.files.getlist("results") if f.filename]
                try:
                    perform(g.user, code, body, result_files=files)
                    flash(_("Done: %(action)s.", action=action_label(form.action.data)), "success")
                except BuilderError as error:
                    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.extra.get("errors", {}).items())
                    flash(f"{error.message} {details}".strip(), "danger")
            else:
                flash(_("The form has expired; please try again."), "danger")
            return redirect(url_for("OfficeView.dossier", code=code))
        try:
            dossier = service.find_dossier(g.user, code)
        except BuilderError:
            flash(_("No dossier %(code)s.", code=code), "danger")
            return redirect(url_for("OfficeView.queue"))
        package = dossier.version.package
        handling = dossier.handling_agency or dossier.agency
        form.assignee.choices = _officers(handling.id)
        form.to_agency.choices = [(a.code, a.name) for a in db.session.scalars(
            select(Agency).where(Agency.id != handling.id).order_by(Agency.name))]
        return self.render_template(
            "office/dossier.html", dossier=dossier, form=form,
            data_sections=sections(package["form"]["schema"], dossier.data, package["form"].get("ui")),
            components={c["id"]: c["name"] for c in package.get("components", [])},
            actions=available_actions(g.user, dossier), labels={action: action_label(action) for action in ACTION_LABELS},
            status_label=statuses.status_label, today=date.today(), signature_line=signature_summary,
            delivery=delivery_view(dossier, staff=True),
        )
