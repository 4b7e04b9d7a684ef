"""Every service package in form_library/: it is a valid package, it imports and
publishes, a citizen can submit its example form through the API, and wrong data
is refused with errors at the right field paths.

Packages are discovered with a glob, so a package added to the library is
covered by the generic checks at once; the checks written by hand for each
known package (``CASES``) pin exact paths and messages, and a package with a
conditional rule (``if``/``then``, ``dependentRequired``) must add its own
cases there showing that the rule fires and stays quiet."""
from __future__ import annotations

import copy
import io
import json
import re

import pytest

from builder.extensions import db
from builder.forms.package import import_package, package_errors
from tests.conftest import LIBRARY
from tests.helpers import MINIMAL_PDF, citizen, example_data, staff

PACKAGE_FILES = sorted(LIBRARY.glob("*.json"))

REQUIRED = "Trường này là bắt buộc."
WHOLE_NUMBER = "Phải là số nguyên."
TEXT = "Phải là chữ."
A_NUMBER = "Phải là số."
FORMAT = "Không đúng định dạng."
CHOICE = "Không nằm trong các lựa chọn cho phép."
NOT_A_PROVINCE = "Ba chữ số đầu của số định danh phải là mã tỉnh."


def min_rows(n: int) -> str:
    return f"Cần ít nhất {n} dòng."


def max_rows(n: int) -> str:
    return f"Chỉ cho phép tối đa {n} dòng."


def load(path) -> dict:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(params=PACKAGE_FILES, ids=lambda path: path.stem)
def package_file(request):
    return request.param


@pytest.fixture
def package(package_file) -> dict:
    return load(package_file)


# --- editing form data by dotted path ---------------------------------------

def _walk(data, path: str):
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, (int(last) if isinstance(node, list) else last)


def drop(path: str):
    def apply(data):
        node, key = _walk(data, path)
        del node[key]
    return apply


def put(path: str, value):
    def apply(data):
        node, key = _walk(data, path)
        node[key] = copy.deepcopy(value)
    return apply


def repeat_first_row(path: str, times: int):
    def apply(data):
        node, key = _walk(data, path)
        node[key] = [copy.deepcopy(node[key][0]) for _ in range(times)]
    return apply


def edited(data: dict, edits) -> dict:
    data = copy.deepcopy(data)
    for edit in edits:
        edit(data)
    return data


# --- the cases written by hand, per package (file stem) ----------------------
# Each invalid case: (name, edits, expected errors, refused_at) where refused_at
# is "draft" for errors of shape (a draft is checked for types only, so PUT
# already refuses them) and "submit" for the rest. "quiet" is a variant of the
# example where the conditional rule does not apply: it must be accepted.

