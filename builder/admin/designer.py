"""The process designer: the steps of a service's process as an editable
list (name, role, national status, time budget, actions and where they lead),
reordered by position numbers, with the graph drawn beside it. No code and no
JavaScript needed; the draft is checked like any package before it is saved,
and the BPMN file can be downloaded or uploaded for a modeller."""
from __future__ import annotations

import copy
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select

from builder.database import write_transaction
from builder.extensions import db
from builder.forms.package import package_errors, save_draft
from builder.models import Agency, Procedure
from builder.process.diagram import ROLE_LABELS, process_svg
from builder.process.statuses import STATUS_LABELS
from builder.security import is_admin, profile_of

ACTION_LINE = re.compile(r"^\s*([a-z_]+)\s*(?:(?:->|→)\s*([a-z][a-z0-9_]*))?\s*(?:\[\s*(Desk|Officer|Leader)\s*\])?\s*$")
UNITS = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ làm việc"}


class CsrfForm(FlaskForm):
    """Only the CSRF token: the step fields are read from the request."""


def actions_text(actions: list[dict]) -> str:
    return "\n".join(a["action"] + (f" -> {a['to']}" if a.get("to") else "") +
                     (f" [{a['role']}]" if a.get("role") else "") for a in actions)


def parse_actions(text: str) -> tuple[list[dict], list[str]]:
    actions, bad = [], []
    for line in filter(None, (part.strip() for part in re.split(r"[\n,;]", text or ""))):
        match = ACTION_LINE.match(line)
        if not match:
            bad.append(line)
            continue
        action = {"action": match.group(1)}
        if match.group(2):
            action["to"] = match.group(2)
        if match.group(3):
            action["role"] = match.group(3)
        actions.append(action)
    return actions, bad


def steps_from_form(form) -> tuple[list[dict], dict[str, list[str]]]:
    rows, errors = [], {}
    indexes = sorted({int(k.split("-")[1]) for k in form if re.match(r"^step-\d+-id$", k)})
    for i in indexes:
        get = lambda name: (form.get(f"step-{i}-{name}") or "").strip()  # noqa: E731
        if get("remove") or not (get("id") or get("name")):
            continue
        step = {"id": get("id"), "name": get("name")}
        try:
            step["status"] = int(get("status"))
        except ValueError:
            step["status"] = 0
        if get("role"):
            step["role"] = get("role")
        if get("duration_value"):
            try:
                step["duration"] = {"value": float(get("duration_value").replace(",", ".")),
                                    "unit": get("duration_unit") or "working_days"}
                if step["duration"]["value"].is_integer():
                    step["duration"]["value"] = int(step["duration"]["value"])
            except ValueError:
                errors[f"step {get('id') or i}"] = [_("The time budget must be a number.")]
        step["actions"], bad = parse_actions(get("actions"))
        if bad:
            errors[f"step {get('id') or i}"] = [_("Cannot read the action lines: %(lines)s", lines="; ".join(bad))]
        try:
            position = float(get("position") or i)
        except ValueError:
            position = i
        rows.append((position, i, step))
    return [step for _, _, step in sorted(rows)], errors


def editable_procedures(user) -> list[Procedure]:
    """The services a designer may change: their agency's and those below it
    (an admin: all)."""
    query = select(Procedure).order_by(Procedure.name)
    if not is_admin(user):
        profile = profile_of(user)
        if profile is None or profile.agency_id is None:
            return []
        ids = Agency.subtree_ids(db.session, profile.agency_id)
        query = query.where(Procedure.agency_id.in_(ids))
    return list(db.session.scalars(query))


class ProcessDesignerView(BaseView):
    route_base = "/thiet-ke"
    default_view = "procedures"

    def _editable(self):
        return editable_procedures(g.user)

    @expose("/")
    @has_access
    def procedures(self):
        return self.render_template("designer/procedures.html", procedures=self._editable())

    @expose("/<code>/quy-trinh", methods=["GET", "POST"])
    @has_access
    def process(self, code: str):
        procedure = next((p for p in self._editable() if p.code == code), None)
        if procedure is None:
            abort(404)
        package = copy.deepcopy(procedure.draft or procedure.current_version.package)
        form, errors = CsrfForm(), {}
        steps = package["process"]["steps"]
        if request.method == "POST":
            if not form.validate_on_submit():
                flash(_("The form has expired; please try again."), "danger")
                return redirect(url_for("ProcessDesignerView.process", code=code))
            steps, errors = steps_from_form(request.form)
            package["process"]["steps"] = steps
            if not errors:
                errors = {k: v for k, v in package_errors(package).items()}
            if not errors:
                with write_transaction() as session:
                    save_draft(session, package)
                flash(_("The draft of the process is saved; publish it to use it."), "success")
                return redirect(url_for("ProcessDesignerView.process", code=code))
        diagram = Markup(process_svg({"steps": steps})) if steps and not errors else None
        return self.render_template(
            "designer/process.html", procedure=procedure, steps=steps, errors=errors, form=form,
            diagram=diagram, roles=ROLE_LABELS, statuses=STATUS_LABELS, units=UNITS,
            actions_text=actions_text,
        )
