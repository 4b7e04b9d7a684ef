"""The applicant's satisfaction with a resolved dossier."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from builder.database import write_transaction
from builder.errors import Conflict, InvalidData, NotFound
from builder.models import Dossier, Evaluation
from builder.process import statuses as S
from builder.process.statistics import CRITERIA

EVALUABLE = (S.REFUSED, S.PROCESSED, S.RETURNED)


def evaluate(user, dossier: Dossier, body: Any) -> Evaluation:
    if dossier.applicant_id != user.id:
        raise NotFound(_("No dossier %(code)s.", code=dossier.code))
    if not isinstance(body, dict):
        raise InvalidData(_("The evaluation is not valid."), {"": [_("Must be a group of fields.")]})
    errors = {c: [_("Choose 1, 2 or 3.")] for c in CRITERIA
              if not (isinstance(body.get(c), int) and not isinstance(body.get(c), bool) and 1 <= body[c] <= 3)}
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 2000):
        errors["comment"] = [_("Must be at most %(n)s characters long.", n=2000)]
    if errors:
        raise InvalidData(_("The evaluation is not valid."), errors)
    if dossier.status not in EVALUABLE:
        raise Conflict(_("A dossier can be evaluated once it is resolved."))
    try:
        with write_transaction() as session:
            evaluation = Evaluation(dossier_id=dossier.id, agency_id=dossier.agency_id,
                                    procedure_id=dossier.procedure_id, submitted_at=dossier.submitted_at,
                                    comment=comment,
                                    **{c: body[c] for c in CRITERIA})
            session.add(evaluation)
    except IntegrityError as exc:
        raise Conflict(_("This dossier was already evaluated.")) from exc
    return evaluation
