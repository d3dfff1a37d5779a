"""The OpenAPI document served by the app describes every /api/v1 route."""

from __future__ import annotations

import re

METHODS = {"get", "post", "put", "patch", "delete"}


def openapi_path(rule: str) -> str:
    """/api/v1/cycles/<int:cycle_id>/batches -> /api/v1/cycles/{cycle_id}/batches"""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_and_method_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").json
    routes = {(openapi_path(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item if method in METHODS}
    assert routes == documented


def test_each_operation_documents_its_errors_and_parameters(client):
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            public = operation.get("security") == []
            assert public or "401" in operation["responses"], (path, method)
            names = {p["name"] for p in operation.get("parameters", [])}
            assert set(re.findall(r"{(\w+)}", path)) <= names, (path, method)
            if method == "post":
                assert "Idempotency-Key" in names
                assert {"201", "400", "401", "422"} <= set(operation["responses"])


def test_every_reference_resolves(client):
    document = client.get("/api/v1/openapi.json").json
    text = str(document)
    for ref in set(re.findall(r"'\$ref': '#/([^']+)'", text)):
        node = document
        for part in ref.split("/"):
            node = node[part]