CASES: dict[str, dict] = {
    "birth_registration": {
        "invalid": [
            ("missing nested field", [drop("child.full_name")],
             {"data.child.full_name": [REQUIRED]}, "submit"),
            ("wrong type", [put("mother.birth_year", "1993")],
             {"data.mother.birth_year": [WHOLE_NUMBER]}, "draft"),
            ("father required when known", [drop("father")],
             {"data.father": [REQUIRED]}, "submit"),
        ],
        "quiet": [drop("father"), put("father_known", False)],
    },
    "marriage_registration": {
        "invalid": [
            ("missing nested field", [drop("bride.birth_date")],
             {"data.bride.birth_date": [REQUIRED]}, "submit"),
            ("wrong type", [put("groom.marriage_number", "hai")],
             {"data.groom.marriage_number": [WHOLE_NUMBER]}, "draft"),
            ("bad citizen ID", [put("bride.id_number", "999196004321")],
             {"data.bride.id_number": [NOT_A_PROVINCE]}, "submit"),
            ("commitment must be given", [put("commitment", False)],
             {"data.commitment": [CHOICE]}, "submit"),
            ("previous marriage required from the second marriage on",
             [put("bride.marriage_number", 2),
              put("bride.previous_marriage_document", "Trích lục khai tử số 12/TLKT-BS ngày 03/01/2022")],
             {"data.bride.previous_marriage_end": [REQUIRED]}, "submit"),
            ("previous marriage document required too",
             [drop("groom.previous_marriage_document")],
             {"data.groom.previous_marriage_document": [REQUIRED]}, "submit"),
        ],
        "quiet": [put("groom.marriage_number", 1), drop("groom.previous_marriage_end"),
                  drop("groom.previous_marriage_document")],
    },
    "death_registration": {
        "invalid": [
            ("missing nested field", [drop("deceased.death_date")],
             {"data.deceased.death_date": [REQUIRED]}, "submit"),
            ("wrong type", [put("copies", "ba")], {"data.copies": [WHOLE_NUMBER]}, "draft"),
            ("bad time of death", [put("deceased.death_time", "25:10")],
             {"data.deceased.death_time": [FORMAT]}, "submit"),
            ("other relationship must be described", [put("requester.relationship", "khac")],
             {"data.requester.relationship_detail": [REQUIRED]}, "submit"),
        ],
        "quiet": [put("requester.relationship", "khac"),
                  put("requester.relationship_detail", "Cháu ruột")],
    },
    "permanent_residence": {
        "invalid": [
            ("missing nested field", [drop("applicant.id_number")],
             {"data.applicant.id_number": [REQUIRED]}, "submit"),
            ("wrong type", [put("applicant.phone", 903123456)],
             {"data.applicant.phone": [TEXT]}, "draft"),
            ("too many rows", [repeat_first_row("members", 21)],
             {"data.members": [max_rows(20)]}, "submit"),
            ("error inside a row", [drop("members.0.relationship_to_head")],
             {"data.members.0.relationship_to_head": [REQUIRED]}, "submit"),
            ("owner's consent required when living with relatives", [drop("owner_consent")],
             {"data.owner_consent": [REQUIRED]}, "submit"),
            ("household head's details depend on each other (dependentRequired)",
             [drop("applicant.relationship_to_head")],
             {"data.applicant.relationship_to_head": [REQUIRED]}, "submit"),
        ],
        "quiet": [put("residence_basis", "so_huu"), drop("owner_consent"),
                  drop("applicant.household_head_name"), drop("applicant.household_head_id_number"),
                  drop("applicant.relationship_to_head")],
    },
    "criminal_record_certificate": {
        "invalid": [
            ("missing nested field", [drop("person.birth_place")],
             {"data.person.birth_place": [REQUIRED]}, "submit"),
            ("wrong type", [put("copies", "2")], {"data.copies": [WHOLE_NUMBER]}, "draft"),
            ("no residence history", [put("residence_history", [])],
             {"data.residence_history": [min_rows(1)]}, "submit"),
            ("errors inside rows", [drop("residence_history.0.occupation"),
                                    put("residence_history.1.to", "2020-06")],
             {"data.residence_history.0.occupation": [REQUIRED],
              "data.residence_history.1.to": [FORMAT]}, "submit"),
            ("wrong type inside a row", [put("residence_history.2.place", ["Hà Nội"])],
             {"data.residence_history.2.place": [TEXT]}, "draft"),
            ("card no. 1 asks about bans", [drop("ban_confirmation")],
             {"data.ban_confirmation": [REQUIRED]}, "submit"),
            ("card no. 2 needs the parents", [put("card_type", "so_2"), drop("family")],
             {"data.family": [REQUIRED]}, "submit"),
        ],
        "quiet": [put("card_type", "so_2"), drop("ban_confirmation")],
    },
    "household_business_registration": {
        "invalid": [
            ("missing nested field", [drop("owner.id_number")],
             {"data.owner.id_number": [REQUIRED]}, "submit"),
            ("wrong type", [put("capital", "300 triệu")], {"data.capital": [WHOLE_NUMBER]}, "draft"),
            ("name must start with Hộ kinh doanh", [put("business_name", "Bún chả Hương Liên")],
             {"data.business_name": [FORMAT]}, "submit"),
            ("no business line", [put("business_lines", [])],
             {"data.business_lines": [min_rows(1)]}, "submit"),
            ("errors inside rows", [put("business_lines.1.code", "56"),
                                    put("members.0.id_number", "999072005566")],
             {"data.business_lines.1.code": [FORMAT],
              "data.members.0.id_number": [NOT_A_PROVINCE]}, "submit"),
            ("household members required for a family business", [drop("members")],
             {"data.members": [REQUIRED]}, "submit"),
            ("at least one member for a family business", [put("members", [])],
             {"data.members": [min_rows(1)]}, "submit"),
        ],
        "quiet": [put("registrant_type", "ca_nhan"), drop("members")],
    },
    "construction_permit": {
        "invalid": [
            ("missing nested field", [drop("site.plot_number")],
             {"data.site.plot_number": [REQUIRED]}, "submit"),
            ("wrong type", [put("construction.height", "15,8 m")],
             {"data.construction.height": [A_NUMBER]}, "draft"),
            ("bad certificate serial", [put("land_certificate.serial", "456789")],
             {"data.land_certificate.serial": [FORMAT]}, "submit"),
            ("designer required for a large house", [drop("design_unit")],
             {"data.design_unit": [REQUIRED]}, "submit"),
            ("designer required from 12 m high", [
                drop("design_unit"), put("construction.floors", 2),
                put("construction.total_floor_area", 140.0), put("construction.height", 12.5)],
             {"data.design_unit": [REQUIRED]}, "submit"),
        ],
        "quiet": [drop("design_unit"), put("construction.floors", 2),
                  put("construction.total_floor_area", 140.0), put("construction.height", 8.5)],
    },
    "certified_copy": {
        "invalid": [
            ("missing nested field", [drop("requester.phone")],
             {"data.requester.phone": [REQUIRED]}, "submit"),
            ("wrong type inside a row", [put("documents.0.pages", "1")],
             {"data.documents.0.pages": [WHOLE_NUMBER]}, "draft"),
            ("no document", [put("documents", [])], {"data.documents": [min_rows(1)]}, "submit"),
            ("error inside a row", [drop("documents.1.name"), put("documents.0.copies", 0)],
             {"data.documents.1.name": [REQUIRED],
              "data.documents.0.copies": ["Phải lớn hơn hoặc bằng 1."]}, "submit"),
            ("e-mail required for an electronic copy", [drop("requester.email")],
             {"data.requester.email": [REQUIRED]}, "submit"),
        ],
        "quiet": [put("result_form", "giay"), drop("requester.email")],
    },
}


