"""BPMN 2.0 export and import of a service package's process (API.md: process.bpmn)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from lxml import etree

from builder.forms.package import process_errors
from builder.process.bpmn import BPMN, BPMNDI, DC, DI, MOTCUA, BpmnError, from_bpmn, to_bpmn

LIBRARY = Path(__file__).resolve().parent.parent / "form_library"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "motcua": MOTCUA}
HEAD = (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="{BPMN}" '
        f'xmlns:bpmndi="{BPMNDI}" xmlns:dc="{DC}" xmlns:di="{DI}" id="Definitions_1" '
        'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0">')


def birth_process() -> dict:
    return json.loads((LIBRARY / "birth_registration.json").read_text("utf-8"))["process"]


SYNTHETIC = {
    # every role, self-loop and backward flows, terminal actions from several steps, a step
    # without a role, one without "actions", int and float durations, agency codes, extra keys
    "everything": {
        "steps": [
            {"id": "reception", "name": "Tiếp nhận hồ sơ \"đất đai\" <A&B>", "status": 2, "role": "Desk",
             "agency_code": "H01.01", "actions": [{"action": "receive", "to": "check"}, {"action": "withdraw"},
                                                  {"action": "refuse"}]},
            {"id": "check", "name": "Thẩm định\nhồ sơ", "status": 4, "role": "Officer",
             "duration": {"value": 3, "unit": "days"},
             "actions": [{"action": "forward", "to": "check"}, {"action": "forward", "to": "reception"},
                         {"action": "approve", "to": "sign"}, {"action": "assign", "role": "Officer"},
                         {"action": "request_supplement"}, {"action": "transfer"}]},
            {"id": "citizen_fix", "name": "Công dân bổ sung", "status": 5, "role": "Citizen",
             "actions": [{"action": "supplement", "to": "check"}, {"action": "withdraw"}]},
            {"id": "sign", "name": "Lãnh đạo ký", "status": 4, "role": "Leader", "agency_code": "",
             "duration": {"value": 1.0, "unit": "hours"},
             "actions": [{"action": "approve"}, {"action": "refuse"}, {"action": "apologize", "role": "Leader"},
                         {"action": "return_result", "to": "deliver"}]},
            {"id": "a__b", "name": "Bước không có vai trò", "status": 6, "actions": []},
            {"id": "admin_review", "name": "Quản trị rà soát", "status": 8, "role": "Admin", "note": {"x": [1, 2]},
             "actions": [{"action": "forward", "to": "deliver", "role": "Desk"}]},
            {"id": "deliver", "name": "Trả kết quả", "status": 9, "role": "Desk",
             "duration": {"value": 0, "unit": "working_days"}},
        ],
        "description": "Quy trình thử nghiệm",
    },
    "single_step": {
        "steps": [{"id": "desk", "name": "Một cửa", "status": 2, "role": "Desk",
                   "actions": [{"action": "receive", "to": "desk"}, {"action": "return_result"}]}],
    },
    "officer_first_in_list_order": {
        "steps": [
            {"id": "s1", "name": "Tiếp nhận", "status": 2, "role": "Desk",
             "actions": [{"action": "receive", "to": "s3"}]},
            {"id": "s2", "name": "Trả", "status": 9, "role": "Desk", "actions": [{"action": "return_result"}]},
            {"id": "s3", "name": "Xử lý", "status": 4, "role": "Officer",
             "actions": [{"action": "forward", "to": "s2"}, {"action": "apologize"}]},
        ],
    },
}


def library_processes() -> list:
    params = []
    for path in sorted(LIBRARY.glob("*.json")):
        try:
            process = json.loads(path.read_text("utf-8"))["process"]
        except (ValueError, KeyError):  # another developer's file, mid-edit
            continue
        params.append(pytest.param(process, id=path.stem))
    return params


# --- export → import -----------------------------------------------------------------------

def test_birth_registration_round_trip():
    process = birth_process()
    xml = to_bpmn(process, name="Đăng ký khai sinh", code="1.001193")
    back = from_bpmn(xml)
    assert back == process
    assert json.dumps(back, ensure_ascii=False) == json.dumps(process, ensure_ascii=False)
    assert process_errors(back) == {}


@pytest.mark.parametrize("process", library_processes())
def test_library_round_trip(process):
    assert process_errors(process) == {}
    assert from_bpmn(to_bpmn(process, name="Thủ tục", code="X")) == process


@pytest.mark.parametrize("key", SYNTHETIC)
def test_synthetic_round_trip(key):
    process = copy.deepcopy(SYNTHETIC[key])
    assert process_errors(process) == {}
    xml = to_bpmn(process, name="Thủ tục thử", code="T-1.2_x")
    check_structure(xml, process)
    back = from_bpmn(xml)
    assert back == process
    # int and float durations keep their JSON form
    assert json.dumps(back, ensure_ascii=False, sort_keys=True) == json.dumps(process, ensure_ascii=False,
                                                                             sort_keys=True)
    assert process_errors(back) == {}


def test_export_refuses_a_process_it_cannot_write():
    process = birth_process()
    process["steps"][1]["actions"][1]["to"] = "nowhere"
    with pytest.raises(BpmnError, match="processing.*nowhere"):
        to_bpmn(process, name="x", code="x")
    process = birth_process()
    process["steps"].append(dict(process["steps"][1]))
    with pytest.raises(BpmnError, match="processing"):
        to_bpmn(process, name="x", code="x")


# --- the exported document -----------------------------------------------------------------

def check_structure(xml: bytes, process: dict) -> None:
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(xml)
    assert root.tag == f"{{{BPMN}}}definitions"
    for prefix, uri in NS.items():
        assert root.nsmap[prefix] == uri
    ids = [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"

    (bprocess,) = root.findall("bpmn:process", NS)
    assert bprocess.get("isExecutable") == "false"
    (participant,) = root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == bprocess.get("id")
    nodes = {e.get("id"): e for tag in ("startEvent", "userTask", "endEvent")
             for e in bprocess.findall(f"bpmn:{tag}", NS)}
    flows = bprocess.findall("bpmn:sequenceFlow", NS)
    assert len(bprocess.findall("bpmn:startEvent", NS)) == 1

    # every flow joins two flow nodes, and the nodes list it
    for flow in flows:
        source, target = nodes[flow.get("sourceRef")], nodes[flow.get("targetRef")]
        assert flow.get("id") in [e.text for e in source.findall("bpmn:outgoing", NS)]
        assert flow.get("id") in [e.text for e in target.findall("bpmn:incoming", NS)]

    # tasks: one per step, in order; their flows are the actions that lead somewhere
    tasks = bprocess.findall("bpmn:userTask", NS)
    assert [t.get("id") for t in tasks] == [f"Step_{s['id']}" for s in process["steps"]]
    assert [t.get("name") for t in tasks] == [s["name"] for s in process["steps"]]
    ends = {e.get("id"): e.get("name") for e in bprocess.findall("bpmn:endEvent", NS)}
    for step in process["steps"]:
        leaving = [f for f in flows if f.get("sourceRef") == f"Step_{step['id']}"]
        expected = []
        for action in step.get("actions", []):
            if "to" in action:
                expected.append((action["action"], f"Step_{action['to']}"))
            elif action["action"] in ("return_result", "refuse", "withdraw"):
                expected.append((action["action"], None))
        assert [f.get("name") for f in leaving] == [name for name, _ in expected]
        for flow, (name, target) in zip(leaving, expected):
            # alternatives, not a parallel split: each flow is conditional on its action
            condition = flow.find("bpmn:conditionExpression", NS)
            assert condition.text == f"action == '{name}'"
            assert condition.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "bpmn:tFormalExpression"
            if target:
                assert flow.get("targetRef") == target
            else:
                assert ends[flow.get("targetRef")] == {"return_result": "Đã trả kết quả", "refuse": "Từ chối",
                                                       "withdraw": "Đã rút hồ sơ"}[name]

    # lanes: every flow node in exactly one lane, each lane one role
    lanes = bprocess.findall("bpmn:laneSet/bpmn:lane", NS)
    refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(nodes)
    roles = [lane.find("bpmn:extensionElements/motcua:lane", NS).get("role") for lane in lanes]
    assert len(roles) == len(set(roles))
    for lane in lanes:
        role = lane.find("bpmn:extensionElements/motcua:lane", NS).get("role")
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            step = next((s for s in process["steps"] if f"Step_{s['id']}" == ref.text), None)
            if step is not None:
                assert step.get("role") == role

    # the diagram: a shape for the pool, every lane and node, an edge for every flow
    (plane,) = root.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    shapes = {}
    for shape in plane.findall("bpmndi:BPMNShape", NS):
        bounds = shape.find("dc:Bounds", NS)
        shapes[shape.get("bpmnElement")] = tuple(int(bounds.get(k)) for k in ("x", "y", "width", "height"))
    assert set(shapes) == {participant.get("id")} | {lane.get("id") for lane in lanes} | set(nodes)
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert set(edges) == {f.get("id") for f in flows}

    def inside(point, box, slack=1):
        x, y, w, h = box
        return x - slack <= point[0] <= x + w + slack and y - slack <= point[1] <= y + h + slack

    pool = shapes[participant.get("id")]
    for flow in flows:
        points = [(int(p.get("x")), int(p.get("y"))) for p in edges[flow.get("id")].findall("di:waypoint", NS)]
        assert len(points) >= 2
        assert inside(points[0], shapes[flow.get("sourceRef")])
        assert inside(points[-1], shapes[flow.get("targetRef")])
        assert all(inside(p, pool) for p in points)
        # orthogonal
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:]))
    # left to right in the order of the steps; every node inside its lane
    xs = [shapes[t.get("id")][0] for t in tasks]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    for lane in lanes:
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh


def test_exported_birth_registration_is_structurally_valid():
    process = birth_process()
    xml = to_bpmn(process, name="Đăng ký khai sinh", code="1.001193")
    check_structure(xml, process)
    root = etree.fromstring(xml)
    lanes = {lane.get("name") for lane in root.iterfind(".//bpmn:lane", NS)}
    assert lanes == {"Công dân", "Bộ phận Một cửa", "Chuyên viên", "Lãnh đạo"}
    assert root.find("bpmn:process", NS).get("name") == "Đăng ký khai sinh"
    assert "Lãnh đạo Ủy ban nhân dân ký Giấy khai sinh".encode() in xml  # UTF-8, not character references
    task = root.find(".//bpmn:userTask[@id='Step_processing']", NS)
    actions = task.findall("bpmn:extensionElements/motcua:step/motcua:actions/motcua:action", NS)
    assert [(a.get("name"), a.get("role")) for a in actions] == [
        ("assign", "Leader"), ("forward", None), ("request_supplement", None), ("transfer", None),
        ("apologize", None)]


# --- a process drawn in a modeller ---------------------------------------------------------

MODELLER = HEAD + """
  <bpmn:collaboration id="Collaboration_0x1">
    <bpmn:participant id="Participant_0a" name="Cấp phiếu lý lịch tư pháp" processRef="Process_0b"/>
    <bpmn:participant id="Participant_citizen" name="Công dân"/>
  </bpmn:collaboration>
  <bpmn:process id="Process_0b" isExecutable="true">
    <bpmn:documentation>Vẽ bằng Camunda Modeler</bpmn:documentation>
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_mc" name="Bộ phận Một cửa">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_0tiep1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task-TraKQ</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_done</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_refused</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_cv" name="Công chức tư pháp - hộ tịch">
        <bpmn:flowNodeRef>Step_ThamDinh</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_ld" name="Lãnh đạo UBND xã">
        <bpmn:flowNodeRef>Activity_ky</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Nộp hồ sơ">
      <bpmn:outgoing>Flow_s</bpmn:outgoing>
      <bpmn:messageEventDefinition id="MessageEventDefinition_1"/>
    </bpmn:startEvent>
    <bpmn:userTask id="Task-TraKQ" name="Trả   kết quả">
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Activity_0tiep1" name="Tiếp nhận hồ sơ">
      <bpmn:incoming>Flow_s</bpmn:incoming>
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
      <bpmn:outgoing>Flow_r</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:manualTask id="Activity_ky" name="Lãnh đạo ký"/>
    <bpmn:userTask id="Step_ThamDinh" name="Thẩm định hồ sơ"/>
    <bpmn:endEvent id="Event_done" name="Đã trả kết quả"/>
    <bpmn:endEvent id="Event_refused" name="Từ chối tiếp nhận"/>
    <bpmn:sequenceFlow id="Flow_s" sourceRef="StartEvent_1" targetRef="Activity_0tiep1"/>
    <bpmn:sequenceFlow id="Flow_1" name="Hồ sơ hợp lệ" sourceRef="Activity_0tiep1" targetRef="Step_ThamDinh"/>
    <bpmn:sequenceFlow id="Flow_r" sourceRef="Activity_0tiep1" targetRef="Event_refused"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Step_ThamDinh" targetRef="Activity_ky"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_ky" targetRef="Task-TraKQ"/>
    <bpmn:sequenceFlow id="Flow_back" name="forward" sourceRef="Activity_ky" targetRef="Step_ThamDinh"/>
    <bpmn:sequenceFlow id="Flow_sup" name="Yêu cầu bổ sung" sourceRef="Step_ThamDinh" targetRef="Activity_0tiep1"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Task-TraKQ" targetRef="Event_done"/>
    <bpmn:textAnnotation id="TextAnnotation_1"><bpmn:text>Thời hạn 3 ngày</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="Association_1" sourceRef="Step_ThamDinh" targetRef="TextAnnotation_1"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_0x1">
      <bpmndi:BPMNShape id="Activity_0tiep1_di" bpmnElement="Activity_0tiep1">
        <dc:Bounds x="270" y="80" width="100" height="80"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_import_from_a_modeller():
    process = from_bpmn(MODELLER.encode("utf-8"))
    assert process == {"steps": [
        {"id": "activity_0tiep1", "name": "Tiếp nhận hồ sơ", "status": 2, "role": "Desk",
         "actions": [{"action": "receive", "to": "thamdinh"}, {"action": "refuse"}]},
        {"id": "thamdinh", "name": "Thẩm định hồ sơ", "status": 4, "role": "Officer",
         "actions": [{"action": "forward", "to": "activity_ky"},
                     {"action": "request_supplement", "to": "activity_0tiep1"}]},
        {"id": "activity_ky", "name": "Lãnh đạo ký", "status": 4, "role": "Leader",
         "actions": [{"action": "approve", "to": "task_trakq"}, {"action": "forward", "to": "thamdinh"}]},
        {"id": "task_trakq", "name": "Trả kết quả", "status": 9, "role": "Desk",
         "actions": [{"action": "return_result"}]},
    ]}
    assert process_errors(process) == {}
    # and what we read, we write back and read the same
    assert from_bpmn(to_bpmn(process, name="Cấp phiếu", code="2.001")) == process


