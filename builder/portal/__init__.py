"""The citizen-facing pages: server-rendered, usable without JavaScript."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField

from builder.accounts import register_citizen
from builder.errors import BuilderError, InvalidData, NotFound
from builder.extensions import db
from builder.forms import addresses
from builder.forms.compiler import add_row, apply_errors, compile_form, data_to_form, form_to_data, remove_row
from builder.forms.display import Row, Section, sections
from builder.forms.package import fold
from builder.forms.validation import validate_data
from builder.inputs import whole_number
from builder.models import Dossier, Procedure
from builder.process import statuses
from builder.process.dossiers import (
    add_attachment, create_dossier, find_dossier, lookup_dict, published_procedure, submit_draft,
    update_draft,
)

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


@portal.route("/don-vi-hanh-chinh.json")
def administrative_units():
    """Provinces and their communes, for the address widget's inline script."""
    from flask import Response

    response = Response(addresses.units_json(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@portal.app_template_global("vn_provinces")
def _vn_provinces():
    return addresses.provinces()


@portal.app_template_global("vn_communes")
def _vn_communes(province_code):
    return addresses.communes(province_code or "")


@portal.route("/")
def catalogue():
    return redirect(url_for("PortalIndexView.index", q=request.args.get("q", "")))


# --- the online form -------------------------------------------------------------

def _page(template: str, **context):
    from flask import current_app

    return render_template(template, appbuilder=current_app.appbuilder,
                           base_template=current_app.appbuilder.base_template, **context)


def _version_key(version) -> str:
    # the same key the validator's cache uses (builder/process/dossiers.py)
    return f"version:{version.id}:{version.published_at.isoformat()}"


def _form_class(version):
    form = version.package["form"]
    return compile_form(form["schema"], form.get("ui"), cache_key=_version_key(version),
                        components=version.package.get("components"))


def _csrf_ok() -> bool:
    from flask import current_app
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _own_draft(procedure: Procedure, key: str | None) -> Dossier | None:
    if not key:
        return None
    try:
        dossier = find_dossier(current_user, str(key))
    except NotFound:
        abort(404)
    if (dossier.applicant_id != current_user.id or dossier.status != statuses.DRAFT
            or dossier.procedure_id != procedure.id):
        abort(404)
    return dossier


def _login_url(next_url: str) -> str:
    from flask import current_app

    return current_app.appbuilder.get_url_for_login_with(next_url) if next_url else (
        current_app.appbuilder.get_url_for_login)


def _to_login():
    return redirect(_login_url(request.full_path.rstrip("?")))


class _Outcome:
    """What the page shows besides the form: errors on the files, on the
    delivery method, on the postal address (by part, "" for the whole) and
    the paper dossier by post, and those that belong to no field."""

    def __init__(self) -> None:
        self.components: dict[str, list[str]] = {}
        self.delivery: list[str] = []
        self.address: dict[str, list[str]] = {}
        self.by_post: list[str] = []
        self.general: list[str] = []
        self.on_fields = False  # some errors were put on the form's fields

    def add(self, form, errors: dict[str, list[str]]) -> None:
        data_errors = {}
        for path, messages in errors.items():
            if path == "data" or path.startswith("data."):
                data_errors[path[5:]] = messages
            elif path.startswith("components."):
                self.components.setdefault(path.split(".", 1)[1], []).extend(messages)
            elif path == "delivery.address" or path.startswith("delivery.address."):
                self.address.setdefault(path[len("delivery.address."):], []).extend(messages)
            elif path == "delivery.dossier_by_post":
                self.by_post.extend(messages)
            elif path.startswith("delivery"):
                self.delivery.extend(messages)
            else:
                self.general.extend(messages)
        unplaced = apply_errors(form, data_errors) if data_errors else {}
        self.on_fields = self.on_fields or len(unplaced) < len(data_errors)
        for path, messages in unplaced.items():
            self.general.extend(messages)

    def __bool__(self) -> bool:
        return bool(self.components or self.delivery or self.address or self.by_post or self.general
                    or self.on_fields)


ADDRESS_PARTS = ("province", "commune", "street", "name", "phone")


class _Delivery:
    """How the applicant wants the result, as the form shows it: the method,
    the paper dossier by post (where the service allows it) and the postal
    address as typed; ``body()`` is the dossier's ``delivery``. The inputs
    are in portal/_delivery_address.html."""

    def __init__(self, package: dict, method: str | None, by_post: bool, address: dict) -> None:
        self.method, self.address = method, address
        self.offers_paper_by_post = bool((package.get("delivery") or {}).get("dossier_by_post"))
        self.by_post = by_post and self.offers_paper_by_post
        # with JavaScript, the address shows while one of these holds (show_if_script)
        by_post_result = "post" in package.get("delivery_methods", [])
        self.shown_when = ([["delivery_method", "post"]] if by_post_result else []) \
            + ([["delivery-dossier_by_post", "true"]] if self.offers_paper_by_post else [])

    @classmethod
    def of_draft(cls, package: dict, draft) -> "_Delivery":
        """The draft's choice; a new address starts with the applicant's name and phone."""
        from builder.security import profile_of

        saved = (draft.delivery if draft else None) or {}
        address = saved.get("address")
        if not isinstance(address, dict):
            profile = profile_of(current_user)
            address = {"name": profile.full_name, "phone": profile.phone} if profile else {}
        return cls(package, saved.get("method"), saved.get("dossier_by_post") is True,
                   {k: address[k] for k in ADDRESS_PARTS if isinstance(address.get(k), str)})

    @classmethod
    def posted(cls, package: dict) -> "_Delivery":
        return cls(package, request.form.get("delivery_method") or None,
                   request.form.get("delivery-dossier_by_post") == "true",
                   {k: request.form.get(f"delivery-address-{k}", "").strip() for k in ADDRESS_PARTS})

    def body(self) -> dict | None:
        """The ``delivery`` to save: the address only when something goes by
        post and some of it is typed (a name and phone alone are not one)."""
        if not self.method:
            return None
        body: dict = {"method": self.method}
        if self.by_post:
            body["dossier_by_post"] = True
        if (self.method == "post" or self.by_post) and any(self.address.get(k) for k in ADDRESS_PARTS[:3]):
            body["address"] = {k: v for k, v in self.address.items() if v}
        return body


def _delivery_problems(package: dict, body: dict | None, submitting: bool) -> dict[str, list[str]]:
    """What is wrong with the postal address or the paper dossier by post."""
    from builder.delivery import delivery_errors

    return delivery_errors(package, body, submitting) if body else {}


def _savable(body: dict | None, problems: dict[str, list[str]]) -> dict | None:
    """``body`` without its parts that have problems: the rest of the draft
    (its data, its files) is kept while the citizen corrects them."""
    if body is None:
        return None
    wrong = {path.split(".")[1] for path in problems if path.count(".") >= 1}
    return {k: v for k, v in body.items() if k not in wrong}


def _address_line(address: dict | None) -> str:
    """A postal address in words: street, commune, province."""
    if not isinstance(address, dict):
        return ""
    province = address.get("province") or ""
    commune = dict(addresses.communes(province)).get(address.get("commune"), address.get("commune"))
    return ", ".join(p for p in (address.get("street"), commune, dict(addresses.provinces()).get(province))
                     if p)


def _save(version, draft, data: dict, delivery: dict | None) -> Dossier:
    body = {"data": data, "submit": False}
    if delivery:
        body["delivery"] = delivery
    if draft is None:
        return create_dossier(current_user, {"procedure": version.procedure.code, **body})
    return update_draft(current_user, draft, body)


def _attach_uploads(dossier, package: dict, outcome: _Outcome) -> None:
    added = False
    for component in package.get("components", []):
        upload = request.files.get(f"component-{component['id']}")
        if upload is None or not upload.filename:
            continue
        try:
            add_attachment(current_user, dossier, component["id"], upload)
            added = True
        except BuilderError as error:
            outcome.components.setdefault(component["id"], []).append(str(error.message))
    if added:  # what is attached now is read again, not the list loaded before
        db.session.expire(dossier, ["attachments"])


@portal.route("/<code>/nop-ho-so", methods=["GET", "POST"])
def apply(code: str):
    if not current_user.is_authenticated:
        return _to_login()
    procedure = published_procedure(code)
    if procedure is None:
        abort(404)
    version = procedure.current_version
    package = version.package
    if package.get("level", 1) < 3:
        abort(404)
    form_class = _form_class(version)
    draft = _own_draft(procedure, request.values.get("ho_so"))
    if form_class._pages:
        return _apply_in_steps(procedure, version, form_class, draft)
    outcome = _Outcome()
    if request.method == "GET":
        form = data_to_form(form_class, draft.data if draft else {})
        return _render_apply(procedure, package, form, draft, outcome, _Delivery.of_draft(package, draft))

    form = form_class()  # parsed from the request, with everything as typed
    delivery = _Delivery.posted(package)
    if not _csrf_ok():
        outcome.general.append(_("The form has expired; please try again."))
        return _render_apply(procedure, package, form, draft, outcome, delivery), 400
    if request.form.get("add_row"):
        add_row(form, request.form["add_row"])
        return _render_apply(procedure, package, form, draft, outcome, delivery)
    if request.form.get("remove_row"):
        remove_row(form, request.form["remove_row"])
        return _render_apply(procedure, package, form, draft, outcome, delivery)
    if request.form.get("choose_province"):  # the commune list follows the province
        return _render_apply(procedure, package, form, draft, outcome, delivery)

    submitting = request.form.get("action") == "submit"
    data = form_to_data(form)
    body = delivery.body()
    if submitting:
        outcome.add(form, {f"data.{p}" if p else "data": m for p, m in validate_data(
            package["form"]["schema"], data, cache_key=_version_key(version)).items()})
        if body is None and package.get("delivery_methods"):
            outcome.delivery.append(_("Choose how to receive the result."))
    problems = _delivery_problems(package, body, submitting)
    outcome.add(form, problems)
    try:
        # the work is kept as a draft even when it cannot be submitted yet,
        # so the files attached now are not lost
        draft = _save(version, draft, data, _savable(body, problems))
    except InvalidData as error:
        if submitting:
            _missing_files(draft, package, outcome)
            outcome.add(form, {p: m for p, m in error.errors.items() if not p.startswith("data")})
        else:
            outcome.add(form, error.errors)
        return _render_apply(procedure, package, form, draft, outcome, delivery), 422
    except BuilderError as error:
        outcome.general.append(str(error.message))
        return _render_apply(procedure, package, form, draft, outcome, delivery), error.status
    _attach_uploads(draft, package, outcome)
    if not submitting:
        if outcome:
            return _render_apply(procedure, package, form, draft, outcome, delivery), 422
        flash(_("The draft is saved. You can come back to it later."), "success")
        return redirect(url_for("portal.apply", code=code, ho_so=draft.id))
    if not outcome:
        try:
            dossier = submit_draft(current_user, draft)
        except InvalidData as error:
            outcome.add(form, error.errors)
        except BuilderError as error:
            outcome.general.append(str(error.message))
        else:
            return redirect(url_for("portal.submitted", key=dossier.code, moi=1))
    else:
        _missing_files(draft, package, outcome)
    return _render_apply(procedure, package, form, draft, outcome, delivery), 422


def _missing_files(draft, package: dict, outcome: _Outcome, only=None) -> None:
    """Required documents with no file yet (of those in ``only``, if given),
    said beside their file inputs."""
    attached = {a.component for a in draft.attachments} if draft else set()
    for component in package.get("components", []):
        if only is not None and component["id"] not in only:
            continue
        if (component.get("required") and component["id"] not in attached
                and component["id"] not in outcome.components):
            outcome.components[component["id"]] = [_("Please attach: %(name)s.", name=component["name"])]


def _render_apply(procedure, package, form, draft, outcome, delivery: _Delivery):
    from builder.forms.compiler import error_summary

    labels = {"online": _("Online"), "desk": _("At the one-stop desk"), "post": _("By post")}
    return _page(
        "portal/apply.html", procedure=procedure, package=package, form=form, draft=draft,
        outcome=outcome, summary=error_summary(form) if outcome else [],
        components={c["id"]: c for c in package.get("components", [])},
        delivery_methods=[(m, labels.get(m, m)) for m in package.get("delivery_methods", [])],
        delivery_method=delivery.method, postal=delivery, **_files(form, draft, outcome),
    )


def _files(form, draft, outcome) -> dict:
    """The attachments so far and their errors, for the file inputs placed
    in the form (``files``) and in the list of documents (the rest)."""
    attached = {a.component: a for a in (draft.attachments if draft else [])}
    return {"attached": attached, "placed": form.components_placed(),
            "files": {"attached": attached, "errors": outcome.components}}


# --- the online form, one page at a time (``form.ui.pages``) ----------------------

REVIEW = "xem-lai"


def _step_of(value, pages) -> int | str:
    if value == REVIEW:
        return REVIEW
    try:
        step = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(step, 1), len(pages))


def _page_keys(form_class, names: list[str]) -> list[str]:
    """The data keys of a page's fields (its help texts and files hold none)."""
    return [form_class._info[n].key for n in names if n in form_class._info]


def _step_url(code: str, draft, step) -> str:
    return url_for("portal.apply", code=code, ho_so=draft.id, buoc=step)


def _apply_in_steps(procedure, version, form_class, draft):
    package = version.package
    pages = form_class._pages
    step = _step_of(request.values.get("buoc"), pages)
    data = dict(draft.data or {}) if draft else {}
    outcome = _Outcome()
    if request.method == "GET":
        if step == REVIEW:
            return _render_review(procedure, version, form_class, draft, outcome,
                                  _Delivery.of_draft(package, draft))
        return _render_step(procedure, package, data_to_form(form_class, data), draft, outcome, step)
    if not _csrf_ok():
        outcome.general.append(_("The form has expired; please try again."))
        return _render_step(procedure, package, data_to_form(form_class, data), draft, outcome,
                            1 if step == REVIEW else step), 400
    if step == REVIEW:
        return _review_post(procedure, version, form_class, draft, data)

    form = form_class()  # parsed from the request: this page's fields, as typed
    for button, act in (("add_row", add_row), ("remove_row", remove_row)):
        if request.form.get(button):
            act(form, request.form[button])
            return _render_step(procedure, package, form, draft, outcome, step)
    if request.form.get("choose_province"):
        return _render_step(procedure, package, form, draft, outcome, step)
    keys = _page_keys(form_class, pages[step - 1][1])
    typed = form_to_data(form)
    data = {k: v for k, v in data.items() if k not in keys}
    data.update({k: v for k, v in typed.items() if k in keys})
    try:  # every step is kept; the delivery chosen on the review page stays as it is
        draft = _save(version, draft, data, None)
    except InvalidData as error:
        outcome.add(form, error.errors)
        return _render_step(procedure, package, form, draft, outcome, step), 422
    except BuilderError as error:
        outcome.general.append(str(error.message))
        return _render_step(procedure, package, form, draft, outcome, step), error.status
    _attach_uploads(draft, package, outcome)  # the files placed on this page
    if outcome:
        return _render_step(procedure, package, form, draft, outcome, step), 422
    action = request.form.get("action")
    if action == "back":
        return redirect(_step_url(procedure.code, draft, max(step - 1, 1)))
    if action == "save":
        flash(_("The draft is saved. You can come back to it later."), "success")
        return redirect(_step_url(procedure.code, draft, step))
    errors = validate_data(package["form"]["schema"], data, cache_key=_version_key(version))
    on_page = {f"data.{p}": m for p, m in errors.items() if p and p.split(".")[0] in keys}
    _missing_files(draft, package, outcome, only=form.components_placed(pages[step - 1][1]))
    if on_page or outcome:
        outcome.add(form, on_page)
        return _render_step(procedure, package, form, draft, outcome, step), 422
    return redirect(_step_url(procedure.code, draft, step + 1 if step < len(pages) else REVIEW))


def _review_post(procedure, version, form_class, draft, data):
    package = version.package
    pages = form_class._pages
    outcome = _Outcome()
    if draft is None:
        return redirect(url_for("portal.apply", code=procedure.code))
    delivery = _Delivery.posted(package)
    if request.form.get("choose_province"):  # the commune list follows the province
        return _render_review(procedure, version, form_class, draft, outcome, delivery)
    action = request.form.get("action")
    body = delivery.body()
    problems = _delivery_problems(package, body, submitting=action == "submit")
    outcome.add(None, problems)
    try:
        draft = _save(version, draft, data, _savable(body, problems))
    except InvalidData as error:
        outcome.add(None, {p: m for p, m in error.errors.items() if not p.startswith("data")})
        return _render_review(procedure, version, form_class, draft, outcome, delivery), 422
    except BuilderError as error:
        outcome.general.append(str(error.message))
        return _render_review(procedure, version, form_class, draft, outcome, delivery), 422
    _attach_uploads(draft, package, outcome)
    if outcome:  # said on the review page, where the delivery and the files are chosen
        return _render_review(procedure, version, form_class, draft, outcome, delivery), 422
    if action == "back":
        return redirect(_step_url(procedure.code, draft, len(pages)))
    if action != "submit":
        flash(_("The draft is saved. You can come back to it later."), "success")
        return redirect(_step_url(procedure.code, draft, REVIEW))
    errors = validate_data(package["form"]["schema"], data, cache_key=_version_key(version))
    if errors:  # back to the first page with an error, the errors beside their fields
        form = data_to_form(form_class, data)
        outcome.add(form, {f"data.{p}" if p else "data": m for p, m in errors.items()})
        first = next((index for index, (_title, names) in enumerate(pages, start=1)
                      if any(p.split(".")[0] in _page_keys(form_class, names) for p in errors)), 1)
        return _render_step(procedure, package, form, draft, outcome, first), 422
    if body is None and package.get("delivery_methods"):
        outcome.delivery.append(_("Choose how to receive the result."))
    _missing_files(draft, package, outcome)
    if not outcome:
        try:
            dossier = submit_draft(current_user, draft)
        except InvalidData as error:
            outcome.add(data_to_form(form_class, data), error.errors)
        except BuilderError as error:
            outcome.general.append(str(error.message))
        else:
            return redirect(url_for("portal.submitted", key=dossier.code, moi=1))
    return _render_review(procedure, version, form_class, draft, outcome, delivery), 422


def _progress(pages, step) -> list[tuple[int, str, bool]]:
    titles = [title for title, _names in pages] + [_("Review and submit")]
    current = len(pages) + 1 if step == REVIEW else step
    return [(index, title, index == current) for index, title in enumerate(titles, start=1)]


def _render_step(procedure, package, form, draft, outcome, step):
    from builder.forms.compiler import error_summary

    pages = form._pages
    names = set(pages[step - 1][1])
    files = _files(form, draft, outcome)
    return _page(
        "portal/apply_step.html", procedure=procedure, package=package, form=form, draft=draft,
        outcome=outcome, step=step, steps=len(pages), page_title=pages[step - 1][0],
        progress=_progress(pages, step), only=names, last=step == len(pages),
        summary=[s for s in error_summary(form) if s[0].split("-")[0] in names] if outcome else [],
        files=files["files"], components={c["id"]: c for c in package.get("components", [])},
        on_page=form.components_placed(names),
    )


def _readable(schema: dict, data: dict) -> dict:
    """The data with address codes turned to the names of their units."""
    result = dict(data)
    for key, sub in (schema.get("properties") or {}).items():
        value = data.get(key)
        if isinstance(sub, dict) and sub.get("format") == "address-vn" and isinstance(value, dict):
            names = dict(addresses.provinces())
            communes = dict(addresses.communes(value.get("province") or ""))
            result[key] = {**value, "province": names.get(value.get("province"), value.get("province")),
                           "commune": communes.get(value.get("commune"), value.get("commune"))}
        elif isinstance(sub, dict) and sub.get("type") == "object" and isinstance(value, dict):
            result[key] = _readable(sub, value)
    return result


def _render_review(procedure, version, form_class, draft, outcome, delivery: _Delivery):
    from flask_wtf.csrf import generate_csrf

    package = version.package
    if draft is None:
        return redirect(url_for("portal.apply", code=procedure.code))
    schema, ui = package["form"]["schema"], package["form"].get("ui")
    data = _readable(schema, draft.data or {})
    answers = []
    attached = {a.component: a for a in draft.attachments}
    for index, (title, names) in enumerate(form_class._pages, start=1):
        keys = _page_keys(form_class, names)
        part = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k in keys}}
        parts = sections(part, data, ui)
        files = [Row(label=form_class._elements[n].title,
                     value=attached[e.component].filename if e.component in attached else _("Not attached yet"))
                 for n in names if (e := form_class._elements.get(n)) and e.kind == "attachment"]
        answers.append((index, title, parts + ([Section(title=None, items=files)] if files else [])))
    labels = {"online": _("Online"), "desk": _("At the one-stop desk"), "post": _("By post")}
    pages = form_class._pages
    return _page(
        "portal/review.html", procedure=procedure, package=package, draft=draft, outcome=outcome,
        answers=answers, progress=_progress(pages, REVIEW), steps=len(pages),
        components={c["id"]: c for c in package.get("components", [])},
        attached={a.component: a for a in draft.attachments},
        delivery_methods=[(m, labels.get(m, m)) for m in package.get("delivery_methods", [])],
        delivery_method=delivery.method, postal=delivery, review=REVIEW, csrf=generate_csrf(),
        chosen=_chosen_delivery(draft, labels),
    )


