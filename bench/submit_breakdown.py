#!/usr/bin/env python3
"""Where the time of a submission goes: ``POST /api/v1/dossiers`` and the bare
endpoint of ``bench/bare_app.py`` run in this one process with Flask's test
client (no HTTP, no gunicorn), alternating, and the full path's time split by
its parts.

``bench/submit.py`` gives the figures the issue names (gunicorn, concurrency
16); this script says why they are what they are: the service time of each
path without the network and the queueing, and the median time of each part
of the full one (timers wrapped around the functions, so the parts add up to
a little more than they cost unwrapped).

    .venv/bin/python bench/submit_breakdown.py                 # SQLite
    .venv/bin/python bench/submit_breakdown.py --db postgresql --requests 500

It prepares its instance like ``submit.py`` (``motcua init --demo`` and the
benchmark copy of birth registration) in a temp dir, or a scratch PostgreSQL
database it drops at the end, with ``REDIS_URL`` on Redis db 14 (flushed before
and after). It never asserts on time.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.dont_write_bytecode = True

import submit as shared  # noqa: E402  (the set-up helpers of bench/submit.py)

PARTS = (  # (module, function, label): the parts of the full path that are timed
    ("builder.api.auth", "api_user", "sign-in (JWT, user, roles, profile)"),
    ("builder.process.dossiers", "published_procedure", "service and version (cached)"),
    ("builder.process.dossiers", "_form_errors", "validation (JSON Schema, errors mapped)"),
    ("builder.process.dossiers", "next_code_and_id", "dossier code and id (counter upsert; SQLite)"),
    ("builder.jobs.queue", "dispatch", "hand-over of the jobs (to the thread)"),
    ("builder.process.dossiers", "insert_rows", "dossier, entry and jobs written (PostgreSQL: code, id too)"),
    ("builder.process.dossiers", "dossier_dict", "the answer (dossier as JSON)"),
    ("builder.process.dossiers", "create_dossier", "create_dossier, in all"),
)


def wrap_parts(current: dict[str, float]) -> None:
    """Time each part; ``current`` sums a request's time per part (a part
    may run more than once in a request, e.g. the sign-in is read three times
    and costs only the first)."""
    import importlib

    for module_name, function, label in PARTS:
        module = importlib.import_module(module_name)
        original = getattr(module, function)

        @functools.wraps(original)
        def timed(*args, __original=original, __label=label, **kwargs):
            began = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                current[__label] = current.get(__label, 0.0) + time.perf_counter() - began

        setattr(module, function, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="requests per path (default 300)")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="motcua-breakdown-") as folder:
        work = Path(folder)
        pg_name = f"motcua_breakdown_{os.getpid()}"
        if args.db == "sqlite":
            app_url, bare_url = f"sqlite:///{work / 'motcua.db'}", f"sqlite:///{work / 'bare.db'}"
        else:
            shared.create_pg_database(args.pg_url, pg_name)
            app_url = bare_url = shared._with_database(args.pg_url, pg_name)
        shared.flush_redis(args.redis_url)
        try:
            return run(args, work, app_url, bare_url)
        finally:
            shared.flush_redis(args.redis_url)
            if args.db == "postgresql":
                shared.drop_pg_database(args.pg_url, pg_name)


def run(args, work: Path, app_url: str, bare_url: str) -> int:
    env = shared.clean_env(MOTCUA_INSTANCE_PATH=str(work / "instance"), DATABASE_URL=app_url,
                           REDIS_URL=args.redis_url)
    motcua = str(shared.venv_bin() / "motcua")
    shared.run_command([motcua, "init", "--demo"], env, work)
    package = shared.write_bench_package(work / "package.json")
    shared.run_command([motcua, "library", "import", str(work / "package.json")], env, work)
    os.environ.update({k: v for k, v in env.items() if k.startswith("MOTCUA_") or k in ("DATABASE_URL", "REDIS_URL")})
    os.environ["BENCH_BARE_DATABASE_URL"] = bare_url

    bare_module = shared.load_bare_app()
    bare_module.create_tables(bare_url)
    bare = bare_module.create_app().test_client()
    from builder import create_app

    app = create_app()
    full = app.test_client()
    person = shared.citizen(0)
    if full.post("/api/v1/citizens", json=person).status_code != 201:
        raise SystemExit("could not register the citizen")
    token = full.post("/api/v1/security/login", json={
        "username": person["id_number"], "password": shared.PASSWORD, "provider": "db", "refresh": True,
    }).get_json()["access_token"]
    body = json.dumps({"procedure": shared.BENCH_CODE, "data": package["form"]["schema"]["examples"][0],
                       "agency": shared.RECEIVING_AGENCY, "delivery": {"method": "online"}, "submit": True},
                      ensure_ascii=False).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def measure(client, path: str, count: int) -> float:
        began = time.perf_counter()
        for _ in range(count):
            response = client.post(path, data=body, headers=headers)
            if response.status_code != 201:
                raise SystemExit(f"{path} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
        return (time.perf_counter() - began) / count * 1000

    measure(full, shared.FULL_PATH, 30)
    measure(bare, shared.BARE_PATH, 30)
    rounds, per_round = 5, max(1, args.requests // 5)
    fulls, bares = [], []
    for number in range(rounds):  # alternate, the order flipping each round
        pair = [(fulls, full, shared.FULL_PATH), (bares, bare, shared.BARE_PATH)]
        for out, client, path in (pair if number % 2 == 0 else pair[::-1]):
            out.append(measure(client, path, per_round))
    full_ms, bare_ms = statistics.median(fulls), statistics.median(bares)

    times: dict[str, list[float]] = {}
    current: dict[str, float] = {}
    wrap_parts(current)
    for _ in range(per_round):
        current.clear()
        measure(full, shared.FULL_PATH, 1)
        for label, spent in current.items():
            times.setdefault(label, []).append(spent)

    print(f"{args.db}: in-process service time, medians of {rounds} rounds x {per_round} requests")
    print(f"  full {full_ms:6.2f} ms   bare {bare_ms:6.2f} ms   full/bare throughput ratio {bare_ms / full_ms:.2f}")
    print("  parts of the full path (median ms per request, timed separately):")
    for _module, _function, label in PARTS:
        samples = times.get(label)
        if samples:
            print(f"    {label:42s} {statistics.median(samples) * 1000:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