def test_import_of_a_plain_process_without_a_pool():
    xml = HEAD + """
  <bpmn:process id="Process_1" isExecutable="false">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_a" name="Desk"><bpmn:flowNodeRef>Task_a</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_c</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_b" name="Phòng chuyên môn">
        <bpmn:childLaneSet id="LaneSet_2">
          <bpmn:lane id="Lane_b1" name="Chuyên viên"><bpmn:flowNodeRef>Task_b</bpmn:flowNodeRef></bpmn:lane>
        </bpmn:childLaneSet>
        <bpmn:flowNodeRef>Task_b</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:task id="Task_a" name="Nhận"/>
    <bpmn:task id="Task_b" name="Xử lý"/>
    <bpmn:task id="Task_c" name="Giao"/>
    <bpmn:endEvent id="End_1"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Task_a" targetRef="Task_b"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_b" targetRef="Task_c"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_c" targetRef="End_1"/>
  </bpmn:process>
</bpmn:definitions>"""
    process = from_bpmn(xml.encode())
    assert process == {"steps": [
        {"id": "task_a", "name": "Nhận", "status": 2, "role": "Desk",
         "actions": [{"action": "receive", "to": "task_b"}]},
        {"id": "task_b", "name": "Xử lý", "status": 4, "role": "Officer",
         "actions": [{"action": "forward", "to": "task_c"}]},
        {"id": "task_c", "name": "Giao", "status": 9, "role": "Desk", "actions": [{"action": "return_result"}]},
    ]}
    assert process_errors(process) == {}


