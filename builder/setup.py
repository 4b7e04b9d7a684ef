"""Preparing an instance: migrations, roles, agencies, the demo and the library."""
from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from flask_appbuilder.security.manager import BaseSecurityManager
from sqlalchemy import select

from builder.accounts import create_staff
from builder.extensions import db
from builder.forms.package import import_package, load_package_file
from builder.migrate import upgrade
from builder.models import Agency

AGENCIES_FILE = Path(__file__).parent / "data" / "agencies.json"

# Demo accounts (username, password, role, agency code, full name); `make demo` prints them.
DEMO_ACCOUNTS = [
    ("admin", "admin", "Admin", None, "Quản trị hệ thống"),
    ("designer", "designer", "Designer", "000.00.00.H26", "Trần Thị Thiết Kế"),
    ("desk", "desk", "Desk", "000.01.01.H26", "Lê Văn Một Cửa"),
    ("officer", "officer", "Officer", "000.01.01.H26", "Phạm Thị Công Chức"),
    ("leader", "leader", "Leader", "000.01.01.H26", "Nguyễn Văn Lãnh Đạo"),
    ("officer_hk", "officer_hk", "Officer", "000.01.02.H26", "Đỗ Văn Hoàn Kiếm"),
]


def sync_security() -> None:
    """Create the six roles and the permissions of every registered view."""
    appbuilder = current_app.appbuilder
    # The tables come from our migrations (FAB_CREATE_DB is off), so call the
    # part of create_db that makes the Admin, Public and configured roles.
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)
    sm = appbuilder.sm
    for role_name, grants in current_app.config["ROLE_PERMISSIONS"].items():
        role = sm.find_role(role_name) or sm.add_role(role_name)
        for view, permissions in grants.items():
            for permission in permissions:
                pv = sm.find_permission_view_menu(permission, view)
                if pv is None:
                    pv = sm.add_permission_view_menu(permission, view)
                sm.add_permission_role(role, pv)
    db.session.commit()


def load_agencies(path: Path = AGENCIES_FILE) -> int:
    """Insert or update the agencies of ``path`` (parents before children)."""
    rows = json.loads(Path(path).read_text("utf-8"))
    count = 0
    for row in rows:
        agency = db.session.scalar(select(Agency).where(Agency.code == row["code"]))
        if agency is None:
            agency = Agency(code=row["code"])
            db.session.add(agency)
            count += 1
        agency.name, agency.level = row["name"], row.get("level", "commune")
        agency.address, agency.phone = row.get("address"), row.get("phone")
        agency.office_hours = row.get("office_hours")
        if row.get("parent"):
            agency.parent = db.session.scalar(select(Agency).where(Agency.code == row["parent"]))
        db.session.flush()
    db.session.commit()
    return count


def import_library(paths: list[Path]) -> list[str]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(Path(path).glob("*.json")) if Path(path).is_dir() else [Path(path)])
    lines = []
    for file in files:
        version = import_package(db.session, load_package_file(file), published_by="motcua library import")
        db.session.commit()
        lines.append(f"{version.procedure.code} v{version.number}: {version.procedure.name}")
    return lines


def create_demo_accounts() -> list[str]:
    sm = current_app.appbuilder.sm
    made = []
    for username, password, role, agency, name in DEMO_ACCOUNTS:
        if sm.find_user(username=username) is None:
            create_staff(username, password, role, agency, name)
            made.append(f"{role}: {username} / {password}")
    return made


def initialise(demo: bool, library: Path) -> list[str]:
    upgrade()
    sync_security()
    lines = [f"database ready: {db.engine.url.render_as_string(hide_password=True)}"]
    lines.append(f"agencies added: {load_agencies()}")
    if demo:
        lines += create_demo_accounts()
        lines += import_library([library])
    return lines
