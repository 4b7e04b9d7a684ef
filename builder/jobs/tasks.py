"""The jobs. Each takes ids, reloads its state and is idempotent."""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from builder.documents.render import render_pdf
from builder.extensions import db
from builder.forms.display import sections
from builder.models import Document, Dossier
from builder.plugins import notifiers, plugin_manager
from builder.process.statuses import status_label
from builder.providers import Notification
from builder.storage import store_bytes

log = logging.getLogger(__name__)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def save_document(dossier: Dossier, kind: str, pdf: bytes) -> Document:
    """Keep one document per kind: a rerun replaces the record, never adds one."""
    digest = store_bytes(pdf)
    document = db.session.scalar(
        select(Document).where(Document.dossier_id == dossier.id, Document.kind == kind)
    )
    if document is None:
        document = Document(dossier_id=dossier.id, kind=kind)
        db.session.add(document)
    document.sha256, document.size = digest, len(pdf)
    return document


def render_form_pdf(dossier_id: int) -> None:
    """The filled declaration form of a submitted dossier, as a PDF."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.code is None:
        return
    package = dossier.version.package
    form = package["form"]
    when = (dossier.submitted_at or dossier.created_at).astimezone(VIETNAM)
    with force_locale("vi"):
        pdf = render_pdf(
            "form.html",
            title=form["schema"].get("title", package["name"]),
            procedure_name=package["name"],
            code=dossier.code,
            agency=dossier.agency,
            sections=sections(form["schema"], dossier.data, form.get("ui")),
            applicant_name=dossier.applicant_name,
            place=dossier.agency.name,
            signed_on=f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}",
            footer=f"{dossier.code} · nộp trực tuyến lúc {when:%H:%M %d/%m/%Y}",
        )
    save_document(dossier, "form", pdf)
    db.session.commit()


def notify_submitted(dossier_id: int) -> None:
    """Tell plugins and the applicant that a dossier was submitted."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        return
    app = current_app._get_current_object()
    plugin_manager(app).hook.dossier_submitted(app=app, dossier=dossier)
    _notify_applicant(dossier)


def notify_status_changed(dossier_id: int, from_status: int | None, to_status: int) -> None:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        return
    app = current_app._get_current_object()
    plugin_manager(app).hook.dossier_status_changed(
        app=app, dossier=dossier, from_status=from_status, to_status=to_status
    )
    _notify_applicant(dossier)


def _notify_applicant(dossier: Dossier) -> None:
    with force_locale("vi"):
        notification = Notification(
            to_email=dossier.applicant_email,
            to_phone=dossier.applicant_phone,
            subject=_("Dossier %(code)s: %(status)s", code=dossier.code,
                      status=status_label(dossier.status)),
            body=_(
                "Your dossier %(code)s (%(procedure)s) is now: %(status)s.",
                code=dossier.code,
                procedure=dossier.procedure.name,
                status=status_label(dossier.status),
            ),
            dossier_code=dossier.code,
            meta={"status": dossier.status},
        )
    for notifier in notifiers().values():
        if notifier.check_config():
            continue  # not configured: the admin page says so
        notifier.send(notification)