def test_import_of_our_export_edited_in_a_modeller():
    """A flow removed in the modeller drops its action; a task and flows drawn since are read
    like any modeller's; what only our extension says is kept."""
    root = etree.fromstring(to_bpmn(birth_process(), name="Đăng ký khai sinh", code="1.001193"))
    bprocess = root.find("bpmn:process", NS)
    refused = bprocess.find("bpmn:sequenceFlow[@id='Flow_reception_2']", NS)
    bprocess.remove(refused)
    bprocess.remove(bprocess.find("bpmn:endEvent[@id='End_refused']", NS))
    for ref in bprocess.iterfind(".//bpmn:flowNodeRef", NS):
        if ref.text == "End_refused":
            ref.getparent().remove(ref)
    officer = bprocess.find("bpmn:laneSet/bpmn:lane[@id='Lane_Officer']", NS)
    etree.SubElement(officer, f"{{{BPMN}}}flowNodeRef").text = "Activity_check2"
    etree.SubElement(bprocess, f"{{{BPMN}}}userTask", id="Activity_check2", name="Kiểm tra lần hai")
    etree.SubElement(bprocess, f"{{{BPMN}}}sequenceFlow", id="Flow_new1", sourceRef="Step_processing",
                     targetRef="Activity_check2")
    etree.SubElement(bprocess, f"{{{BPMN}}}sequenceFlow", id="Flow_new2", sourceRef="Activity_check2",
                     targetRef="Step_approval")
    process = from_bpmn(etree.tostring(root))

    expected = birth_process()
    expected["steps"][0]["actions"] = [a for a in expected["steps"][0]["actions"] if a["action"] != "refuse"]
    expected["steps"][1]["actions"].append({"action": "forward", "to": "activity_check2"})
    expected["steps"].append({"id": "activity_check2", "name": "Kiểm tra lần hai", "status": 4, "role": "Officer",
                              "actions": [{"action": "forward", "to": "approval"}]})
    by_id = {s["id"]: s for s in process["steps"]}
    assert by_id == {s["id"]: s for s in expected["steps"]}
    assert process["steps"][0]["id"] == "reception"
    assert process_errors(process) == {}


