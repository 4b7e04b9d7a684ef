"""The OpenAPI document describes the routes of API.md."""
from __future__ import annotations

import pytest

EXPECTED = [
    ("post", "/api/v1/citizens"),
    ("get", "/api/v1/procedures"),
    ("get", "/api/v1/procedures/{code}"),
    ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers/{key}"),
    ("put", "/api/v1/dossiers/{key}"),
    ("post", "/api/v1/dossiers/{key}/submit"),
    ("post", "/api/v1/dossiers/{key}/attachments"),
    ("get", "/api/v1/dossiers/{key}/history"),
    ("get", "/api/v1/dossiers/{key}/documents"),
    ("get", "/api/v1/lookup/{code}"),
    ("get", "/api/v1/plugins"),
    ("post", "/api/v1/security/login"),
]


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_is_public_and_names_the_product(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Một Cửa Builder"


@pytest.mark.parametrize("method, path", EXPECTED)
def test_openapi_lists_the_route(spec, method, path):
    assert method in spec["paths"][path], sorted(spec["paths"])


def test_every_operation_describes_its_errors(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["message"]
    operations = [(path, method, operation) for path, methods in spec["paths"].items()
                  for method, operation in methods.items() if isinstance(operation, dict)]
    assert len(operations) > 30
    for path, method, operation in operations:
        responses = operation["responses"]
        assert responses["default"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for status, answer in responses.items():
            if str(status)[0] in "45" and "$ref" not in answer:
                assert "content" in answer, (method, path, status)


def test_error_answers_have_the_documented_shape(spec, client):
    import jsonschema

    error = spec["components"]["schemas"]["Error"]
    answers = [
        client.post("/api/v1/citizens", json={"id_number": "12"}),  # 422 with errors per field
        client.get("/api/v1/nothing"),  # 404
        client.delete("/api/v1/security/login"),  # 405
        client.post("/api/v1/citizens", data="x", content_type="text/plain"),  # 415
    ]
    assert [answer.status_code for answer in answers] == [422, 404, 405, 415]
    for answer in answers:
        jsonschema.validate(answer.get_json(), error)
    assert answers[0].get_json()["errors"]
