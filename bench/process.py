#!/usr/bin/env python3
"""Benchmark of the process at scale: an officer's queue, a province's yearly
statistics and a transition, with N dossiers in PostgreSQL, against bare SQL.

In one run this script:

* creates a scratch PostgreSQL database ``motcua_bench_process_<pid>`` and
  prepares it with ``motcua init --demo`` (plus the birth-registration package
  with all components optional, imported as ``BENCH.KHAI-SINH``, and an Officer
  and a Desk account of 000.01.01.H26 made with ``motcua user create``), with
  ``REDIS_URL`` pointing at a scratch Redis database so that jobs are only
  posted for the workers' relay, as in production (no worker runs);
* bulk-loads ``--dossiers`` dossiers (default 1,000,000) with
  ``INSERT ... SELECT ... FROM generate_series`` inside the server: a year of
  submissions spread over the demo agencies (mostly the two communes of
  000.00.00.H26, 12 % under 000.00.00.H29), statuses in realistic proportions
  with dates, deadlines and resolutions consistent with them, their history
  entries, some evaluations, the code counters; then ``VACUUM ANALYZE``;
* serves the app with gunicorn (2 sync workers), submits a few hundred
  dossiers through the API to have some in status 1 at the reception step;
* measures, alternating app and bare SQL (the order flips every repetition):
  ``GET /api/v1/dossiers?status=4`` and ``?due=overdue`` as the officer,
  ``GET /api/v1/stats`` for the province over the year, and
  ``POST /api/v1/dossiers/<code>/actions {"action": "receive"}`` as the desk,
  each against the equivalent bare SQL run with psycopg on the same data.

It never asserts on time: it prints the medians and p99 next to the targets
(queue < 1 s, statistics < 1 s, transition p99 < 20 ms) and the ratios to the
bare queries. It exits non-zero only when the set-up fails or a request was not
answered 200. The database, the temp dir and the Redis scratch database are
removed at the end, also on error, Ctrl-C or SIGTERM (``--keep`` keeps the
database and the temp dir).

    .venv/bin/python bench/process.py                       # 1,000,000 dossiers
    .venv/bin/python bench/process.py --dossiers 50000      # a quick look
    .venv/bin/python bench/process.py --explain --json bench/results/process.json
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

# The helpers of bench/submit.py (servers, requests, Redis, databases), imported
# without leaving bytecode in the repository.
sys.dont_write_bytecode = True
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
from submit import (  # noqa: E402
    BENCH_CODE,
    PASSWORD,
    Server,
    _pg_conninfo,
    _with_database,
    citizen,
    clean_env,
    create_pg_database,
    drop_pg_database,
    error_summary,
    flush_redis,
    free_port,
    gunicorn_argv,
    log,
    percentile,
    post_json,
    request,
    run_command,
    venv_bin,
    write_bench_package,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE = "000.00.00.H26"
COMMUNE = "000.01.01.H26"  # the officer's and the desk's agency
BIRTH = "1.001193.000.00.00.H26"  # birth registration (000.00.00.H26)
BUILDING = "1.009994.000.00.00.H29"  # the construction permit, the demo's procedure of 000.00.00.H29
OFFICER = ("bench_officer", "Officer", "Phạm Thị Thụ Lý")
DESK = ("bench_desk", "Desk", "Lê Văn Tiếp Nhận")
STAFF_PASSWORD = "mat-khau-bench-1"
TARGET_QUEUE_S = 1.0
TARGET_STATS_S = 1.0
TARGET_TRANSITION_P99_MS = 20.0
PAGE = 20
NAMES = [
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức",
    "Vũ Thị Hà", "Đặng Quốc Huy", "Bùi Thanh Lan", "Đỗ Văn Long", "Hồ Thị Mai",
    "Ngô Đức Nam", "Dương Thị Oanh", "Lý Văn Phúc", "Trịnh Thị Quỳnh", "Đinh Công Sơn",
    "Mai Thị Thảo",
]
SMALL_DATA = {"child": {"full_name": "Nguyễn Minh Khôi", "birth_date": "2026-11-02", "sex": "nam"},
              "copies": 2}

# Where the dossiers were received: (agency code, share, procedure code).
PLACES = [
    ("000.01.01.H26", 0.44, BIRTH),
    ("000.01.02.H26", 0.44, BIRTH),
    ("000.01.01.H29", 0.12, BUILDING),
]
# Statuses and their shares: mostly returned, some in progress (2/4, a third of
# them past their deadline), some refused / waiting for a supplement / withdrawn.
STATUS_SHARES = [
    (1, 0.005), (2, 0.010), (4, 0.040), (5, 0.010), (6, 0.002), (8, 0.002),
    (3, 0.020), (7, 0.010), (9, 0.010), (10, 0.891),
]
OVERDUE_SHARE = 0.30  # of the dossiers in status 2 / 4
LATE_SHARE = 0.05  # of the resolved ones
EVALUATED_SHARE = 0.10  # of the returned ones


# --- small helpers -----------------------------------------------------------

def get_json(port: int, path: str, token: str | None = None) -> tuple[int, bytes, float]:
    began = time.perf_counter()
    status, payload = request(port, "GET", path, token=token)
    return status, payload, time.perf_counter() - began


def login(port: int, username: str, password: str) -> str:
    status, payload = post_json(port, "/api/v1/security/login", {
        "username": username, "password": password, "provider": "db", "refresh": True,
    })
    if status != 200:
        raise RuntimeError(f"signing in {username}: {status} {payload[:300]!r}")
    return json.loads(payload)["access_token"]


def summary(seconds: list[float]) -> dict:
    values = sorted(seconds)
    return {
        "n": len(values),
        "p50_ms": percentile(values, 0.50) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "p99_ms": percentile(values, 0.99) * 1000,
        "max_ms": values[-1] * 1000 if values else math.nan,
        "mean_ms": statistics.fmean(values) * 1000 if values else math.nan,
    }


def days_of(duration: dict) -> float:
    """A package duration as calendar days, roughly (5 working days a week)."""
    value, unit = float(duration["value"]), duration.get("unit", "working_days")
    return {"working_days": value * 7 / 5, "days": value, "hours": value / 24}[unit]


# --- bulk load -----------------------------------------------------------------

def _plain_indexes(cur, table: str) -> list[tuple[str, str]]:
    """The indexes of ``table`` that back no constraint, with their DDL."""
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
           ORDER BY i.relname""", (table,))
    return cur.fetchall()