def test_step_ids_from_bpmn_ids():
    from builder.process.bpmn import _normal_id

    assert _normal_id("Step_reception") == "reception"
    assert _normal_id("Step_a__b") == "a__b"  # already a valid step id: kept as it is
    assert _normal_id("Activity_0x1ABC") == "activity_0x1abc"
    assert _normal_id("Task-Thẩm.Định") == "task_tham_dinh"
    assert _normal_id("Step_1st") == "step_1st"
    assert _normal_id("_") == "step"
    assert len(_normal_id("Activity_" + "x" * 100)) == 64


def test_other_prefixes_and_a_modeller_rewrite_are_read_alike():
    process = birth_process()
    xml = to_bpmn(process, name="Đăng ký khai sinh", code="1.001193")
    renamed = (xml.replace(b"bpmn:", b"semantic:").replace(b"xmlns:bpmn=", b"xmlns:semantic=")
               .replace(b"<motcua:", b"<mc:").replace(b"</motcua:", b"</mc:").replace(b"xmlns:motcua=", b"xmlns:mc="))
    assert b"<mc:step" in renamed and b"motcua:" not in renamed.replace(b"urn:motcua:", b"")
    assert from_bpmn(renamed) == process
    # as a modeller saves it: attributes re-quoted, whitespace re-indented, no XML declaration
    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    assert from_bpmn(etree.tostring(root)) == process
    assert from_bpmn(xml.decode("utf-8").replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")) == process


def test_lane_names_in_vietnamese_and_english():
    from builder.process.bpmn import _role_from_name

    assert _role_from_name("Một cửa") == "Desk"
    assert _role_from_name("Bộ phận Một cửa UBND huyện") == "Desk"
    assert _role_from_name("Bộ phận tiếp nhận và trả kết quả") == "Desk"
    assert _role_from_name("Chuyên viên phòng Tư pháp") == "Officer"
    assert _role_from_name("CÔNG CHỨC") == "Officer"
    assert _role_from_name("Lãnh đạo") == "Leader"
    assert _role_from_name("leader") == "Leader"
    assert _role_from_name("Công dân") == "Citizen"
    assert _role_from_name("Deskjet") is None
    assert _role_from_name("Kế toán") is None


# --- what cannot be mapped -----------------------------------------------------------------

def modeller(body: str, lanes: str | None = None) -> bytes:
    """A small modeller-style process around ``body``: reception → processing → end."""
    if lanes is None:
        lanes = """
      <bpmn:lane id="Lane_d" name="Một cửa"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_o" name="Chuyên viên"><bpmn:flowNodeRef>T2</bpmn:flowNodeRef></bpmn:lane>"""
    return (HEAD + f"""
  <bpmn:process id="Process_1" isExecutable="false">
    <bpmn:laneSet id="LaneSet_1">{lanes}
    </bpmn:laneSet>
    <bpmn:startEvent id="S"/>
    <bpmn:userTask id="T1" name="Tiếp nhận"/>
    <bpmn:userTask id="T2" name="Xử lý"/>
    <bpmn:endEvent id="E" name="Đã trả kết quả"/>
    <bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="T1"/>
    <bpmn:sequenceFlow id="F1" sourceRef="T1" targetRef="T2"/>
    {body}
  </bpmn:process>
</bpmn:definitions>""").encode("utf-8")


def test_the_small_modeller_process_imports():
    assert from_bpmn(modeller('<bpmn:sequenceFlow id="F2" sourceRef="T2" targetRef="E"/>')) == {"steps": [
        {"id": "t1", "name": "Tiếp nhận", "status": 2, "role": "Desk", "actions": [{"action": "receive", "to": "t2"}]},
        {"id": "t2", "name": "Xử lý", "status": 4, "role": "Officer", "actions": [{"action": "return_result"}]},
    ]}


DOCTYPE_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">&x;</bpmn:definitions>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""


@pytest.mark.parametrize("xml, element, words", [
    (modeller('<bpmn:exclusiveGateway id="Gateway_1"/>'), "Gateway_1", "gateway"),
    (modeller('<bpmn:subProcess id="SubProcess_1"><bpmn:userTask id="X" name="x"/></bpmn:subProcess>'),
     "SubProcess_1", "sub-process"),
    (modeller('<bpmn:serviceTask id="Service_1" name="Gửi SMS"/>'), "Service_1", "serviceTask"),
    (modeller('<bpmn:boundaryEvent id="Timer_1" attachedToRef="T2"/>'), "Timer_1", "boundary"),
    (modeller('<bpmn:sequenceFlow id="Flow_bad" sourceRef="T2" targetRef="Nowhere"/>'), "Flow_bad", "Nowhere"),
    (modeller('<bpmn:sequenceFlow id="Flow_end" name="receive" sourceRef="T2" targetRef="E"/>'), "Flow_end",
     "receive"),
    (modeller('<bpmn:sequenceFlow id="Flow_out" sourceRef="E" targetRef="T1"/>'), "Flow_out", "end event"),
    (modeller('<bpmn:startEvent id="S2"/>'), "S2", "start event"),
    (modeller('<bpmn:sequenceFlow id="F1" sourceRef="T2" targetRef="E"/>'), "F1", "same id"),
    (modeller('<bpmn:intermediateThrowEvent id="Event_mail"/>'), "Event_mail", "intermediate"),
    (modeller('<bpmn:sequenceFlow id="F9" sourceRef="S" targetRef="T2"/>'), "S", "more than one"),
    (modeller('<bpmn:userTask id="T3" name="Kế toán thu phí"/>',
              lanes='<bpmn:lane id="Lane_d" name="Một cửa"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef></bpmn:lane>'
                    '<bpmn:lane id="Lane_o" name="Chuyên viên"><bpmn:flowNodeRef>T2</bpmn:flowNodeRef></bpmn:lane>'
                    '<bpmn:lane id="Lane_k" name="Kế toán"><bpmn:flowNodeRef>T3</bpmn:flowNodeRef></bpmn:lane>'),
     "T3", "Lane_k"),
    (modeller('<bpmn:userTask id="T3" name="Ngoài làn"/>'), "T3", "no lane"),
    (modeller('<bpmn:userTask id="T4"/>',
              lanes='<bpmn:lane id="L" name="Desk"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef>'
                    '<bpmn:flowNodeRef>T2</bpmn:flowNodeRef><bpmn:flowNodeRef>T4</bpmn:flowNodeRef></bpmn:lane>'),
     "T4", "no name"),
    (modeller('', lanes='<bpmn:lane id="Lane_o" name="Chuyên viên"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef>'
                        '<bpmn:flowNodeRef>T2</bpmn:flowNodeRef></bpmn:lane>'), "T1", "first step"),
    (modeller('', lanes='<bpmn:lane id="Lane_d" name="Một cửa"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef>'
                        '<bpmn:flowNodeRef>T2</bpmn:flowNodeRef></bpmn:lane>'
                        '<bpmn:lane id="Lane_o" name="Chuyên viên"><bpmn:flowNodeRef>T2</bpmn:flowNodeRef></bpmn:lane>'),
     "Lane_o", "also in lane"),
    (modeller('', lanes='<bpmn:lane id="Lane_d" name="Một cửa"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef>'
                        '<bpmn:flowNodeRef>T2</bpmn:flowNodeRef><bpmn:flowNodeRef>Ghost</bpmn:flowNodeRef></bpmn:lane>'),
     "Lane_d", "Ghost"),
    ((HEAD + '<bpmn:process id="Process_empty"><bpmn:startEvent id="S"/></bpmn:process></bpmn:definitions>')
     .encode(), "Process_empty", "no userTask"),
    ((HEAD + '<bpmn:collaboration id="C"/></bpmn:definitions>').encode(), "Definitions_1", "no process"),
    ((HEAD + '<bpmn:process id="P1"><bpmn:userTask id="A" name="a"/></bpmn:process>'
             '<bpmn:process id="P2"><bpmn:userTask id="B" name="b"/></bpmn:process></bpmn:definitions>').encode(),
     "P2", "only one process"),
])
def test_what_cannot_be_mapped_is_named(xml, element, words):
    with pytest.raises(BpmnError) as caught:
        from_bpmn(xml)
    message = str(caught.value)
    assert f"'{element}'" in message, message
    assert words.lower() in message.lower(), message
    assert caught.value.element == element
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("xml, words", [
    (b"<bpmn:definitions", "not well-formed"),
    (b"", "not well-formed"),
    (b"\xff\xfe not xml", "not well-formed"),
    (DOCTYPE_ENTITY, "DOCTYPE"),
    (LAUGHS, "DOCTYPE"),
    ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE d SYSTEM "http://example.invalid/d.dtd">\n'
     f'<bpmn:definitions xmlns:bpmn="{BPMN}" id="D"/>'.encode("utf-16"), "DOCTYPE"),
    (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "not BPMN"),
    (b'<?xml version="1.0"?><definitions id="D"/>', "not BPMN"),
    (b'<?xml version="1.0"?><bpmn:process xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="P"/>',
     "not BPMN"),
])
def test_documents_that_are_not_bpmn_are_refused(xml, words):
    with pytest.raises(BpmnError, match=words):
        from_bpmn(xml)


def test_our_extension_is_checked():
    xml = to_bpmn(birth_process(), name="x", code="x").replace(b'status="4" role="Officer"',
                                                                  b'status="11" role="Officer"')
    with pytest.raises(BpmnError, match="userTask 'Step_processing'.*status") as caught:
        from_bpmn(xml)
    assert caught.value.element == "Step_processing"
    xml = to_bpmn(birth_process(), name="x", code="x").replace(b'name="transfer"', b'name="teleport"')
    with pytest.raises(BpmnError, match="Step_processing.*teleport"):
        from_bpmn(xml)
