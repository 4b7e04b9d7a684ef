"""What each action in a dossier's history is called: on the officer's
buttons, in the history, on the control sheet and in the notices to the
applicant. One list, translated like every other message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "submit": _l("Submit the dossier"),
    "receive": _l("Receive the dossier"),
    "refuse": _l("Refuse at reception"),
    "request_supplement": _l("Request a supplement"),
    "supplement": _l("Supplement the dossier"),
    "assign": _l("Assign for processing"),
    "forward": _l("Forward to the next step"),
    "approve": _l("Approve the result"),
    "return_result": _l("Return the result"),
    "transfer": _l("Transfer to another agency"),
    "apologize": _l("Apologize and set a new date"),
    "withdraw": _l("Withdraw the dossier"),
    "payment": _l("Pay the fees"),
    "request_payment": _l("Request a financial obligation"),
    "stop": _l("Stop processing"),
    "resume": _l("Resume processing"),
    "refund": _l("Refund a payment"),
}


def action_label(action: str) -> str:
    """The label of ``action`` in the current language (its name if unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
