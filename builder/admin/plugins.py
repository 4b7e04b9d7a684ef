"""The plugins page (admin): every plugin with its version, kind, hooks and
providers, whether it is configured (what its providers' ``check_config()``
finds wrong) or blocked; and, per service, the payment gateway and the postal
carrier it uses, chosen by name among the providers installed here.

A choice is written into the service's draft package (``payment.gateway``,
``delivery.carrier``), checked like any package, so publishing the draft makes
a new version; a published version is never changed."""
from __future__ import annotations

import copy
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from builder.database import write_transaction
from builder.errors import InvalidData, PluginError
from builder.extensions import db
from builder.forms.package import check_package, save_draft
from builder.models import Procedure
from builder.plugins import carriers, payment_gateways, plugin_info
from builder.providers import Provider

# The <select> value for "none": no online payment, no postal carrier.
NONE = ""


class CsrfForm(FlaskForm):
    """Only the CSRF token: the choices are read from the request."""


def kind_labels() -> dict[str | None, str]:
    return {
        "payment": _("Payment"), "signature": _("Digital signature"), "delivery": _("Postal delivery"),
        "notification": _("Notification"), "identity": _("Identity"), "other": _("Other"), None: "—",
    }


def working_package(procedure: Procedure) -> dict:
    """The draft, or the published package when there is no draft."""
    return procedure.draft if procedure.draft is not None else procedure.current_version.package


def chosen_gateway(package: dict | None) -> str | None:
    return ((package or {}).get("payment") or {}).get("gateway")


def chosen_carrier(package: dict | None) -> str | None:
    return ((package or {}).get("delivery") or {}).get("carrier")


def _problems(provider: Provider) -> list[str]:
    try:
        return [str(problem) for problem in provider.check_config()]
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the page
        return [_("The settings check of %(provider)s failed: %(error)s", provider=provider.name, error=exc)]


def _refusal(name: str, current: str | None, providers: dict[str, Provider]) -> tuple[str, str] | None:
    """Why choosing ``name`` is refused: ("unknown", "") or ("unconfigured",
    its problems); None when it may be chosen. A provider that is installed
    but not configured may stay chosen, not be newly chosen."""
    if name == NONE or name == current:
        return None
    if name not in providers:
        return "unknown", ""
    problems = _problems(providers[name])
    return ("unconfigured", "; ".join(problems)) if problems else None


def with_providers(package: dict, gateway: str | None, carrier: str | None) -> dict:
    """A copy of ``package`` using ``gateway`` and ``carrier`` (None: leave as
    it is; empty: none). Raises InvalidData naming the refused choice."""
    package = copy.deepcopy(package)
    errors: dict[str, list[str]] = {}
    if gateway is not None:
        refused = _refusal(gateway, chosen_gateway(package), payment_gateways())
        if refused and refused[0] == "unknown":
            errors["payment.gateway"] = [_("No payment gateway is named %(name)s.", name=gateway)]
        elif refused:
            errors["payment.gateway"] = [_("The payment gateway %(name)s is not configured: %(problems)s",
                                           name=gateway, problems=refused[1])]
        elif gateway == NONE:
            package["payment"] = None
        else:
            package["payment"] = {**(package.get("payment") or {}), "gateway": gateway}
    if carrier is not None:
        refused = _refusal(carrier, chosen_carrier(package), carriers())
        if refused and refused[0] == "unknown":
            errors["delivery.carrier"] = [_("No postal carrier is named %(name)s.", name=carrier)]
        elif refused:
            errors["delivery.carrier"] = [_("The postal carrier %(name)s is not configured: %(problems)s",
                                            name=carrier, problems=refused[1])]
        else:
            delivery = dict(package.get("delivery") or {})
            if carrier == NONE:
                delivery.pop("carrier", None)
            else:
                delivery["carrier"] = carrier
            if delivery:
                package["delivery"] = delivery
            else:
                package.pop("delivery", None)
    if errors:
        raise InvalidData(_("The choice of providers is not valid."), errors)
    return check_package(package)


def choose_providers(code: str, gateway: str | None, carrier: str | None) -> bool:
    """Save the service's choice into its draft; False when nothing changed.
    The procedure is re-read locked, so a designer's draft saved meanwhile
    is kept and only the two choices change."""
    with write_transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == code).with_for_update())
        if procedure is None:
            abort(404)
        package = working_package(procedure)
        chosen = with_providers(package, gateway, carrier)
        if chosen == package:
            return False
        save_draft(session, chosen)
    return True


def _form_value(name: str) -> str | None:
    value = request.form.get(name)
    return value.strip() if isinstance(value, str) else None


class PluginsView(BaseView):
    route_base = "/quan-tri/tien-ich"
    default_view = "plugins"

    @expose("/")
    @has_access
    def plugins(self):
        return self._render(CsrfForm(), errors={})

    @expose("/<code>/nha-cung-cap", methods=["POST"])
    @has_access
    def choose(self, code: str):
        form = CsrfForm()
        here = url_for("PluginsView.plugins")
        if not form.validate_on_submit():
            flash(_("The form has expired; please try again."), "danger")
            return redirect(here)
        try:
            changed = choose_providers(code, _form_value("gateway"), _form_value("carrier"))
        except InvalidData as error:
            flash(str(error.message), "danger")
            return self._render(form, errors={code: error.errors}), 422
        if changed:
            flash(_("The choice is saved in the draft of %(code)s; publish the draft to use it. "
                    "The published version does not change.", code=code), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(f"{here}#service-{code}")

    def _render(self, form: CsrfForm, errors: dict[str, dict[str, list[str]]]):
        broken: list[str] = []
        gateways = self._providers(payment_gateways, broken)
        postal = self._providers(carriers, broken)
        procedures = db.session.scalars(select(Procedure).order_by(Procedure.name)).all()
        rows = []
        for procedure in procedures:
            package = working_package(procedure)
            published = procedure.current_version.package if procedure.current_version else None
            rows.append({
                "procedure": procedure, "gateway": chosen_gateway(package),
                "carrier": chosen_carrier(package), "post": "post" in package.get("delivery_methods", []),
                "published_gateway": chosen_gateway(published), "published_carrier": chosen_carrier(published),
                "unpublished": published is None or procedure.draft not in (None, published),
            })
        if request.method == "POST":  # show what was chosen, next to the error
            for row in rows:
                if row["procedure"].code in errors:
                    row["gateway"] = _form_value("gateway")
                    row["carrier"] = _form_value("carrier")
        return self.render_template(
            "admin/plugins.html", plugins=plugin_info(include_blocked=True), kinds=kind_labels(),
            gateways=gateways, carriers=postal, rows=rows, errors=errors, form=form, broken=broken,
        )

    @staticmethod
    def _providers(collect, broken: list[str]) -> dict[str, dict[str, Any]]:
        """Name → label and problems, for the choices; a plugin that breaks
        its hook contract is reported instead."""
        try:
            found = collect()
        except PluginError as error:
            broken.append(str(error.message))
            return {}
        return {name: {"label": p.label, "problems": _problems(p)} for name, p in sorted(found.items())}
