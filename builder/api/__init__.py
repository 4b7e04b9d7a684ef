"""The REST API of API.md, as Flask-AppBuilder BaseApi classes (so one OpenAPI
document describes it), with our own JSON errors and sign-in checks."""
from __future__ import annotations

from flask import Flask


def register_api(app: Flask, appbuilder) -> None:
    from builder.api.calendar import CalendarApi
    from builder.api.citizens import CitizenApi
    from builder.api.delivery import register_delivery_callbacks
    from builder.api.design import DesignApi
    from builder.api.desk import DeskApi
    from builder.api.dossiers import DossierApi, LookupApi
    from builder.api.openapi import OpenApiDocument
    from builder.api.payments import PaymentApi, register_payment_callbacks
    from builder.api.plugins import PluginApi
    from builder.api.procedures import ProcedureApi
    from builder.api.signatures import SignatureApi
    from builder.api.stats import StatsApi

    for api in (CitizenApi, ProcedureApi, DesignApi, DeskApi, DossierApi, PaymentApi, LookupApi,
                CalendarApi, StatsApi, PluginApi, SignatureApi, OpenApiDocument):
        appbuilder.add_api(api)
    register_payment_callbacks(app)  # /payments/<gateway>/return and /ipn
    register_delivery_callbacks(app)  # /delivery/<carrier>/callback