def _chosen_delivery(draft, labels: dict) -> list[tuple[str, str]]:
    """The delivery the draft holds, in words, for the review page."""
    saved = draft.delivery or {}
    if not saved.get("method"):
        return []
    rows = [(_("How to receive the result"), labels.get(saved["method"], saved["method"]))]
    if saved.get("dossier_by_post") is True:
        rows.append((_("Paper dossier"), _("Collected by the post office at the postal address")))
    address = saved.get("address")
    if isinstance(address, dict):
        rows.append((_("Postal address"), _address_line(address)))
        recipient = ", ".join(address[k] for k in ("name", "phone") if address.get(k))
        if recipient:
            rows.append((_("Recipient"), recipient))
    return rows


@portal.route("/ho-so/<key>")
def submitted(key: str):
    if not current_user.is_authenticated:
        return _to_login()
    try:
        dossier = find_dossier(current_user, key)
    except NotFound:
        abort(404)
    from builder.delivery import delivery_view

    return _page("portal/submitted.html", dossier=dossier,
                 status_label=statuses.status_label(dossier.status), delivery=delivery_view(dossier),
                 documents=citizen_documents(dossier), history=citizen_history(dossier),
                 just_submitted=request.args.get("moi") == "1")


# What the applicant may download, in the order they were issued; the control
# sheet is the agencies' own record.
CITIZEN_DOCUMENTS = {
    "form": _l("The filled form"),
    "receipt": _l("Receipt and appointment for the result"),
    "supplement_request": _l("Request for a supplement"),
    "refusal": _l("Refusal of the dossier"),
    "apology": _l("Apology and new appointment"),
}