# --- cases derived from any schema (so new packages are covered) -------------

def _conditional(schema) -> bool:
    if isinstance(schema, dict):
        if {"if", "dependentRequired", "dependentSchemas"} & set(schema):
            return True
        return any(_conditional(v) for k, v in schema.items() if k != "examples")
    if isinstance(schema, list):
        return any(_conditional(v) for v in schema)
    return False


def _object_fields(schema: dict, prefix: str = ""):
    """(path, schema) of each property, depth first, objects before their fields."""
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        yield path, sub
        if sub.get("type") == "object":
            yield from _object_fields(sub, f"{path}.")


def _present(data, path: str) -> bool:
    try:
        node, key = _walk(data, path)
        node[key]
    except (KeyError, IndexError, TypeError):
        return False
    return True


WRONG = {"integer": ("12", WHOLE_NUMBER), "number": ("12", A_NUMBER), "string": (12, TEXT),
         "boolean": ("có", "Phải là có hoặc không.")}


def derived_cases(package: dict) -> list:
    schema = package["form"]["schema"]
    data = schema["examples"][0]
    cases = []
    for key in schema.get("required", []):  # a required field inside a required group
        sub = schema["properties"][key]
        if sub.get("type") == "object" and sub.get("required"):
            field = f"{key}.{sub['required'][0]}"
            cases.append(("derived: missing nested field", [drop(field)],
                          {f"data.{field}": [REQUIRED]}, "submit"))
            break
    for path, sub in _object_fields(schema):  # a wrong type on a plain field
        kind = sub.get("type")
        if kind in WRONG and "oneOf" not in sub and "const" not in sub and _present(data, path):
            value, message = WRONG[kind]
            cases.append(("derived: wrong type", [put(path, value)], {f"data.{path}": [message]}, "draft"))
            break
    for path, sub in _object_fields(schema):  # a repeating group
        items = sub.get("items", {})
        if sub.get("type") != "array" or items.get("type") != "object" or not _present(data, path):
            continue
        rows = _walk(data, path)[0][_walk(data, path)[1]]
        if sub.get("minItems"):
            cases.append(("derived: too few rows", [put(path, [])],
                          {f"data.{path}": [min_rows(sub["minItems"])]}, "submit"))
        elif sub.get("maxItems") and rows:
            cases.append(("derived: too many rows", [repeat_first_row(path, sub["maxItems"] + 1)],
                          {f"data.{path}": [max_rows(sub["maxItems"])]}, "submit"))
        if rows and items.get("required"):
            field = f"{path}.0.{items['required'][0]}"
            cases.append(("derived: error inside a row", [drop(field)],
                          {f"data.{field}": [REQUIRED]}, "submit"))
        break
    return cases


