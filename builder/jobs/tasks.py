"""The jobs. Each takes ids, reloads its state and is idempotent."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from builder.documents.render import render_pdf
from builder.extensions import db
from builder.forms.display import sections
from builder.models import Document, Dossier
from builder.plugins import notifiers, plugin_manager
from builder.process.action_labels import action_label
from builder.process.statuses import status_label
from builder.providers import Notification
from builder.storage import store_bytes
from builder.process.calendar import VIETNAM

log = logging.getLogger(__name__)


# the applicant's own declaration is theirs, not the agency's: not sealed
UNSEALED_KINDS = ("form",)


def save_document(dossier: Dossier, kind: str, pdf: bytes) -> Document:
    """Keep one document per kind: a rerun replaces the record, never adds one.
    The agency's documents are sealed with its certificate first, when it has
    one (SIGNING_IDENTITIES): a result by the agency handling the dossier,
    the one-stop documents by the receiving agency."""
    from builder.signatures import seal_document

    if kind not in UNSEALED_KINDS:
        agency = (dossier.handling_agency or dossier.agency) if kind == "result" else dossier.agency
        pdf = seal_document(agency, pdf)
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


KIND_LABELS = {"original": "Bản chính", "certified_copy": "Bản sao chứng thực", "copy": "Bản sao"}
UNIT_LABELS = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ làm việc"}
RETURN_PLACES = {
    "online": "Trả kết quả trực tuyến (bản điện tử có chữ ký số)",
    "desk": "Tại Bộ phận Một cửa - {agency}",
    "post": "Qua dịch vụ bưu chính công ích",
}


def _vn_time(instant) -> str:
    return instant.astimezone(VIETNAM).strftime("%H giờ %M phút, ngày %d/%m/%Y") if instant else ""


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def render_receipt(dossier_id: int) -> None:
    """Document 01: the receipt with the promised return date, the dossier
    code as a barcode and a QR code that opens the public lookup."""
    from builder.documents.codes import barcode_uri, qr_uri
    from builder.models import HistoryEntry

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.received_at is None:
        return
    package = dossier.version.package
    receive = db.session.scalar(
        select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id, HistoryEntry.action == "receive")
        .order_by(HistoryEntry.id.desc()).limit(1))
    # a paper dossier lists what the desk received; an online one what was attached
    attached = set((receive.details or {}).get("components_received", [])) if receive else set()
    attached |= {a.component for a in dossier.attachments}
    components = [
        {"name": c["name"], "kind": KIND_LABELS[c["kind"]], "quantity": c["quantity"]}
        for c in package.get("components", []) if c["id"] in attached
    ]
    fees = sum(f["amount"] for f in package.get("fees", []))
    receiver = receive.actor_name if receive else None
    method = (dossier.delivery or {}).get("method", "desk")
    lookup = current_app.config["PUBLIC_URL"].rstrip("/") + "/dich-vu/tra-cuu?code=" + dossier.code
    time_limit = package["processing_time"]
    pdf = render_pdf(
        "receipt.html",
        agency=dossier.agency,
        code=dossier.code,
        barcode=barcode_uri(dossier.code),
        qr=qr_uri(lookup),
        applicant={"name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                   "phone": dossier.applicant_phone, "email": dossier.applicant_email, "address": None},
        procedure=package["name"],
        components=components,
        fee=_money(fees) if fees else "Không thu phí, lệ phí",
        duration=f"{time_limit['value']:g} {UNIT_LABELS[time_limit['unit']]}",
        received=_vn_time(dossier.received_at),
        due=_vn_time(dossier.due_at),
        return_place=RETURN_PLACES.get(method, RETURN_PLACES["desk"]).format(agency=dossier.agency.name),
        officer=receiver or "",
    )
    save_document(dossier, "receipt", pdf)
    db.session.commit()


NOTICES = {  # kind: (form number, who signs)
    "supplement_request": ("Mẫu số 02", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
    "refusal": ("Mẫu số 03", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
    "apology": ("Mẫu số 04", "THỦ TRƯỞNG CƠ QUAN"),
}


def _vn_date(instant) -> str:
    return instant.astimezone(VIETNAM).strftime("%d/%m/%Y") if instant else ""


def render_notice(dossier_id: int, kind: str, entry_id: int) -> None:
    """Documents 02 (supplement request), 03 (refusal), 04 (apology), from
    the history entry of the action that called for them."""
    from builder.models import HistoryEntry

    dossier = db.session.get(Dossier, dossier_id)
    entry = db.session.get(HistoryEntry, entry_id)
    if dossier is None or entry is None:
        return
    form_number, signer_title = NOTICES[kind]
    agency = entry.agency or dossier.agency
    at = entry.at.astimezone(VIETNAM)
    details = entry.details or {}
    pdf = render_pdf(
        f"{kind}.html",
        agency=agency,
        unit=None,
        place_date=f"ngày {at.day:02d} tháng {at.month:02d} năm {at.year}",
        code=dossier.code,
        applicant={"name": dossier.applicant_name, "id_number": dossier.applicant_id_number},
        procedure=dossier.version.package["name"],
        comment=entry.comment or "",
        submitted_on=_vn_date(dossier.submitted_at),
        received_on=_vn_date(dossier.received_at),
        old_due=_vn_time(datetime.fromisoformat(details["old_due_at"])) if "old_due_at" in details else "",
        new_due=_vn_time(datetime.fromisoformat(details["new_due_at"])) if "new_due_at" in details else "",
        signer_title=signer_title,
        signer=entry.actor_name,
        form_number=form_number,
    )
    save_document(dossier, kind, pdf)
    db.session.commit()


def render_control_sheet(dossier_id: int) -> None:
    """Document 05: one row per hand-over, rendered again after each action."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.code is None:
        return
    rows = []
    with force_locale("vi"):  # a document of record, in Vietnamese
        actions = {entry.id: action_label(entry.action) for entry in dossier.history}
    for entry in dossier.history:
        late = entry.step_due_at is not None and entry.at > entry.step_due_at
        rows.append({
            "agency": entry.agency.name if entry.agency else "Người nộp hồ sơ",
            "at": _vn_time(entry.at),
            "action": actions[entry.id],
            "actor": entry.actor_name,
            "step_due": _vn_time(entry.step_due_at),
            "timeliness": "Quá hạn" if late else "Đúng hạn",
            "comment": entry.comment or "",
        })
    pdf = render_pdf(
        "control_sheet.html", agency=dossier.agency, code=dossier.code,
        applicant={"name": dossier.applicant_name}, procedure=dossier.version.package["name"],
        received=_vn_time(dossier.received_at), due=_vn_time(dossier.due_at), rows=rows,
    )
    save_document(dossier, "control_sheet", pdf)
    db.session.commit()


