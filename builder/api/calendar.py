"""Deadlines: the same working calendar the engine uses, for integrators."""
from __future__ import annotations

from flask import jsonify, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import select

from builder.errors import BadRequest, NotFound
from builder.extensions import db
from builder.inputs import FIRST_DATE, LAST_DATE, instant
from builder.models import Agency
from builder.process.deadlines import calendar_for


class CalendarApi(BaseApi):
    route_base = "/api/v1/calendar"
    openapi_spec_tag = "Deadlines"

    @expose("/due", methods=["GET"])
    def due(self):
        """The due instant of a duration started at an instant, by an agency's calendar.
        ---
        get:
          summary: Compute a due date
          parameters:
          - {in: query, name: agency, schema: {type: string}, description: agency code (default the national calendar)}
          - {in: query, name: start, required: true, schema: {type: string, format: date-time}, description: in the years 1900 to 2999}
          - {in: query, name: value, required: true, schema: {type: number, minimum: 0, maximum: 3650}}
          - {in: query, name: unit, schema: {type: string, enum: [working_days, days, hours]}}
          responses:
            200:
              description: The due instant and the working dates counted
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      due_at: {type: string, format: date-time}
                      working_days: {type: array, items: {type: string, format: date}}
            400: {description: A missing or malformed parameter}
            404: {description: No such agency}
        """
        args = request.args
        agency = None
        if args.get("agency"):
            agency = db.session.scalar(select(Agency).where(Agency.code == args["agency"]))
            if agency is None:
                raise NotFound(_("No agency has the code %(code)s.", code=args["agency"]))
        start = instant(args.get("start"))
        if start is None:
            raise BadRequest(_("start must be an ISO 8601 instant with its time zone, from %(first)s to %(last)s.",
                               first=FIRST_DATE.year, last=LAST_DATE.year))
        try:
            value = float(args.get("value", ""))
        except ValueError as exc:
            raise BadRequest(_("value must be a number.")) from exc
        result = calendar_for(agency).due(start, value, args.get("unit", "working_days"))
        return jsonify(result.to_dict())
