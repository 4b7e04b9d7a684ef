"""Service design through the API: drafts, publication, export and import,
and the process as BPMN."""
from __future__ import annotations

import copy

from lxml import etree

from tests.helpers import BIRTH_CODE, citizen, staff

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def test_design_publish_and_export(client, app, birth_package):
    designer = staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    package = copy.deepcopy(birth_package)
    created = client.post("/api/v1/procedures", headers=designer, json=package)
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {"code": BIRTH_CODE, "version": None, "state": "draft"}
    assert client.post("/api/v1/procedures", headers=designer, json=package).status_code == 409
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}").status_code == 404  # a draft is not public
    assert client.post(f"/api/v1/procedures/{BIRTH_CODE}/publish", headers=designer).get_json() == {
        "code": BIRTH_CODE, "version": 1}
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()["version"] == 1

    package["name"] = "Đăng ký khai sinh (bản sửa đổi)"
    replaced = client.put(f"/api/v1/procedures/{BIRTH_CODE}", headers=designer, json=package)
    assert replaced.get_json() == {"code": BIRTH_CODE, "version": 1, "state": "draft"}
    # the published version is untouched until the next publication
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()["name"] == "Đăng ký khai sinh"
    exported = client.get(f"/api/v1/procedures/{BIRTH_CODE}/export", headers=designer).get_json()
    assert exported["name"] == "Đăng ký khai sinh (bản sửa đổi)"
    assert client.post(f"/api/v1/procedures/{BIRTH_CODE}/publish", headers=designer).get_json()["version"] == 2

    bad = copy.deepcopy(package)
    bad["level"] = 7
    invalid = client.put(f"/api/v1/procedures/{BIRTH_CODE}", headers=designer, json=bad)
    assert invalid.status_code == 422 and list(invalid.get_json()["errors"]) == ["level"]
    imported = client.post("/api/v1/procedures/import", headers=designer,
                           json=dict(copy.deepcopy(birth_package), code="TEST.IMPORTED"))
    assert imported.status_code == 201 and imported.get_json()["state"] == "draft"


def test_only_designers_of_the_agency(client, app, birth_package):
    other = staff(client, "thiet_ke_hcm", "Designer", "000.00.00.H29")
    assert client.post("/api/v1/procedures", headers=other, json=birth_package).status_code == 403
    assert client.post("/api/v1/procedures", headers=citizen(client), json=birth_package).status_code == 403
    assert client.post("/api/v1/procedures", json=birth_package).status_code == 401


def test_process_round_trips_through_bpmn(client, app, birth_package):
    designer = staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    client.post("/api/v1/procedures", headers=designer, json=birth_package)
    response = client.get(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer)
    assert response.mimetype == "application/xml"
    tree = etree.fromstring(response.data)
    tasks = tree.findall(f".//{{{BPMN}}}userTask")
    assert [t.get("name") for t in tasks] == [s["name"] for s in birth_package["process"]["steps"]]
    # a modeller renames the approval step
    tasks[2].set("name", "Chủ tịch UBND phường ký Giấy khai sinh")
    xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    put = client.put(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer,
                     data=xml, content_type="application/xml")
    assert put.status_code == 200, put.get_json()
    exported = client.get(f"/api/v1/procedures/{BIRTH_CODE}/export", headers=designer).get_json()
    assert exported["process"]["steps"][2]["name"] == "Chủ tịch UBND phường ký Giấy khai sinh"


def test_unmappable_bpmn_is_refused_naming_the_element(client, app, birth_package):
    designer = staff(client, "thiet_ke", "Designer", "000.00.00.H26")
    client.post("/api/v1/procedures", headers=designer, json=birth_package)
    xml = client.get(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer).data
    tree = etree.fromstring(xml)
    process = tree.find(f"{{{BPMN}}}process")
    etree.SubElement(process, f"{{{BPMN}}}exclusiveGateway", id="Gateway_choice")
    response = client.put(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer,
                          data=etree.tostring(tree), content_type="application/xml")
    assert response.status_code == 422
    why = response.get_json()["errors"]["process"][0]
    assert "Gateway_choice" in why
    assert "không chuyển được gateway" in why, why  # the designer reads Vietnamese
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    response = client.put(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer,
                          data=doctype, content_type="application/xml")
    assert response.status_code == 422
    assert "không được chấp nhận" in response.get_json()["errors"]["process"][0]
    english = client.put(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn?_l_=en", headers=designer,
                         data=doctype, content_type="application/xml")
    assert "they are refused" in english.get_json()["errors"]["process"][0]
    assert client.put(f"/api/v1/procedures/{BIRTH_CODE}/process.bpmn", headers=designer,
                      data=b"{}", content_type="application/json").status_code == 415
