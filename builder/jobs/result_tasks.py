"""The job that issues a dossier's result after its approval committed: the
files the leader attached, or the package's result template rendered, become
documents of kind ``result`` (``result-2``, ... for more files) through
:func:`builder.jobs.tasks.save_document`; then plugins hear of it through
``dossier_result_issued``. Idempotent: a rerun saves the same documents again
and makes no second one."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app
from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from builder import storage
from builder.extensions import db
from builder.models import Document, Dossier, HistoryEntry
from builder.plugins import plugin_manager
from builder.process.results import RESULT_KIND, result_kind, result_template
from builder.process.calendar import VIETNAM



def issue_results(dossier_id: int, entry_id: int) -> None:
    """Store the result of the approval ``entry_id`` as the dossier's
    result documents, commit, and call ``dossier_result_issued``."""
    from builder.jobs.tasks import save_document

    dossier = db.session.get(Dossier, dossier_id)
    entry = db.session.get(HistoryEntry, entry_id)
    if dossier is None or entry is None or entry.dossier_id != dossier.id:
        return
    details = entry.details or {}
    documents: list[Document] = []
    if details.get("result") == "attached":
        for index, file in enumerate(details["results"]):
            document = save_document(dossier, result_kind(index), storage.read_bytes(file["sha256"]))
            document.title = file["filename"]
            documents.append(document)
    elif details.get("result") == "template":
        source = result_template(dossier.version.package)
        if source is None:  # the version is frozen; this cannot change after the approval
            return
        document = save_document(dossier, RESULT_KIND, render_result(source, dossier, entry))
        document.title = f"{dossier.version.package['name']} - {dossier.code}.pdf"
        documents.append(document)
    else:
        return
    db.session.commit()
    app = current_app._get_current_object()
    plugin_manager(app).hook.dossier_result_issued(app=app, dossier=dossier, documents=documents)


@lru_cache(maxsize=1)
def _sandbox() -> SandboxedEnvironment:
    """A designer's template runs sandboxed: it may extend the shipped
    ``_base.html`` and read its context, nothing else of Python."""
    from builder.documents.render import TEMPLATE_DIR

    return SandboxedEnvironment(loader=FileSystemLoader(str(TEMPLATE_DIR)),
                                autoescape=select_autoescape(["html"], default_for_string=True),
                                trim_blocks=True, lstrip_blocks=True)


def render_result(source: str, dossier: Dossier, entry: HistoryEntry) -> bytes:
    """The package's result template as a PDF. Its context: ``code``,
    ``data`` (the form), ``applicant``, ``procedure``, ``agency``, ``signer``
    (the approving leader), ``comment``, ``approved_on`` and ``approved_at``."""
    from builder.documents.render import font_dir, html_to_pdf

    fonts = font_dir()
    at = entry.at.astimezone(VIETNAM)
    agency = entry.agency or dossier.agency
    html = _sandbox().from_string(source).render(
        font_dir=fonts,
        code=dossier.code,
        data=dossier.data,
        applicant={"name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                   "phone": dossier.applicant_phone, "email": dossier.applicant_email},
        procedure=dossier.version.package["name"],
        agency={"name": agency.name, "code": agency.code},
        signer=entry.actor_name,
        comment=entry.comment or "",
        approved_on=f"ngày {at.day:02d} tháng {at.month:02d} năm {at.year}",
        approved_at=at.strftime("%H:%M %d/%m/%Y"),
    )
    return html_to_pdf(html, fonts)