def bulk_load(conninfo: str, n: int, now: datetime, year_start: datetime) -> dict:
    """Fill the scratch database with ``n`` dossiers and what goes with them,
    all computed inside the server. Returns the seconds of each phase."""
    import psycopg
    from psycopg.types.json import Jsonb

    phases: dict[str, float] = {}

    def phase(name: str, cur, sql: str, params=None) -> int:
        began = time.perf_counter()
        cur.execute(sql, params)
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - began
        return cur.rowcount

    with psycopg.connect(conninfo, autocommit=False) as conn:
        cur = conn.cursor()
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Every id below is valid by construction; skipping the per-row
        # foreign-key triggers during the load is what pg_restore does too.
        # (Needs a superuser; without one the load is only slower.)
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cur.fetchone()[0]:
            cur.execute("SET LOCAL session_replication_role = replica")

        cur.execute("SELECT id, code FROM agency")
        agency_ids = {code: id_ for id_, code in cur.fetchall()}
        cur.execute("SELECT id FROM ab_role WHERE name = 'Citizen'")
        citizen_role = cur.fetchone()[0]
        places = []
        for code, share, procedure_code in PLACES:
            cur.execute("SELECT p.id, v.id, v.package FROM procedure p JOIN procedure_version v "
                        "ON v.id = p.current_version_id WHERE p.code = %s", (procedure_code,))
            row = cur.fetchone()
            if row is None:
                raise RuntimeError(f"procedure {procedure_code} is not in the demo library")
            procedure_id, version_id, package = row
            steps = package["process"]["steps"]
            after_receive = next((a.get("to") for a in steps[0]["actions"] if a["action"] == "receive"),
                                 None) or steps[1]["id"]
            at_status_9 = next((s["id"] for s in steps if s["status"] == 9), steps[-1]["id"])
            approval = next((s["id"] for s in steps[2:] if s["status"] == 4), after_receive)
            places.append((code, agency_ids[code], share, procedure_id, version_id,
                           days_of(package["processing_time"]), steps[0]["id"], after_receive,
                           approval, at_status_9))

        # Citizens: one account (ab_user, user_profile, role) per 20 dossiers, at most 20,000.
        citizens = max(1, min(20_000, n // 20))
        phase("citizens", cur, """
            INSERT INTO ab_user (first_name, last_name, username, password, active, email,
                                 login_count, fail_login_count, created_on, changed_on)
            SELECT split_part(name, ' ', 3), split_part(name, ' ', 1) || ' ' || split_part(name, ' ', 2),
                   id_number, '!', true, 'cong-dan-bench-' || i || '@example.vn', 0, 0,
                   %(now)s::timestamp, %(now)s::timestamp
            FROM (SELECT i, (%(names)s::text[])[1 + i %% 16] AS name,
                         '0011' || lpad((60 + i %% 40)::text, 2, '0') || lpad(i::text, 6, '0') AS id_number
                  FROM generate_series(1, %(c)s) AS i) AS c
            ORDER BY i""", {"now": now.replace(tzinfo=None), "names": NAMES, "c": citizens})
        phase("citizens", cur, """
            CREATE TEMP TABLE bench_citizen ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, username AS id_number,
                   last_name || ' ' || first_name AS full_name, email,
                   '09' || lpad((row_number() OVER (ORDER BY id))::text, 8, '0') AS phone
            FROM ab_user WHERE email LIKE 'cong-dan-bench-%@example.vn'""")
        phase("citizens", cur, """
            INSERT INTO user_profile (user_id, kind, full_name, id_number, phone, email)
            SELECT id, 'citizen', full_name, id_number, phone, email FROM bench_citizen""")
        phase("citizens", cur, "INSERT INTO ab_user_role (user_id, role_id) SELECT id, %s FROM bench_citizen",
              (citizen_role,))
        cur.execute("CREATE UNIQUE INDEX ON bench_citizen (i)")
        cur.execute("ANALYZE bench_citizen")

        # The dossiers, with the table's plain indexes built after the load
        # (the primary key and the unique code stay: rows come in their order).
        began = time.perf_counter()
        indexes = _plain_indexes(cur, "dossier")
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        phases["dossiers: drop indexes"] = time.perf_counter() - began

        place_rows = ", ".join(["(%s::int, %s::text, %s::int, %s::int, %s::int, %s::float8, "
                                "%s::text, %s::text, %s::text, %s::text)"] * len(places))
        place_params: list = []
        place_case, low = "CASE", 0.0
        for k, (code, agency_id, share, procedure_id, version_id, p_days, s_rec, s_proc, s_appr,
                s_ret) in enumerate(places):
            place_params += [k, code, agency_id, procedure_id, version_id, p_days, s_rec, s_proc, s_appr, s_ret]
            low += share
            place_case += f" WHEN r_ag < {low:.6f} THEN {k}" if k < len(places) - 1 else f" ELSE {k} END"
        status_case = "CASE " + " ".join(
            f"WHEN r_st < {sum(s for _, s in STATUS_SHARES[:k + 1]):.6f} THEN {st}"
            for k, (st, _) in enumerate(STATUS_SHARES[:-1])) + f" ELSE {STATUS_SHARES[-1][0]} END"
        span_days = (now - year_start).total_seconds() / 86400
        params = {
            "n": n, "now": now, "year_start": year_start, "span": span_days, "citizens": citizens,
            "names": NAMES, "data": Jsonb(SMALL_DATA), "overdue": OVERDUE_SHARE, "late": LATE_SHARE,
        }
        for k, value in enumerate(place_params):
            params[f"p{k}"] = value
        place_values = place_rows.replace("%s", "{}").format(*[f"%(p{k})s" for k in range(len(place_params))])
        sql = f"""
        WITH places (k, agency_code, agency_id, procedure_id, version_id, p_days,
                     step_reception, step_processing, step_approval, step_return) AS (VALUES {place_values}),
        draw AS (
            SELECT g, random() AS r_ag, random() AS r_st, random() AS r_day, random() AS r_tod,
                   random() AS r_rec, random() AS r_res, random() AS r_late, random() AS r_ret,
                   random() AS r_ch, random() AS r_step
            FROM generate_series(1, %(n)s) AS g
        ),
        shaped AS (
            SELECT d.*, {status_case} AS status,
                   CASE WHEN r_ch < 0.55 THEN 'online' WHEN r_ch < 0.95 THEN 'desk' ELSE 'post' END AS channel,
                   {place_case} AS k
            FROM draw AS d
        ),
        timed AS (
            SELECT s.*, p.agency_code, p.agency_id, p.procedure_id, p.version_id, p.p_days,
                   p.step_reception, p.step_processing, p.step_approval, p.step_return,
                   s.status IN (2, 4) AND s.r_late < %(overdue)s AS overdue,
                   CASE
                     -- waiting at the reception desk: submitted in the last two days
                     WHEN s.status = 1 THEN %(now)s - s.r_day * interval '2 days'
                     -- received and running: within the deadline, or past it
                     WHEN s.status IN (2, 4) AND s.r_late < %(overdue)s
                       THEN %(now)s - (p.p_days + 0.5 + s.r_day * 20) * interval '1 day' - s.r_rec * interval '4 hours'
                     WHEN s.status IN (2, 4)
                       THEN %(now)s - s.r_day * p.p_days * 0.9 * interval '1 day' - s.r_rec * interval '4 hours'
                     -- paused (supplement, payment, stopped): received in the last month
                     WHEN s.status IN (5, 6, 8)
                       THEN %(now)s - (1 + s.r_day * 30) * interval '1 day' - s.r_rec * interval '4 hours'
                     -- finished: any working hour of the year, leaving time to finish
                     ELSE (date_trunc('day', %(year_start)s AT TIME ZONE 'Asia/Ho_Chi_Minh')
                           + floor(s.r_day * greatest(%(span)s - p.p_days - 4, 1)) * interval '1 day'
                           + interval '8 hours' + s.r_tod * interval '9 hours') AT TIME ZONE 'Asia/Ho_Chi_Minh'
                   END AS submitted_at
            FROM shaped AS s JOIN places AS p USING (k)
        ),
        received AS (
            SELECT t.*,
                   CASE WHEN t.status IN (2, 4, 5, 6, 8, 9, 10)
                        THEN t.submitted_at + t.r_rec * interval '4 hours' END AS received_at
            FROM timed AS t
        ),
        due AS (
            SELECT r.*, r.received_at + r.p_days * interval '1 day' AS due_at FROM received AS r
        ),
        resolved AS (
            SELECT d.*,
                   CASE WHEN d.status NOT IN (9, 10) THEN NULL
                        WHEN d.r_late < %(late)s THEN d.due_at + d.r_res * interval '3 days'
                        ELSE d.received_at + d.r_res * (d.due_at - d.received_at) END AS resolved_at
            FROM due AS d
        ),
        final AS (
            SELECT r.*,
                   CASE WHEN r.status = 10 THEN r.resolved_at + r.r_ret * interval '2 days' END AS returned_at,
                   CASE WHEN r.resolved_at IS NULL THEN NULL
                        WHEN r.resolved_at > r.due_at THEN 'late'
                        WHEN (r.resolved_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                             < (r.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date THEN 'early'
                        ELSE 'on_time' END AS resolution,
                   row_number() OVER (PARTITION BY r.agency_code,
                                      (r.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                                      ORDER BY r.submitted_at, r.g) AS seq
            FROM resolved AS r
        )
        INSERT INTO dossier (code, procedure_id, version_id, agency_id, applicant_id, applicant_name,
                             applicant_id_number, applicant_phone, applicant_email, data, status,
                             current_step, channel, delivery, created_at, updated_at, submitted_at,
                             received_at, due_at, returned_at, row_version, step_due_at,
                             clock_paused_at, paused_status, resolved_at, resolution)
        SELECT f.agency_code || '-' || to_char(f.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
                 || CASE WHEN f.seq < 10000 THEN lpad(f.seq::text, 4, '0') ELSE f.seq::text END,
               f.procedure_id, f.version_id, f.agency_id,
               CASE WHEN f.channel = 'online' THEN c.id END,
               c.full_name, c.id_number, c.phone,
               CASE WHEN f.channel = 'online' THEN c.email END,
               %(data)s, f.status,
               CASE f.status WHEN 1 THEN f.step_reception WHEN 2 THEN f.step_processing
                             WHEN 4 THEN CASE WHEN f.r_step < 0.7 THEN f.step_processing ELSE f.step_approval END
                             WHEN 5 THEN f.step_processing WHEN 6 THEN f.step_processing
                             WHEN 8 THEN f.step_processing WHEN 9 THEN f.step_return END,
               f.channel,
               jsonb_build_object('method', CASE f.channel WHEN 'post' THEN 'post' ELSE 'desk' END),
               f.submitted_at,
               greatest(f.submitted_at, f.received_at, f.resolved_at, f.returned_at,
                        CASE WHEN f.status IN (3, 7) THEN f.submitted_at + f.r_res * interval '1 day' END),
               f.submitted_at, f.received_at, f.due_at, f.returned_at,
               CASE f.status WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 2 WHEN 7 THEN 2 WHEN 4 THEN 3
                             WHEN 9 THEN 4 WHEN 10 THEN 5 ELSE 3 END,
               CASE WHEN f.status IN (2, 4) THEN f.received_at + f.p_days * 0.4 * interval '1 day'
                    WHEN f.status = 9 THEN f.resolved_at + interval '4 hours' END,
               CASE WHEN f.status IN (5, 6, 8) THEN f.received_at + f.r_res * interval '1 day' END,
               CASE WHEN f.status = 5 THEN 4 END,
               f.resolved_at, f.resolution
        FROM final AS f JOIN bench_citizen AS c ON c.i = f.g %% %(citizens)s
        ORDER BY f.submitted_at, f.g
        """
        phase("dossiers: insert", cur, sql, params)
        began = time.perf_counter()
        for _name, ddl in indexes:
            cur.execute(ddl)
        phases["dossiers: build indexes"] = time.perf_counter() - began
        if sorted(_plain_indexes(cur, "dossier")) != sorted(indexes):
            raise RuntimeError("the dossier indexes were not rebuilt as they were")

        # The counters behind the codes, as submissions through the API leave them.
        phase("code counters", cur, """
            INSERT INTO dossier_sequence (agency_code, day, last)
            SELECT split_part(code, '-', 1), to_date(split_part(code, '-', 2), 'YYMMDD'),
                   max(split_part(code, '-', 3)::int)
            FROM dossier GROUP BY 1, 2""")

        # History: every entry a dossier has by its status (the hashes are
        # placeholders: only the chain check would notice, and nothing here runs it),
        # in the order of the dossiers; its plain index is built after the load.
        began = time.perf_counter()
        history_indexes = _plain_indexes(cur, "dossier_history")
        for name, _ in history_indexes:
            cur.execute(f'DROP INDEX "{name}"')
        phases["history"] = time.perf_counter() - began
        phase("history", cur, """
            INSERT INTO dossier_history (dossier_id, at, actor_id, actor_name, agency_id, action,
                                         from_status, to_status, step, comment, prev_hash, hash)
            SELECT d.id, e.at, CASE WHEN e.action IN ('submit', 'withdraw') THEN d.applicant_id END,
                   CASE WHEN e.action IN ('submit', 'withdraw') THEN d.applicant_name ELSE e.actor END,
                   CASE WHEN e.action IN ('submit', 'withdraw') THEN NULL ELSE d.agency_id END,
                   e.action, e.from_status, e.to_status, e.step, e.comment,
                   CASE WHEN e.n > 1 THEN lpad(to_hex(d.id::bigint * 8 + e.n - 1), 64, 'f') END,
                   lpad(to_hex(d.id::bigint * 8 + e.n), 64, 'f')
            FROM dossier AS d
            CROSS JOIN LATERAL (VALUES
                (1, 'submit', 0, 1, d.submitted_at, 'reception', NULL::text, NULL::text),
                (2, CASE WHEN d.status = 3 THEN 'refuse' WHEN d.status = 7 AND d.received_at IS NULL
                         THEN 'withdraw' ELSE 'receive' END,
                    1, CASE WHEN d.status IN (3, 7) THEN d.status ELSE 2 END,
                    coalesce(d.received_at, d.updated_at),
                    CASE WHEN d.status NOT IN (3, 7) THEN 'processing' END, 'Lê Văn Một Cửa',
                    CASE WHEN d.status = 3 THEN 'Hồ sơ không thuộc thẩm quyền giải quyết.' END),
                (3, 'forward', 2, 4, d.received_at + (d.due_at - d.received_at) / 3, 'approval',
                    'Phạm Thị Công Chức', NULL),
                (4, 'approve', 4, 9, d.resolved_at, 'return', 'Nguyễn Văn Lãnh Đạo', NULL),
                (5, 'return_result', 9, 10, d.returned_at, NULL, 'Lê Văn Một Cửa', NULL)
            ) AS e (n, action, from_status, to_status, at, step, actor, comment)
            WHERE (e.n = 1
                   OR (e.n = 2 AND d.status <> 1)
                   OR (e.n = 3 AND (d.status IN (9, 10) OR (d.status = 4 AND d.current_step <> 'processing')))
                   OR (e.n = 4 AND d.status IN (9, 10))
                   OR (e.n = 5 AND d.status = 10))""")
        began = time.perf_counter()
        for _name, ddl in history_indexes:
            cur.execute(ddl)
        phases["history"] += time.perf_counter() - began
        if sorted(_plain_indexes(cur, "dossier_history")) != sorted(history_indexes):
            raise RuntimeError("the history indexes were not rebuilt as they were")
        phase("evaluations", cur, """
            INSERT INTO dossier_evaluation (dossier_id, agency_id, procedure_id, submitted_at,
                                            overall, ease, timeliness, attitude, created_at)
            SELECT id, agency_id, procedure_id, submitted_at, v[1], v[2], v[3], v[4], returned_at + interval '1 day'
            FROM (SELECT id, agency_id, procedure_id, submitted_at, returned_at,
                         ARRAY(SELECT CASE WHEN r < 0.70 THEN 3 WHEN r < 0.95 THEN 2 ELSE 1 END
                               FROM (SELECT random() + 0 * d.id AS r FROM generate_series(1, 4)) AS x) AS v
                  FROM dossier AS d
                  WHERE status = 10 AND applicant_id IS NOT NULL AND random() < %s) AS e""",
              (EVALUATED_SHARE / 0.55,))
        began = time.perf_counter()
        conn.commit()
        phases["commit"] = time.perf_counter() - began

    with psycopg.connect(conninfo, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        # A year of dossiers would have been vacuumed by autovacuum long ago:
        # set hint bits and the visibility map, and gather the statistics.
        for table in ("dossier", "dossier_history", "dossier_evaluation", "dossier_sequence",
                      "ab_user", "user_profile", "ab_user_role"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        phases["vacuum analyze"] = time.perf_counter() - began
    return phases


def data_summary(conninfo: str) -> dict:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        by_status = dict(conn.execute("SELECT status, count(*) FROM dossier GROUP BY 1 ORDER BY 1").fetchall())
        by_agency = dict(conn.execute(
            "SELECT a.code, count(*) FROM dossier d JOIN agency a ON a.id = d.agency_id GROUP BY 1 ORDER BY 1"
        ).fetchall())
        sizes = dict(conn.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
            "('dossier', 'dossier_history', 'dossier_evaluation')").fetchall())
        history = conn.execute("SELECT count(*) FROM dossier_history").fetchone()[0]
        evaluations = conn.execute("SELECT count(*) FROM dossier_evaluation").fetchone()[0]
        overdue = conn.execute("SELECT count(*) FROM dossier WHERE status IN (2, 4) AND due_at < now()").fetchone()[0]
        broken = conn.execute(
            "SELECT count(*) FROM dossier d WHERE NOT EXISTS (SELECT 1 FROM agency a WHERE a.id = d.agency_id) "
            "OR NOT EXISTS (SELECT 1 FROM procedure_version v WHERE v.id = d.version_id AND v.procedure_id = d.procedure_id) "
            "OR (d.applicant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ab_user u WHERE u.id = d.applicant_id))"
        ).fetchone()[0]
    return {"by_status": by_status, "by_agency": by_agency, "history_rows": history,
            "evaluations": evaluations, "overdue": overdue, "bytes": sizes, "dangling_references": broken}


# --- bare SQL --------------------------------------------------------------------

QUEUE_WHERE = "(agency_id IN (%(agency)s) OR handling_agency_id IN (%(agency)s) OR applicant_id = %(user)s)"
QUEUE_SQL = {
    # the same filter and order as builder.process.dossiers.list_dossiers
    "status": (QUEUE_WHERE + " AND status = %(status)s", "id DESC"),
    "overdue": (QUEUE_WHERE + " AND status IN (2, 4) AND due_at < now()", "due_at ASC, id"),
}
STATS_SQL = """
SELECT count(*) AS received,
       count(*) FILTER (WHERE channel = 'online') AS online,
       count(*) FILTER (WHERE channel = 'desk') AS desk,
       count(*) FILTER (WHERE channel = 'post') AS post,
       count(*) FILTER (WHERE resolution = 'early') AS resolved_early,
       count(*) FILTER (WHERE resolution = 'on_time') AS resolved_on_time,
       count(*) FILTER (WHERE resolution = 'late') AS resolved_late,
       count(*) FILTER (WHERE status IN (1, 2, 4, 5, 6, 8)) AS in_progress,
       count(*) FILTER (WHERE status IN (2, 4) AND due_at < now()) AS overdue,
       count(*) FILTER (WHERE status = 3) AS refused,
       count(*) FILTER (WHERE status = 7) AS withdrawn
FROM dossier
WHERE submitted_at IS NOT NULL AND agency_id = ANY(%(agencies)s)
  AND submitted_at >= %(start)s AND submitted_at < %(end)s"""
STATS_KEYS = ("received", "online", "desk", "post", "resolved_early", "resolved_on_time", "resolved_late",
              "in_progress", "overdue", "refused", "withdrawn")
# What the app runs for the same figures (builder/process/statistics.py), for EXPLAIN.
APP_STATS_SQL = """
SELECT count(dossier.id),
       coalesce(sum(CASE WHEN channel = 'online' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN channel = 'desk' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN channel = 'post' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN resolution = 'early' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN resolution = 'on_time' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN resolution = 'late' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN status IN (1, 2, 4, 5, 6, 8) THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN status IN (2, 4) AND due_at < now() THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN status = 3 THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN status = 7 THEN 1 ELSE 0 END), 0)
FROM dossier
WHERE submitted_at IS NOT NULL AND agency_id IN (@agencies@)
  AND submitted_at >= %(start)s AND submitted_at < %(end)s"""
APP_SATISFACTION_SQL = (
    "SELECT count(dossier_evaluation.id), "
    + ", ".join(f"coalesce(sum(CASE WHEN {criterion} = {level} THEN 1 ELSE 0 END), 0)"
                for criterion in ("overall", "ease", "timeliness", "attitude") for level in (3, 2, 1))
    + """
FROM dossier_evaluation
WHERE submitted_at IS NOT NULL AND agency_id IN (@agencies@)
  AND submitted_at >= %(start)s AND submitted_at < %(end)s""")


class Bare:
    """The bare SQL of each measurement, with psycopg on one connection."""

    def __init__(self, conninfo: str):
        import psycopg

        self.conn = psycopg.connect(conninfo, autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def queue(self, kind: str, params: dict) -> tuple[int, list[int]]:
        where, order = QUEUE_SQL[kind]
        total = self.conn.execute(f"SELECT count(*) FROM dossier WHERE {where}", params).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT * FROM dossier WHERE {where} ORDER BY {order} LIMIT {PAGE} OFFSET 0", params).fetchall()
        return total, [row[0] for row in rows]

    def stats(self, params: dict) -> dict:
        cur = self.conn.execute(STATS_SQL, params)
        row = cur.fetchone()
        return dict(zip([c.name for c in cur.description], row))

    def receive(self, dossier_id: int, actor_id: int, actor_name: str, agency_id: int) -> None:
        """The same change as the ``receive`` action, in one transaction."""
        now = datetime.now(timezone.utc)
        due_at, step_due_at = now + timedelta(days=1), now + timedelta(hours=1)
        digest = hashlib.sha256(f"{dossier_id}/{now.isoformat()}/receive".encode()).hexdigest()
        with self.conn.transaction():
            cur = self.conn.execute(
                "UPDATE dossier SET status = 2, current_step = 'processing', received_at = %s, due_at = %s, "
                "step_due_at = %s, updated_at = %s, row_version = row_version + 1 WHERE id = %s AND status = 1",
                (now, due_at, step_due_at, now, dossier_id))
            if cur.rowcount != 1:
                raise RuntimeError(f"bare receive: dossier {dossier_id} was not in status 1")
            self.conn.execute(
                "INSERT INTO dossier_history (dossier_id, at, actor_id, actor_name, agency_id, action, "
                "from_status, to_status, step, step_due_at, details, prev_hash, hash) "
                "VALUES (%s, %s, %s, %s, %s, 'receive', 1, 2, 'processing', %s, %s, "
                "(SELECT hash FROM dossier_history WHERE dossier_id = %s ORDER BY id DESC LIMIT 1), %s)",
                (dossier_id, now, actor_id, actor_name, agency_id, step_due_at,
                 json.dumps({"due_at": due_at.isoformat()}), dossier_id, digest))

    def explain(self, sql: str, params: dict) -> str:
        rows = self.conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
        return "\n".join(row[0] for row in rows)


# --- the run -----------------------------------------------------------------------

class Failures:
    def __init__(self):
        self.count = 0
        self.first: list[str] = []

    def note(self, what: str, status, payload: bytes) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{what}: {status} {payload[:300].decode(errors='replace')}")


def prepare_submitted(port: int, count: int) -> list[str]:
    """``count`` dossiers in status 1 at the reception step of 000.01.01.H26,
    submitted in one call each by one citizen through the API."""
    person = citizen(0)
    status, payload = post_json(port, "/api/v1/citizens", person)
    if status != 201:
        raise RuntimeError(f"registering citizen {person['id_number']}: {status} {payload[:300]!r}")
    token = login(port, person["id_number"], PASSWORD)
    package = json.loads((REPO / "form_library" / "birth_registration.json").read_text("utf-8"))
    body = {"procedure": BENCH_CODE, "data": package["form"]["schema"]["examples"][0],
            "agency": COMMUNE, "delivery": {"method": "online"}, "submit": True}
    codes = []
    for _ in range(count):
        status, payload = post_json(port, "/api/v1/dossiers", body, token)
        if status != 201:
            raise RuntimeError(f"submitting a dossier: {status} {payload[:500]!r}")
        made = json.loads(payload)
        if made["status"] != 1 or made["current_step"] != "reception":
            raise RuntimeError(f"a submitted dossier is in status {made['status']} at {made['current_step']}")
        codes.append(made["code"])
    return codes


def run(args, root: Path) -> dict:
    bin_dir = venv_bin()
    name = f"motcua_bench_process_{os.getpid()}"
    url = _with_database(args.pg_url, name)
    conninfo = _pg_conninfo(url)
    result: dict = {"database": name, "dossiers": args.dossiers}
    with contextlib.ExitStack() as stack:
        log(f"creating database {name}")
        create_pg_database(args.pg_url, name)
        if args.keep:
            stack.callback(log, f"kept database {name}: DATABASE_URL={url} "
                                f"MOTCUA_INSTANCE_PATH={root / 'instance'}")
        else:
            stack.callback(drop_pg_database, args.pg_url, name)
        flush_redis(args.redis_url)
        stack.callback(flush_redis, args.redis_url)

        env = clean_env(MOTCUA_INSTANCE_PATH=str(root / "instance"), DATABASE_URL=url,
                        REDIS_URL=args.redis_url)
        log("motcua init --demo")
        run_command([str(bin_dir / "motcua"), "init", "--demo"], env, root)
        package_path = root / "bench_package.json"
        write_bench_package(package_path)
        run_command([str(bin_dir / "motcua"), "library", "import", str(package_path)], env, root)
        for username, role, full_name in (OFFICER, DESK):
            run_command([str(bin_dir / "motcua"), "user", "create", "--role", role, "--username", username,
                         "--password", STAFF_PASSWORD, "--agency", COMMUNE, "--name", full_name], env, root)

        now = datetime.now(timezone.utc)
        today = now.astimezone(VIETNAM).date()
        first_day = today - timedelta(days=364)
        year_start = datetime.combine(first_day, datetime.min.time(), VIETNAM)
        log(f"loading {args.dossiers:,} dossiers submitted from {first_day} to {today}")
        began = time.perf_counter()
        phases = bulk_load(conninfo, args.dossiers, now, year_start)
        result["load_seconds"] = time.perf_counter() - began
        result["load_phases"] = phases
        result["data"] = data_summary(conninfo)
        log(f"loaded in {result['load_seconds']:.1f} s: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))

        port = free_port()
        server = Server("app", gunicorn_argv(port, "builder:create_app()"), env, port,
                        root / "gunicorn.log", "/api/v1/procedures", root)
        stack.callback(server.stop)
        bare = Bare(conninfo)
        stack.callback(bare.close)
        failures = Failures()
        try:
            server.start()
            server.wait_ready()
            needed = 2 * (args.transitions + args.warmup)
            log(f"submitting {needed} dossiers through the API (status 1, for the transitions)")
            began = time.perf_counter()
            codes = prepare_submitted(port, needed)
            result["prepare_seconds"] = time.perf_counter() - began
            officer_token = login(port, OFFICER[0], STAFF_PASSWORD)
            desk_token = login(port, DESK[0], STAFF_PASSWORD)

            ids = dict(bare.conn.execute("SELECT code, id FROM agency").fetchall())
            users = dict(bare.conn.execute(
                "SELECT username, id FROM ab_user WHERE username IN (%s, %s)", (OFFICER[0], DESK[0])).fetchall())
            province_ids = [row[0] for row in bare.conn.execute(
                "WITH RECURSIVE t AS (SELECT id FROM agency WHERE code = %s "
                "UNION ALL SELECT a.id FROM agency a JOIN t ON a.parent_id = t.id) SELECT id FROM t",
                (PROVINCE,)).fetchall()]
            queue_params = {"agency": ids[COMMUNE], "user": users[OFFICER[0]], "status": 4}
            stats_params = {
                "agencies": province_ids, "start": year_start,
                "end": datetime.combine(today + timedelta(days=1), datetime.min.time(), VIETNAM),
            }
            stats_path = f"/api/v1/stats?agency={PROVINCE}&from={first_day}&to={today}"
            result["stats_period"] = [str(first_day), str(today)]

            def app_queue(kind: str):
                path = "/api/v1/dossiers?status=4" if kind == "status" else "/api/v1/dossiers?due=overdue"
                status, payload, seconds = get_json(port, path, officer_token)
                if status != 200:
                    failures.note(f"GET {path}", status, payload)
                    return seconds, None
                return seconds, json.loads(payload)

            def app_stats():
                status, payload, seconds = get_json(port, stats_path)
                if status != 200:
                    failures.note(f"GET {stats_path}", status, payload)
                    return seconds, None
                return seconds, json.loads(payload)

            def timed(fn, *a):
                began = time.perf_counter()
                out = fn(*a)
                return time.perf_counter() - began, out

            # Same answers? (else the bare query is not the equivalent)
            checks = []
            for kind in ("status", "overdue"):
                _, page = app_queue(kind)
                total, first_ids = bare.queue(kind, queue_params)
                if page is not None:
                    same = page["count"] == total and [d["id"] for d in page["items"]] == first_ids
                    checks.append(f"queue {kind}: app {page['count']} / bare {total} dossiers, "
                                  f"first page {'identical' if same else 'DIFFERENT'}")
                    result[f"queue_{kind}_count"] = total
            _, figures = app_stats()
            row = bare.stats(stats_params)
            if figures is not None:
                differ = [k for k in STATS_KEYS if k != "overdue" and figures[k] != row[k]]
                differ += ["overdue"] if abs(figures["overdue"] - row["overdue"]) > 5 else []
                checks.append(f"stats: received app {figures['received']} / bare {row['received']}, "
                              + ("all figures equal" if not differ else f"DIFFERENT: {', '.join(differ)}"))
                result["stats_figures"] = figures
            result["checks"] = checks
            for line in checks:
                log(line)

            result["load_average"] = {"before": os.getloadavg()[0]}
            log(f"warm-up: {args.warmup} of each")
            for _ in range(args.warmup):
                for kind in ("status", "overdue"):
                    app_queue(kind)
                    bare.queue(kind, queue_params)
                app_stats()
                bare.stats(stats_params)

            samples: dict[str, list[float]] = {k: [] for k in (
                "queue_status_app", "queue_status_bare", "queue_overdue_app", "queue_overdue_bare",
                "stats_app", "stats_bare", "transition_app", "transition_bare")}
            log(f"measuring queue and statistics: {args.repeat} repetitions, app and bare alternating")
            for number in range(args.repeat):
                pairs = [
                    ("queue_status", lambda: app_queue("status"), lambda: timed(bare.queue, "status", queue_params)),
                    ("queue_overdue", lambda: app_queue("overdue"), lambda: timed(bare.queue, "overdue", queue_params)),
                    ("stats", app_stats, lambda: timed(bare.stats, stats_params)),
                ]
                for key, app_fn, bare_fn in pairs:
                    order = [("app", app_fn), ("bare", bare_fn)]
                    if number % 2:
                        order.reverse()
                    for side, fn in order:
                        seconds, _ = fn()
                        samples[f"{key}_{side}"].append(seconds)

            # Transitions: the first codes for the app, the next for bare SQL.
            dossier_ids = dict(bare.conn.execute(
                "SELECT code, id FROM dossier WHERE code = ANY(%s)", (codes,)).fetchall())
            app_codes = codes[:args.transitions + args.warmup]
            bare_codes = codes[args.transitions + args.warmup:]
            desk_id, desk_name = users[DESK[0]], DESK[2]

            def app_receive(code: str) -> float:
                began = time.perf_counter()
                status, payload = post_json(port, f"/api/v1/dossiers/{code}/actions", {"action": "receive"},
                                            desk_token)
                seconds = time.perf_counter() - began
                if status != 200:
                    failures.note(f"POST /api/v1/dossiers/{code}/actions", status, payload)
                elif json.loads(payload)["status"] != 2:
                    failures.note(f"receive {code}", "status", payload)
                return seconds

            def bare_receive(code: str) -> float:
                began = time.perf_counter()
                bare.receive(dossier_ids[code], desk_id, desk_name, ids[COMMUNE])
                return time.perf_counter() - began

            log(f"measuring transitions: {args.transitions} receive actions each, app and bare alternating")
            for number, (a, b) in enumerate(zip(app_codes, bare_codes)):
                order = [("app", app_receive, a), ("bare", bare_receive, b)]
                if number % 2:
                    order.reverse()
                for side, fn, code in order:
                    seconds = fn(code)
                    if number >= args.warmup:
                        samples[f"transition_{side}"].append(seconds)
            received = bare.conn.execute(
                "SELECT count(*) FROM dossier WHERE code = ANY(%s) AND status = 2", (codes,)).fetchone()[0]
            result["transitions_checked"] = f"{received} of {len(codes)} prepared dossiers now in status 2"

            result["load_average"]["after"] = os.getloadavg()[0]
            result["samples"] = {k: summary(v) for k, v in samples.items()}
            result["failures"] = failures.count
            result["first_failures"] = failures.first
            if failures.count:
                for line in error_summary(server):
                    log(f"server log: {line}")

            # Plans: on request, or of any query whose target was missed.
            s = result["samples"]
            missed = {
                "queue_status": s["queue_status_app"]["p50_ms"] >= TARGET_QUEUE_S * 1000
                                or s["queue_status_app"]["p99_ms"] >= TARGET_QUEUE_S * 1000,
                "queue_overdue": s["queue_overdue_app"]["p50_ms"] >= TARGET_QUEUE_S * 1000
                                 or s["queue_overdue_app"]["p99_ms"] >= TARGET_QUEUE_S * 1000,
                "stats": s["stats_app"]["p50_ms"] >= TARGET_STATS_S * 1000
                         or s["stats_app"]["p99_ms"] >= TARGET_STATS_S * 1000,
            }
            plans = {}
            for kind in ("status", "overdue"):
                if args.explain or missed[f"queue_{kind}"]:
                    where, order = QUEUE_SQL[kind]
                    plans[f"queue {kind}: count"] = bare.explain(f"SELECT count(*) FROM dossier WHERE {where}",
                                                                 queue_params)
                    plans[f"queue {kind}: page"] = bare.explain(
                        f"SELECT * FROM dossier WHERE {where} ORDER BY {order} LIMIT {PAGE} OFFSET 0", queue_params)
            if args.explain or missed["stats"]:
                in_list = ", ".join(str(i) for i in sorted(province_ids))
                plans["stats: app's dossier aggregate"] = bare.explain(
                    APP_STATS_SQL.replace("@agencies@", in_list), stats_params)
                plans["stats: app's satisfaction aggregate"] = bare.explain(
                    APP_SATISFACTION_SQL.replace("@agencies@", in_list), stats_params)
                plans["stats: bare FILTER aggregate"] = bare.explain(STATS_SQL, stats_params)
            result["plans"] = plans
        except BaseException:
            tail = server.log_tail(20)
            if tail:
                log(f"gunicorn log (last lines):\n{tail}")
            raise
    return result


# --- report --------------------------------------------------------------------------

def print_report(result: dict, args) -> None:
    s = result["samples"]
    data = result["data"]
    print()
    print(f"{result['dossiers']:,} dossiers in PostgreSQL, loaded in {result['load_seconds']:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in result['load_phases'].items())})")
    print(f"  by status: {', '.join(f'{k}: {v:,}' for k, v in data['by_status'].items())}; "
          f"overdue (2/4 past due): {data['overdue']:,}")
    print(f"  by agency: {', '.join(f'{k}: {v:,}' for k, v in data['by_agency'].items())}")
    print(f"  history entries: {data['history_rows']:,}; evaluations: {data['evaluations']:,}; "
          f"sizes: " + ", ".join(f"{k} {v / 2**20:.0f} MB" for k, v in sorted(data["bytes"].items())))
    if data["dangling_references"]:
        print(f"  WARNING: {data['dangling_references']} dossiers refer to a missing agency, version or user")
    for line in result.get("checks", []):
        print(f"  check: {line}")
    print(f"  check: {result.get('transitions_checked', '')}")
    print()
    rows = [
        ("queue ?status=4", "queue_status", TARGET_QUEUE_S * 1000, "p50 & p99 < 1000 ms",
         f"{result.get('queue_status_count', 0):,} in the queue"),
        ("queue ?due=overdue", "queue_overdue", TARGET_QUEUE_S * 1000, "p50 & p99 < 1000 ms",
         f"{result.get('queue_overdue_count', 0):,} overdue"),
        ("stats province/year", "stats", TARGET_STATS_S * 1000, "p50 & p99 < 1000 ms",
         f"{(result.get('stats_figures') or {}).get('received', 0):,} dossiers"),
        ("transition receive", "transition", TARGET_TRANSITION_P99_MS, "p99 < 20 ms", ""),
    ]
    header = (f"{'measurement':<22}{'n':>5}{'app p50':>10}{'app p95':>10}{'app p99':>10}{'app max':>10}"
              f"{'bare p50':>10}{'bare p99':>10}{'app/bare':>10}  {'target':<22}{'met':<8}{'rows':<}")
    rule = "-" * (len(header) + 18)
    print(f"App: gunicorn, 2 sync workers, one client in a closed loop (a new connection per request); "
          f"bare: psycopg, one connection, same database, same run. Milliseconds; app/bare is the ratio "
          f"of the medians.")
    print(rule)
    print(header)
    print(rule)
    verdicts = []
    for label, key, target, target_text, note in rows:
        app, bare = s[f"{key}_app"], s[f"{key}_bare"]
        if key == "transition":
            met = app["p99_ms"] < target
        else:
            met = app["p50_ms"] < target and app["p99_ms"] < target
        verdicts.append((label, met))
        ratio = app["p50_ms"] / bare["p50_ms"] if bare["p50_ms"] else math.nan
        print(f"{label:<22}{app['n']:>5}{app['p50_ms']:>10.1f}{app['p95_ms']:>10.1f}{app['p99_ms']:>10.1f}"
              f"{app['max_ms']:>10.1f}{bare['p50_ms']:>10.1f}{bare['p99_ms']:>10.1f}{ratio:>10.1f}  "
              f"{target_text:<22}{'met' if met else 'NOT met':<8}{note}")
    print(rule)
    print(f"(with {args.repeat} repetitions the p99 of the queue and statistics is close to their maximum; "
          f"1-minute load average {result['load_average']['before']:.1f} before measuring, "
          f"{result['load_average']['after']:.1f} after, on {os.cpu_count()} CPUs)")
    for line in result.get("first_failures", []):
        print(f"  failure: {line}")
    if result.get("failures"):
        print(f"  INVALID: {result['failures']} requests were not answered 200")
    for title, plan in result.get("plans", {}).items():
        print()
        print(f"EXPLAIN (ANALYZE, BUFFERS) {title}:")
        print(plan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="dossiers to load (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=40,
                        help="repetitions of each queue and statistics request (default 40)")
    parser.add_argument("--transitions", type=int, default=300,
                        help="measured receive actions, each for app and bare (default 300)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured runs of each before measuring (default 5)")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL database to connect to for creating and dropping the scratch one")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="scratch Redis database, FLUSHED before and after (default db 14)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the queue and statistics SQL "
                             "(printed anyway for a missed target)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and the temp dir (instance, gunicorn log)")
    args = parser.parse_args(argv)
    for name in ("dossiers", "repeat", "transitions"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")

    # SIGTERM unwinds like Ctrl-C, so the cleanup below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = Path(tempfile.mkdtemp(prefix="motcua-bench-process-"))
    began = time.perf_counter()
    try:
        result = run(args, root)
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    result["total_seconds"] = time.perf_counter() - began

    print_report(result, args)
    print(f"\n(whole run: {result['total_seconds']:.0f} s)")
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({
            "benchmark": "queue, statistics and transition with N dossiers vs bare SQL",
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "settings": {k: getattr(args, k) for k in ("dossiers", "repeat", "transitions", "warmup")},
            "targets": {"queue_s": TARGET_QUEUE_S, "stats_s": TARGET_STATS_S,
                        "transition_p99_ms": TARGET_TRANSITION_P99_MS},
            "result": result,
        }, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print(f"figures written to {path}")
    return 1 if result.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())