def notify_submitted(dossier_id: int) -> None:
    """Tell plugins and the applicant that a dossier was submitted."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        return
    from builder.delivery import on_submitted

    on_submitted(dossier_id)  # a paper dossier sent by post: its postal order, once
    app = current_app._get_current_object()
    plugin_manager(app).hook.dossier_submitted(app=app, dossier=dossier)
    _notify_applicant(dossier, dossier.status)


def notify_status_changed(dossier_id: int, from_status: int | None, to_status: int) -> None:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        return
    from builder.delivery import on_status_changed

    on_status_changed(dossier_id, to_status)  # a result posted: its postal order, once
    app = current_app._get_current_object()
    plugin_manager(app).hook.dossier_status_changed(
        app=app, dossier=dossier, from_status=from_status, to_status=to_status
    )
    _notify_applicant(dossier, to_status)


def _notify_applicant(dossier: Dossier, status: int) -> None:
    """One job per notifier that is configured and can reach the applicant,
    so a notifier that fails (the SMTP server down) is retried alone and the
    others do not send twice."""
    from builder.database import write_transaction
    from builder.jobs.queue import enqueue
    from builder.providers.notification import CHANNEL_EMAIL, CHANNEL_SMS

    address = {CHANNEL_EMAIL: dossier.applicant_email, CHANNEL_SMS: dossier.applicant_phone}
    names = [name for name, notifier in notifiers().items()
             if not notifier.check_config()  # not configured: the admin page says so
             and address.get(notifier.channel, True)]
    with write_transaction():
        for name in names:
            enqueue("builder.jobs.tasks.send_notification", dossier.id, name, status)


def send_notification(dossier_id: int, notifier_name: str, status: int) -> None:
    """Tell the applicant through one notifier that their dossier reached
    ``status``; raises (and is retried) when the notifier fails."""
    dossier = db.session.get(Dossier, dossier_id)
    notifier = notifiers().get(notifier_name)
    if dossier is None or notifier is None:
        log.warning("notification of dossier %s through %s dropped: %s", dossier_id, notifier_name,
                    "no such dossier" if dossier is None else "no such notifier")
        return
    notifier.send(applicant_notification(dossier, status))


def _status_entry(dossier: Dossier, status: int):
    from builder.models import HistoryEntry

    return db.session.scalar(
        select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id, HistoryEntry.to_status == status)
        .order_by(HistoryEntry.id.desc()).limit(1))


def _amount_due(dossier: Dossier) -> int:
    """The amount an officer asked for (status 6), else the service's fees."""
    from builder.process.payments import amount_due

    return amount_due(dossier)