# --- (a) the package itself --------------------------------------------------

def _objects(schema, where="form.schema"):
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            yield where, schema
        for key, value in schema.items():
            if key not in ("examples", "if", "then", "else", "const"):
                yield from _objects(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _objects(value, f"{where}.{i}")


def test_the_library_is_not_empty():
    assert len(PACKAGE_FILES) >= 8
    codes = [load(path)["code"] for path in PACKAGE_FILES]
    assert len(codes) == len(set(codes)), "two packages share a procedure code"


def test_package_is_valid_and_well_formed(package_file, package):
    assert package_errors(package) == {}
    schema = package["form"]["schema"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema.get("examples"), "every library package carries a filled example"
    for where, node in _objects(schema):
        assert node.get("additionalProperties") is False, f"{where}: additionalProperties must be false"
        for key, sub in node["properties"].items():
            assert sub.get("title"), f"{where}.properties.{key} has no title"
    order = package["form"].get("ui", {}).get("order")
    if order:
        assert set(order) <= set(schema["properties"]), "form.ui.order names unknown fields"
    if package["online"] == "partial":
        assert package.get("partial_reason"), "a partly online service says why"
    paid = sum(fee["amount"] for fee in package["fees"]) > 0
    assert (package["payment"] is not None) == paid, "a gateway exactly when there is a fee"
    steps = {s["id"] for s in package["process"]["steps"]}
    for step in package["process"]["steps"]:
        for action in step.get("actions", []):
            assert action.get("to", step["id"]) in steps, f"{step['id']}: unknown target {action.get('to')}"
    if _conditional(schema):
        assert package_file.stem in CASES, (
            f"{package_file.name} has a conditional rule: add cases to CASES in this file showing "
            "that it fires, and a 'quiet' variant where it does not")


# --- (b) a citizen submits the example ---------------------------------------

def _publish(app, package) -> None:
    with app.app_context():
        version = import_package(db.session, package, published_by="tests")
        db.session.commit()
        assert version.number == 1


def _draft(client, headers, package, data) -> int:
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": package["code"], "data": data,
        "delivery": {"method": package["delivery_methods"][0]}, "submit": False})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == 0 and body["code"] is None
    return body["id"]


