"""No input makes the API answer 5xx: every operation of /api/v1/openapi.json,
fed what schemathesis generates from the document (values that fit it and
values that do not, about the caller's own draft and about keys that name
nothing), as a citizen who owns a draft and as an administrator, on both
databases.

Generation is derandomized, so a run is the same every time, and a failure
says how to reproduce it (a curl command). Hypothesis draws a few cases per
operation here; the schemathesis command line (its coverage phase walks the
edge values of every parameter) found more, and those inputs are pinned in
``test_hostile_input.py``:

    schemathesis run http://127.0.0.1:5000/api/v1/openapi.json -c not_a_server_error \\
        -H "Authorization: Bearer $TOKEN" --seed 1
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from schemathesis.generation import GenerationMode

from tests.helpers import BIRTH_CODE, citizen, example_data, login

EXAMPLES_PER_OPERATION = 20
SKIPPED = {("GET", "/api/{version}/_openapi")}  # Flask-AppBuilder's own copy of the document


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 35  # the document was read, or this test proves nothing
    return [op for op in operations if (op.method.upper(), op.path) not in SKIPPED]


def _identities(client, birth_package) -> dict[str, tuple[dict, dict]]:
    """Per caller, their headers and the path values that name their things."""
    owner = citizen(client)
    draft = client.post("/api/v1/dossiers", headers=owner, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "submit": False})
    assert draft.status_code == 201, draft.get_json()
    values = {"key": str(draft.get_json()["id"]), "code": BIRTH_CODE}
    return {"citizen": (owner, values), "admin": (login(client, "admin", "mat-khau-quan-tri"), values)}


@pytest.fixture
def administrator(app):
    from builder.accounts import create_staff

    with app.app_context():
        create_staff("admin", "mat-khau-quan-tri", "Admin", None, "Quản trị viên")


def test_no_operation_answers_a_server_error(app, client, library, birth_package, administrator):
    failures: list[str] = []
    for caller, (headers, values) in _identities(client, birth_package).items():
        for operation in _operations(app):
            _fuzz(operation, caller, headers, values, failures)
    assert failures == [], "\n\n".join(failures)


def _fuzz(operation, caller: str, headers: dict, values: dict, failures: list[str]) -> None:
    known = {name: value for name, value in values.items() if f"{{{name}}}" in operation.path}
    cases = strategies.one_of(  # what fits the document and what does not; about a real thing, or not
        *(operation.as_strategy(mode, path_parameters=known or None) for mode in GenerationMode),
        *(operation.as_strategy(mode) for mode in GenerationMode if known),
    )

    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=cases)
    def check(case):
        case.headers = {**(case.headers or {}), **headers, "Accept-Language": "vi"}
        response = case.call()
        if response.status_code >= 500:
            failures.append(f"{caller}: {operation.method.upper()} {operation.path} answered "
                            f"{response.status_code}: {response.text[:300]}\n  {case.as_curl_command()}")

    check()
