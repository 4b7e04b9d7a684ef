"""Service packages: check one against the meta-schema, import it as a draft,
publish it as an immutable numbered version."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from unidecode import unidecode

from builder.errors import InvalidData, NotFound
from builder.forms.layout import ui_problems
from builder.forms.schema_safety import schema_problems
from builder.forms.validation import collect_errors, format_checker, validate_data
from builder.models import Agency, Procedure, ProcedureVersion
from builder.models.types import utcnow

META_SCHEMA = json.loads((Path(__file__).with_name("package.schema.json")).read_text("utf-8"))
_meta_validator = Draft202012Validator(META_SCHEMA, format_checker=format_checker)


def fold(text: str) -> str:
    """Lower-case ASCII: what catalogue search compares ("Đăng ký" → "dang ky")."""
    return unidecode(text or "").lower()


def package_errors(package: Any) -> dict[str, list[str]]:
    """Field path inside the package → messages; empty when the package is valid."""
    errors = collect_errors(_meta_validator.iter_errors(package))
    if errors or not isinstance(package, dict):
        return errors
    schema = package["form"]["schema"]
    # before anything runs the schema: a loop or a bomb must not reach the validator
    problems = schema_problems(schema, "form.schema")
    if problems:
        return problems
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = ".".join(["form", "schema", *map(str, exc.absolute_path)])
        return {where: [_("Is not a valid JSON Schema: %(why)s", why=exc.message)]}
    example = (schema.get("examples") or [None])[0]
    if example is not None:
        for path, messages in validate_data(schema, example).items():
            errors[f"form.schema.examples.0.{path}".rstrip(".")] = messages
    component_ids = [c["id"] for c in package["components"]]
    if len(component_ids) != len(set(component_ids)):
        errors["components"] = [_("Component ids must be unique.")]
    errors.update(ui_problems(package["form"], package["components"]))
    errors.update(process_errors(package["process"]))
    return errors


def process_errors(process: dict) -> dict[str, list[str]]:
    """What the meta-schema cannot say: the steps form a graph the engine can run."""
    errors: dict[str, list[str]] = {}
    steps = process["steps"]
    ids = [step["id"] for step in steps]
    if len(ids) != len(set(ids)):
        errors["process.steps"] = [_("Step ids must be unique.")]
    first = steps[0]
    if first.get("role") != "Desk" or not any(a["action"] == "receive" for a in first.get("actions", [])):
        errors["process.steps.0"] = [_("The first step is the reception desk's: role Desk, with the action receive.")]
    for i, step in enumerate(steps):
        for j, action in enumerate(step.get("actions", [])):
            if "to" in action and action["to"] not in ids:
                errors[f"process.steps.{i}.actions.{j}.to"] = [_("No step has the id %(id)s.", id=action["to"])]
            if action["action"] in ("receive", "forward") and "to" not in action:
                errors[f"process.steps.{i}.actions.{j}.to"] = [_("This action must say which step it leads to.")]
    return errors


def check_package(package: Any) -> dict:
    errors = package_errors(package)
    if errors:
        raise InvalidData(_("The service package is not valid."), errors)
    return package


def save_draft(session: Session, package: dict) -> Procedure:
    """Create the procedure or replace its draft with ``package``."""
    check_package(package)
    agency = session.scalar(select(Agency).where(Agency.code == package["agency_code"]))
    if agency is None:
        raise InvalidData(
            _("The service package is not valid."),
            {"agency_code": [_("No agency has the code %(code)s.", code=package["agency_code"])]},
        )
    procedure = session.scalar(select(Procedure).where(Procedure.code == package["code"]))
    if procedure is None:
        procedure = Procedure(code=package["code"])
        session.add(procedure)
    if procedure.current_version is None:
        _describe(procedure, package, agency)
    procedure.draft = package
    procedure.draft_updated_at = utcnow()
    session.flush()
    return procedure


def _describe(procedure: Procedure, package: dict, agency: Agency) -> None:
    """The catalogue's columns: the published version's, or the draft's
    until there is one."""
    procedure.name = package["name"]
    procedure.search_name = fold(package["name"])
    procedure.agency = agency
    procedure.field = package["field"]
    procedure.level = package["level"]
    procedure.online = package["online"]


def publish(session: Session, procedure: Procedure, published_by: str | None = None):
    """Freeze the draft as the next version; unchanged drafts publish nothing new."""
    if procedure.draft is None:
        raise NotFound(_("The procedure %(code)s has no draft.", code=procedure.code))
    current = procedure.current_version
    if current is not None and current.package == procedure.draft:
        return current
    number = (
        session.scalar(
            select(func.max(ProcedureVersion.number)).where(
                ProcedureVersion.procedure_id == procedure.id
            )
        )
        or 0
    ) + 1
    version = ProcedureVersion(
        procedure=procedure, number=number, package=procedure.draft, published_by=published_by
    )
    session.add(version)
    session.flush()
    procedure.current_version = version
    agency = session.scalar(select(Agency).where(Agency.code == procedure.draft["agency_code"]))
    _describe(procedure, procedure.draft, agency)
    return version


def import_package(session: Session, package: dict, published_by: str | None = None):
    procedure = save_draft(session, package)
    return publish(session, procedure, published_by)


def load_package_file(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as source:
        return json.load(source)
