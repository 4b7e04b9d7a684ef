"""Service packages are checked against the meta-schema before they are saved."""
from __future__ import annotations

import copy

import pytest

from builder.forms.package import package_errors


@pytest.mark.parametrize("change, path", [
    (lambda p: p.pop("name"), "name"),
    (lambda p: p.update(level=5), "level"),
    (lambda p: p.update(code="bad code!"), "code"),
    (lambda p: p["components"][0].update(kind="scan"), "components.0.kind"),
    (lambda p: p["form"]["schema"].update(type="objekt"), "form.schema.type"),
    (lambda p: p["form"]["schema"]["examples"][0]["child"].pop("sex"), "form.schema.examples.0.child.sex"),
    (lambda p: p["components"].append(dict(p["components"][0])), "components"),
    (lambda p: p.update(delivery_methods=[]), "delivery_methods"),
    (lambda p: p["process"]["steps"][1]["actions"][1].update(to="nowhere"), "process.steps.1.actions.1.to"),
    (lambda p: p["process"]["steps"][0].update(role="Officer"), "process.steps.0"),
    (lambda p: p["process"]["steps"][0]["actions"][0].pop("to"), "process.steps.0.actions.0.to"),
    (lambda p: p["process"]["steps"].append(dict(p["process"]["steps"][1])), "process.steps"),
    (lambda p: p["process"]["steps"][1]["actions"].append({"action": "fly"}), "process.steps.1.actions.5.action"),
])
def test_invalid_packages_say_where(birth_package, change, path):
    package = copy.deepcopy(birth_package)
    change(package)
    errors = package_errors(package)
    assert path in errors, errors


def test_the_library_package_is_valid(birth_package):
    assert package_errors(birth_package) == {}
