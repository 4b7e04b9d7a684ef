#!/usr/bin/env python3
"""Benchmark of form validation and compilation, in one process.

(a) The birth-registration form (form_library/birth_registration.json) on its
    example (valid) and on an invalid copy: the full path,
    ``builder.forms.validation.validate_data`` with a cache key (validator from
    the cache, validate, map errors to fields and words), against bare
    ``Draft202012Validator(schema).iter_errors`` on the same data, the bare
    validator built once. Target: full/bare ≤ 3x.
(b) A generated 300-field form: ``compile_form`` to WTForms with no cache key
    (target < 50 ms), and validating data for it (full and bare, for reference).
    It also times the form designer's page for that form (target < 500 ms).

Full and bare alternate, the order flipping on each repetition; the figures
are medians over ``--repeat`` repetitions of ``--loops`` calls. It never
fails on time: it prints the figures and whether each target is met.

    .venv/bin/python bench/forms.py
    .venv/bin/python bench/forms.py --repeat 21 --loops 200
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from jsonschema import Draft202012Validator  # noqa: E402

from builder.forms.compiler import compile_form  # noqa: E402
from builder.forms.validation import validate_data  # noqa: E402

TARGET_RATIO = 3.0
TARGET_COMPILE_MS = 50.0


def per_call_ms(fn, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) * 1000 / loops


def alternate(full, bare, repeat: int, loops: int) -> tuple[float, float]:
    """Median ms per call of ``full`` and ``bare``, taking turns."""
    fulls, bares = [], []
    for i in range(repeat):
        pair = [(fulls, full), (bares, bare)]
        for times, fn in (pair if i % 2 == 0 else pair[::-1]):
            times.append(per_call_ms(fn, loops))
    return statistics.median(fulls), statistics.median(bares)


def invalid_birth(example: dict) -> dict:
    data = copy.deepcopy(example)
    data["child"].pop("sex", None)
    data["child"]["full_name"] = ""
    for key in ("mother", "father"):
        if isinstance(data.get(key), dict):
            data[key]["id_number"] = "12345"
    return data


def generated_form(fields: int) -> tuple[dict, dict]:
    """A 300-field form of the kinds the designer makes, and valid data for it."""
    kinds = [
        ({"type": "string", "maxLength": 100}, "Nguyễn Văn An"),
        ({"type": "string", "format": "date"}, "2025-07-01"),
        ({"type": "integer", "minimum": 0}, 3),
        ({"type": "string", "enum": ["a", "b", "c", "d", "e"]}, "c"),
        ({"type": "boolean"}, True),
        ({"type": "string", "format": "citizen-id"}, "001090012345"),
        ({"type": "string", "maxLength": 1000}, "Ghi chú"),
        ({"type": "string", "pattern": "^0[0-9]{9}$"}, "0912345678"),
    ]
    properties, data = {}, {}
    for i in range(fields):
        schema, value = kinds[i % len(kinds)]
        properties[f"f{i:03d}"] = {**schema, "title": f"Trường {i}"}
        data[f"f{i:03d}"] = value
    schema = {"type": "object", "title": "Bench", "properties": properties,
              "required": list(properties)[::3]}
    return schema, data


TARGET_DESIGNER_MS = 500  # the server's part of showing the designer a 300-field form


def designer_page_ms(package: dict, schema: dict, data: dict, repeat: int) -> float:
    """The form designer's page (field list and live preview) for a 300-field
    form, rendered by the app on a scratch SQLite instance."""
    import tempfile

    from builder import create_app
    from builder.accounts import create_staff
    from builder.extensions import db
    from builder.forms.package import import_package
    from builder.migrate import upgrade
    from builder.setup import load_agencies, sync_security

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "REDIS_URL": None})
        big = copy.deepcopy(package)
        big["code"] = "BENCH.300"
        big["form"] = {"schema": {**schema, "examples": [data]}, "ui": {"order": list(schema["properties"])}}
        with app.app_context():
            upgrade()
            sync_security()
            load_agencies()
            import_package(db.session, big)
            db.session.commit()
            create_staff("bench_admin", "mat-khau-bench", "Admin", None)
        client = app.test_client()
        client.post("/login/", data={"username": "bench_admin", "password": "mat-khau-bench"})
        url = "/thiet-ke/BENCH.300/bieu-mau"
        assert client.get(url).status_code == 200
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=11, help="repetitions (11)")
    parser.add_argument("--loops", type=int, default=100, help="calls per repetition (100)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    package = json.loads((REPO / "form_library" / "birth_registration.json").read_text("utf-8"))
    birth = package["form"]["schema"]
    valid = birth["examples"][0]
    invalid = invalid_birth(valid)
    bare_birth = Draft202012Validator(birth)
    assert validate_data(birth, valid, cache_key="bench:birth") == {}
    assert validate_data(birth, invalid, cache_key="bench:birth") != {}

    rows = []
    for label, data in (("birth registration, valid", valid), ("birth registration, invalid", invalid)):
        full, bare = alternate(lambda d=data: validate_data(birth, d, cache_key="bench:birth"),
                               lambda d=data: list(bare_birth.iter_errors(d)), args.repeat, args.loops)
        rows.append((f"validate: {label}", full, bare, full / bare, f"≤ {TARGET_RATIO:g}x",
                     full / bare <= TARGET_RATIO))

    big, big_data = generated_form(300)
    compile_ms = statistics.median(
        per_call_ms(lambda: compile_form(big), max(1, args.loops // 10)) for _ in range(args.repeat)
    )
    rows.append(("compile 300 fields (no cache)", compile_ms, None, None, f"< {TARGET_COMPILE_MS:g} ms",
                 compile_ms < TARGET_COMPILE_MS))
    bare_big = Draft202012Validator(big)
    full, bare = alternate(lambda: validate_data(big, big_data, cache_key="bench:big"),
                           lambda: list(bare_big.iter_errors(big_data)), args.repeat, max(1, args.loops // 4))
    rows.append(("validate 300 fields, valid", full, bare, full / bare, "(reference)", None))

    designer_ms = designer_page_ms(package, big, big_data, args.repeat)
    rows.append(("designer page, 300 fields", designer_ms, None, None, f"< {TARGET_DESIGNER_MS:g} ms",
                 designer_ms < TARGET_DESIGNER_MS))

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
          f"medians of {args.repeat} x {args.loops} calls")
    print(f"{'measurement':<36} {'full ms':>9} {'bare ms':>9} {'ratio':>7}  {'target':<10} met")
    for name, full, bare, ratio, target, met in rows:
        print(f"{name:<36} {full:>9.3f} {'' if bare is None else f'{bare:.3f}':>9} "
              f"{'' if ratio is None else f'{ratio:.2f}':>7}  {target:<10} "
              f"{'' if met is None else ('yes' if met else 'NO')}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            [dict(zip(("measurement", "full_ms", "bare_ms", "ratio", "target", "met"), r)) for r in rows],
            indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
