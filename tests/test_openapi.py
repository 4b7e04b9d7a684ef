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
