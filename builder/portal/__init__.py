"""The citizen-facing pages: server-rendered, usable without JavaScript."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_appbuilder import IndexView, expose
from sqlalchemy import select

from builder.extensions import db
from builder.forms.package import fold
from builder.models import Dossier, Procedure
from builder.process.dossiers import lookup_dict

portal = Blueprint("portal", __name__, url_prefix="/dich-vu", template_folder="templates")


def published_procedures(text: str = ""):
    query = select(Procedure).where(Procedure.current_version_id.is_not(None))
    for word in fold(text).split():
        query = query.where(Procedure.search_name.contains(word, autoescape=True))
    return list(db.session.scalars(query.order_by(Procedure.name).limit(100)))


class PortalIndexView(IndexView):
    """The home page: find a service, follow a dossier."""

    index_template = "portal/index.html"

    @expose("/")
    def index(self):
        text = request.args.get("q", "")
        return self.render_template(
            self.index_template, procedures=published_procedures(text), q=text
        )


@portal.route("/<code>")
def procedure_page(code: str):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or procedure.current_version is None:
        abort(404)
    from flask import current_app

    return render_template(
        "portal/procedure.html",
        procedure=procedure,
        package=procedure.current_version.package,
        appbuilder=current_app.appbuilder,
        base_template=current_app.appbuilder.base_template,
    )


@portal.route("/tra-cuu")
def lookup():
    from flask import current_app

    code = request.args.get("code", "").strip()
    found = None
    if code:
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        found = lookup_dict(dossier) if dossier else False
    return render_template(
        "portal/lookup.html", code=code, found=found,
        appbuilder=current_app.appbuilder, base_template=current_app.appbuilder.base_template,
    )


@portal.route("/")
def catalogue():
    return redirect(url_for("PortalIndexView.index", q=request.args.get("q", "")))