def applicant_notification(dossier: Dossier, status: int) -> Notification:
    """What the applicant is told when their dossier reaches ``status``, in
    Vietnamese: what happened, the status, the due date, what they must do
    (supplement, pay, collect the result) and where to follow the dossier."""
    from builder.process import statuses as S

    base = current_app.config["PUBLIC_URL"].rstrip("/")
    lookup = f"{base}/dich-vu/tra-cuu?code={dossier.code}"
    page = f"{base}/dich-vu/ho-so/{dossier.code}"
    entry = _status_entry(dossier, status)
    with force_locale("vi"):
        label = status_label(status)
        lines = [_("Dear %(name)s,", name=dossier.applicant_name), ""]
        lines.append(_("Your dossier %(code)s (%(procedure)s) now has the status: %(status)s.",
                       code=dossier.code, procedure=dossier.procedure.name, status=label))
        if entry is not None:
            action = action_label(entry.action)
            lines.append(_("What happened: %(action)s by %(agency)s, at %(at)s.", action=action,
                           agency=entry.agency.name, at=_vn_time(entry.at)) if entry.agency else
                         _("What happened: %(action)s, at %(at)s.", action=action, at=_vn_time(entry.at)))
            if entry.comment:
                lines.append(_("Note of the agency: %(comment)s", comment=entry.comment))
        due = _vn_time(dossier.due_at)
        short_due = _vn_date(dossier.due_at)
        todo, short_todo = None, None
        if status == S.SUPPLEMENT_REQUESTED:
            todo = _("What you must do: supplement the dossier with everything listed above. Sign in, "
                     "open the dossier at %(url)s, attach the missing documents and send the supplement. "
                     "The processing time is paused and starts again from zero once the dossier is "
                     "complete.", url=page)
            short_todo = _("Please supplement the dossier.")
        elif status == S.AWAITING_PAYMENT:
            amount = _money(_amount_due(dossier))
            todo = _("What you must do: pay the fees of %(amount)s. Sign in and open the dossier at "
                     "%(url)s to pay online, or pay at the one-stop desk. The processing time is "
                     "paused until the payment is received.", amount=amount, url=page)
            short_todo = _("Please pay %(amount)s.", amount=amount)
        elif status == S.PROCESSED:
            method = (dossier.delivery or {}).get("method", "desk")
            todo = _("The result is ready. It is returned: %(place)s.",
                     place=RETURN_PLACES.get(method, RETURN_PLACES["desk"]).format(agency=dossier.agency.name))
        elif due and status in (S.SUBMITTED, S.RECEIVED, S.PROCESSING):
            lines.append(_("The result is due on %(due)s.", due=due))
        if todo:
            lines += ["", todo]
        lines += ["", _("Follow the dossier: %(url)s", url=lookup), "",
                  _("This message was sent automatically by %(agency)s; please do not reply to it.",
                    agency=dossier.agency.name)]
        short = _("Dossier %(code)s: %(status)s.", code=dossier.code, status=label)
        if short_todo:
            short += " " + short_todo
        elif short_due and status in (S.RECEIVED, S.PROCESSING):
            short += " " + _("Due %(date)s.", date=short_due)
        return Notification(
            to_email=dossier.applicant_email,
            to_phone=dossier.applicant_phone,
            subject=_("Dossier %(code)s: %(status)s", code=dossier.code, status=label),
            body="\n".join(lines),
            dossier_code=dossier.code,
            meta={"status": status},
            short=short,
            url=page,
        )


