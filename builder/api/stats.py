"""Statistics: aggregates only, nothing personal, so they are public (each
procedure page shows its year-to-date figures)."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, jsonify, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _
from sqlalchemy import select

from builder.errors import BadRequest, NotFound
from builder.extensions import db
from builder.inputs import FIRST_DATE, LAST_DATE, calendar_date
from builder.models import Agency, Procedure
from builder.models.types import utcnow
from builder.process.statistics import statistics


def _date(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    value = calendar_date(raw)
    if value is None:
        raise BadRequest(_("%(name)s must be a date (YYYY-MM-DD) from %(first)s to %(last)s.", name=name,
                             first=FIRST_DATE.year, last=LAST_DATE.year))
    return value


def figures_from_request() -> dict:
    agency_ids = None
    if request.args.get("agency"):
        agency = db.session.scalar(select(Agency).where(Agency.code == request.args["agency"]))
        if agency is None:
            raise NotFound(_("No agency has the code %(code)s.", code=request.args["agency"]))
        agency_ids = Agency.subtree_ids(db.session, agency.id)
    procedure_id = None
    if request.args.get("procedure"):
        procedure_id = db.session.scalar(select(Procedure.id).where(Procedure.code == request.args["procedure"]))
        if procedure_id is None:
            raise NotFound(_("No published procedure has the code %(code)s.", code=request.args["procedure"]))
    start, end = _date("from"), _date("to")
    if start and end and start > end:
        raise BadRequest(_("from must not be after to."))
    return statistics(db.session, agency_ids=agency_ids, procedure_id=procedure_id,
                      start=start, end=end, now=utcnow())


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {
    "received": "Tiếp nhận", "online": "Trực tuyến", "desk": "Trực tiếp", "post": "Qua bưu chính",
    "online_share": "Tỷ lệ trực tuyến", "resolved": "Đã giải quyết", "resolved_early": "Trước hạn",
    "resolved_on_time": "Đúng hạn", "resolved_late": "Quá hạn", "in_progress": "Đang giải quyết",
    "in_progress_within_deadline": "Trong hạn", "overdue": "Đã quá hạn", "refused": "Từ chối",
    "withdrawn": "Rút hồ sơ", "on_time_rate": "Tỷ lệ đúng hạn", "satisfaction": "Mức độ hài lòng",
    "responses": "Số lượt đánh giá", "overall": "Tổng thể", "ease": "Thủ tục", "timeliness": "Thời gian",
    "attitude": "Thái độ cán bộ", "very_satisfied": "Rất hài lòng", "satisfied": "Hài lòng",
    "unsatisfied": "Chưa hài lòng",
}


def label(path: str) -> str:
    return " · ".join(LABELS.get(part, part) for part in path.split("."))


def xlsx(figures: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Thống kê"
    sheet.append(["Chỉ tiêu", "Mã", "Giá trị"])
    for path, value in flatten(figures):
        sheet.append([label(path), path, value])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def flatten(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


class StatsApi(BaseApi):
    route_base = "/api/v1/stats"
    openapi_spec_tag = "Statistics"

    @expose("", methods=["GET"])
    def get(self):
        """Figures for an agency (and the agencies below it), a procedure and a period.
        ---
        get:
          summary: Statistics
          parameters:
          - {in: query, name: agency, schema: {type: string}}
          - {in: query, name: procedure, schema: {type: string}}
          - {in: query, name: from, schema: {type: string, format: date}, description: from 1900-01-01 to 2999-12-31}
          - {in: query, name: to, schema: {type: string, format: date}, description: from 1900-01-01 to 2999-12-31}
          - {in: query, name: format, schema: {type: string, enum: [json, csv, xlsx]}}
          responses:
            200: {description: 'received, online, desk, post, resolved_early, resolved_on_time,
              resolved_late, in_progress, overdue, refused, withdrawn, on_time_rate, satisfaction'}
            400: {description: A malformed date}
            404: {description: No such agency or procedure}
        """
        figures = figures_from_request()
        if request.args.get("format") == "xlsx":
            return Response(xlsx(figures), mimetype=XLSX,
                            headers={"Content-Disposition": "attachment; filename=thong-ke.xlsx"})
        if request.args.get("format") == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["figure", "label", "value"])
            writer.writerows((path, label(path), value) for path, value in flatten(figures))
            return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                            headers={"Content-Disposition": "attachment; filename=thong-ke.csv"})
        return jsonify(figures)
