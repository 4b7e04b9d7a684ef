"""The protocols a provider plugin implements, one module per kind. ``builder``
never imports ``plugins``: a plugin returns objects of these shapes from its
``register_*`` hooks (builder/hookspecs.py), and the host finds them through
:mod:`builder.plugins`.

- :mod:`builder.providers.base`: what every provider has (name, label, check_config)
- :mod:`builder.providers.payment`: payment gateways
- :mod:`builder.providers.notification`: notifiers (e-mail, SMS)
- :mod:`builder.providers.signature`: signature verifiers and signers
- :mod:`builder.providers.delivery`: postal carriers
- :mod:`builder.providers.identity`: identity providers (sign-in)
"""
from builder.providers.base import Provider
from builder.providers.notification import Notification, Notifier
from builder.providers.payment import (
    IPN_ALREADY_CONFIRMED,
    IPN_CONFIRMED,
    IPN_ERROR,
    IPN_INVALID_AMOUNT,
    IPN_INVALID_SIGNATURE,
    IPN_NOT_FOUND,
    IPN_OUTCOMES,
    CallbackResult,
    PaymentGateway,
    PaymentRequest,
    QueryableGateway,
    Receipt,
    ReceiptIssuer,
)

__all__ = [
    "IPN_ALREADY_CONFIRMED", "IPN_CONFIRMED", "IPN_ERROR", "IPN_INVALID_AMOUNT",
    "IPN_INVALID_SIGNATURE", "IPN_NOT_FOUND", "IPN_OUTCOMES", "CallbackResult",
    "Notification", "Notifier", "PaymentGateway", "PaymentRequest", "Provider", "QueryableGateway",
    "Receipt", "ReceiptIssuer",
]