def citizen_documents(dossier: Dossier) -> list[dict]:
    from builder.process.results import is_result_kind

    documents = []
    for document in sorted(dossier.documents, key=lambda d: d.id):
        if is_result_kind(document.kind):
            title = document.title or _("Result of the procedure")
        elif document.kind in CITIZEN_DOCUMENTS:
            title = str(CITIZEN_DOCUMENTS[document.kind])
        else:
            continue
        documents.append({"kind": document.kind, "title": title, "result": is_result_kind(document.kind),
                          "url": f"/api/v1/dossiers/{dossier.code}/documents/{document.kind}.pdf"})
    return documents


def citizen_history(dossier: Dossier) -> list[dict]:
    """What happened to the dossier, for its applicant: when, what, the
    status it reached, and the agency's note (not who inside the agency)."""
    from builder.process.action_labels import action_label
    from builder.process.calendar import VIETNAM

    return [{"at": entry.at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y"),
             "action": action_label(entry.action),
             "status": statuses.status_label(entry.to_status),
             "comment": entry.comment}
            for entry in dossier.history]


@portal.route("/ho-so")
def my_dossiers():
    """The signed-in citizen's dossiers, newest first, drafts included."""
    if not current_user.is_authenticated:
        return _to_login()
    page = request.args.get("trang", "1")
    page = whole_number(page, maximum=9_999) or 1
    per_page = 20
    query = select(Dossier).where(Dossier.applicant_id == current_user.id)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(Dossier.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return _page("portal/my_dossiers.html", dossiers=list(items), total=total, page=page,
                 pages=max(1, -(-total // per_page)), status_label=statuses.status_label)


# --- registration ------------------------------------------------------------------

class RegistrationForm(FlaskForm):
    id_number = StringField(_l("Citizen ID"))
    full_name = StringField(_l("Full name"))
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail"))
    password = PasswordField(_l("Password"))


@portal.route("/dang-ky", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    general: list[str] = []
    if request.method == "POST":
        if not _csrf_ok():
            general.append(_("The form has expired; please try again."))
        else:
            body = {name: (form[name].data or "").strip() if name != "password" else form[name].data or ""
                    for name in ("id_number", "full_name", "phone", "email", "password")}
            try:
                register_citizen(body)
            except InvalidData as error:
                for name, messages in error.errors.items():
                    if name in form:
                        form[name].errors = list(messages)
                    else:
                        general.extend(messages)
            except BuilderError as error:
                general.append(str(error.message))
            else:
                flash(_("Your account is ready: sign in with your citizen ID."), "success")
                return redirect(_login_url(request.args.get("next", "")))
    return _page("portal/register.html", form=form, general=general,
                 summary=[(form[n].id, form[n].label.text, form[n].errors) for n in form._fields
                          if form[n].errors])