def notify_deadline(dossier_id: int, kind: str) -> None:
    """Tell the staff handling a dossier that it is due soon or overdue."""
    from builder.models import UserProfile

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        return
    agency = dossier.handling_agency or dossier.agency
    sm = current_app.appbuilder.sm
    staff = db.session.scalars(select(UserProfile).where(UserProfile.agency_id == agency.id,
                                                         UserProfile.kind == "staff")).all()
    due = _vn_time(dossier.due_at)
    with force_locale("vi"):
        subject = (_("Dossier %(code)s is overdue (due %(due)s)", code=dossier.code, due=due) if kind == "overdue"
                   else _("Dossier %(code)s is due soon (%(due)s)", code=dossier.code, due=due))
    senders = [n for n in notifiers().values() if not n.check_config()]
    for profile in staff:
        user = sm.get_user_by_id(profile.user_id)
        if user is None or not user.active:
            continue
        email = profile.email or (user.email if not user.email.endswith("@users.invalid") else None)
        note = Notification(to_email=email, to_phone=profile.phone, subject=subject, body=subject,
                            dossier_code=dossier.code, meta={"kind": kind, "staff": user.username})
        for notifier in senders:
            notifier.send(note)


def render_register(agency_id: int, year: int) -> None:
    """Document 06: the desk's register of the dossiers it received in a year,
    A4 landscape, one row per dossier."""
    from datetime import date as _date, time as _time

    from builder.models import Agency, AgencyDocument
    from builder.process.statuses import status_label

    agency = db.session.get(Agency, agency_id)
    if agency is None:
        return
    start = datetime.combine(_date(year, 1, 1), _time(0), VIETNAM)
    end = datetime.combine(_date(year + 1, 1, 1), _time(0), VIETNAM)
    dossiers = db.session.scalars(
        select(Dossier).where(Dossier.agency_id == agency_id, Dossier.received_at >= start,
                              Dossier.received_at < end).order_by(Dossier.received_at, Dossier.id))
    rows = [{
        "code": d.code, "procedure": d.procedure.name, "applicant": d.applicant_name,
        "contact": d.applicant_phone or d.applicant_email or "",
        "handler": (d.handling_agency or d.agency).name, "received": _vn_date(d.received_at),
        "due": _vn_date(d.due_at), "forwarded": _vn_date(d.received_at),
        "resolved": _vn_date(d.resolved_at), "returned": _vn_date(d.returned_at),
        "status": status_label(d.status),
    } for d in dossiers]
    pdf = render_pdf("register.html", agency=agency, year=year, rows=rows)
    digest = store_bytes(pdf)
    record = db.session.scalar(select(AgencyDocument).where(
        AgencyDocument.agency_id == agency_id, AgencyDocument.kind == "register",
        AgencyDocument.period == str(year)))
    if record is None:
        record = AgencyDocument(agency_id=agency_id, kind="register", period=str(year))
        db.session.add(record)
    record.sha256, record.size = digest, len(pdf)
    db.session.commit()