def _attach_required(client, headers, package, draft_id) -> None:
    for component in package["components"]:
        if not component["required"]:
            continue
        response = client.post(f"/api/v1/dossiers/{draft_id}/attachments", headers=headers, data={
            "component": component["id"], "file": (io.BytesIO(MINIMAL_PDF), f"{component['id']}.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()


def test_package_imports_and_its_example_is_submitted(app, client, package):
    _publish(app, package)
    detail = client.get(f"/api/v1/procedures/{package['code']}").get_json()
    assert detail["version"] == 1 and detail["form"]["schema"] == package["form"]["schema"]
    headers = citizen(client)
    draft_id = _draft(client, headers, package, example_data(package))
    response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
    required = {f"components.{c['id']}" for c in package["components"] if c["required"]}
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == required
    _attach_required(client, headers, package, draft_id)
    response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(re.escape(package["agency_code"]) + r"-\d{6}-\d{4}", body["code"])
    assert body["status"] == 1 and body["procedure"] == package["code"]
    assert body["agency_code"] == package["agency_code"]
    assert body["data"] == example_data(package)
    fee = sum(f["amount"] for f in package["fees"])
    if fee:
        assert body["payment"] == {"status": "unpaid", "amount": fee,
                                   "gateway": package["payment"]["gateway"]}
    else:
        assert body["payment"] is None
    documents = client.get(f"/api/v1/dossiers/{body['code']}/documents", headers=headers).get_json()
    form = next(d for d in documents if d["kind"] == "form")
    assert form["ready"], "the filled form is rendered on submission"
    pdf = client.get(form["url"], headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    actions = walk_the_process(client, package, body["code"])
    history = client.get(f"/api/v1/dossiers/{body['code']}/history", headers=headers).get_json()
    assert [h["action"] for h in history] == ["submit", *actions]
    assert history[-1]["to_status"] == 10


def walk_the_process(client, package, code) -> list[str]:
    """Staff take the dossier through the package's own steps, the straight way:
    the desk receives, the head assigns where the step allows it, each step
    forwards or approves along its "to", the desk returns the result."""
    people: dict[tuple[str, str], tuple[str, dict]] = {}

    def person(role, agency):
        if (role, agency) not in people:
            username = f"{role.lower()}_{len(people)}"
            people[(role, agency)] = (username, staff(client, username, role, agency))
        return people[(role, agency)]

    def act(role, agency, action, **extra):
        response = client.post(f"/api/v1/dossiers/{code}/actions", headers=person(role, agency)[1],
                               json={"action": action, "comment": "Đúng quy trình", **extra})
        assert response.status_code == 200, (action, response.get_json())
        done.append(action)
        return response.get_json()

    steps = {step["id"]: step for step in package["process"]["steps"]}
    home = package["agency_code"]
    done: list[str] = []
    first = package["process"]["steps"][0]
    body = act(first.get("role", "Desk"), first.get("agency_code", home), "receive")
    assert body["status"] == 2
    assigned = False
    for _ in range(len(steps) + 1):
        if body["status"] == 9:
            break
        step = steps[body["current_step"]]
        declared = {a["action"]: a for a in step.get("actions", [])}
        agency = step.get("agency_code", home)
        if "assign" in declared and not assigned:
            officer = person("Officer", agency)[0]
            act(declared["assign"].get("role") or step["role"], agency, "assign", assignee=officer)
            assigned = True
        move = "forward" if "forward" in declared else "approve"
        assert move in declared, f"step {step['id']} neither forwards nor approves"
        body = act(declared[move].get("role") or step["role"], agency, move)
    assert body["status"] == 9, "the process never reaches a result"
    returned = act("Desk", home, "return_result")
    assert returned["status"] == 10 and returned["returned_at"]
    return done


# --- (c) wrong data is refused at the right paths ----------------------------

def test_invalid_data_is_refused_at_the_right_paths(app, client, package_file, package):
    known = CASES.get(package_file.stem, {})
    cases = known.get("invalid", []) + derived_cases(package)
    assert cases, f"{package_file.name}: no invalid case could be made"
    _publish(app, package)
    headers = citizen(client)
    example = example_data(package)
    draft_id = _draft(client, headers, package, example)
    _attach_required(client, headers, package, draft_id)
    for name, edits, expected, refused_at in cases:
        data = edited(example, edits)
        response = client.put(f"/api/v1/dossiers/{draft_id}", headers=headers, json={"data": data})
        if refused_at == "draft":
            assert response.status_code == 422, name
            assert response.get_json()["errors"] == expected, name
            continue
        assert response.status_code == 200, (name, response.get_json())
        response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
        assert response.status_code == 422, name
        assert response.get_json()["errors"] == expected, name
    # where a conditional rule does not apply, the data goes through
    quiet = edited(example, known.get("quiet", []))
    assert client.put(f"/api/v1/dossiers/{draft_id}", headers=headers,
                      json={"data": quiet}).status_code == 200
    response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["data"] == quiet


# --- a known defect of the error mapping -------------------------------------

def test_every_missing_field_is_reported(app, client):
    package = load(LIBRARY / "marriage_registration.json")
    _publish(app, package)
    headers = citizen(client)
    data = edited(example_data(package), [put("bride.marriage_number", 2)])
    draft_id = _draft(client, headers, package, data)
    _attach_required(client, headers, package, draft_id)
    response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
    assert response.get_json()["errors"] == {
        "data.bride.previous_marriage_end": [REQUIRED],
        "data.bride.previous_marriage_document": [REQUIRED],
    }
