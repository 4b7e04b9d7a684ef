"""The statistics dashboard: the figures of DOMAIN.md for an agency (and the
agencies below it), a procedure and a period, drawn as bar charts (inline
SVG, readable without JavaScript), per procedure, with CSV and XLSX export."""
from __future__ import annotations

from datetime import date

from flask import g, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import select

from builder.api.stats import LABELS
from builder.extensions import db
from builder.inputs import calendar_date
from builder.models import Agency, Procedure
from builder.models.types import utcnow
from builder.process.statistics import statistics
from builder.security import profile_of

CHARTS = [
    ("Tiếp nhận theo kênh", ["online", "desk", "post"]),
    ("Kết quả giải quyết", ["resolved_early", "resolved_on_time", "resolved_late"]),
    ("Đang giải quyết", ["in_progress_within_deadline", "overdue"]),
    ("Không giải quyết", ["refused", "withdrawn"]),
]


def _date(name: str, default: date | None) -> date | None:
    return calendar_date(request.args.get(name)) or default


class StatisticsView(BaseView):
    route_base = "/mot-cua/thong-ke"
    default_view = "dashboard"

    @expose("/")
    @has_access
    def dashboard(self):
        today = utcnow().date()
        start, end = _date("from", date(today.year, 1, 1)), _date("to", today)
        agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
        profile = profile_of(g.user)
        default_code = profile.agency.code if profile and profile.agency else None
        agency_code = request.args.get("agency", default_code)
        agency = next((a for a in agencies if a.code == agency_code), None)
        agency_ids = Agency.subtree_ids(db.session, agency.id) if agency else None
        now = utcnow()
        figures = statistics(db.session, agency_ids=agency_ids, start=start, end=end, now=now)
        procedures = db.session.scalars(select(Procedure).where(Procedure.current_version_id.is_not(None))
                                        .order_by(Procedure.name)).all()
        per_procedure = [
            (p, statistics(db.session, agency_ids=agency_ids, procedure_id=p.id, start=start, end=end, now=now))
            for p in procedures
        ]
        query = {"agency": agency.code if agency else "", "from": start.isoformat() if start else "",
                 "to": end.isoformat() if end else ""}
        return self.render_template(
            "office/dashboard.html", figures=figures,
            charts=[(title, keys, 260 / max(1, *(figures[k] for k in keys))) for title, keys in CHARTS], labels=LABELS, agencies=agencies,
            agency=agency, start=start, end=end, per_procedure=[row for row in per_procedure if row[1]["received"]],
            csv_url=url_for("StatsApi.get", format="csv", **query),
            xlsx_url=url_for("StatsApi.get", format="xlsx", **query),
        )
