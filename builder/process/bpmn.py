"""A service package's process as BPMN 2.0 XML, and back (API.md: ``process.bpmn``).

``to_bpmn`` writes a document a modeller (bpmn.io, Camunda Modeler) opens as a
tidy diagram: one pool with a lane per role, a start event (the citizen
submits), a user task per step, end events for the terminal outcomes and a
sequence flow per action that leads somewhere. What BPMN cannot say (a step's
status, role, agency, duration and its actions without a target) travels in
``extensionElements`` under ``urn:motcua:process``, so that
``from_bpmn(to_bpmn(p)) == p``.

``from_bpmn`` also reads a process drawn in a modeller without our extension
elements: tasks become steps, lanes give roles, outgoing sequence flows give
actions. What cannot be mapped raises :class:`BpmnError` naming the element.

Import rules (no extension elements):

* ``userTask`` (also a plain ``task`` or a ``manualTask``) → a step; its id is
  the BPMN id without a ``Step_`` prefix, folded to ``^[a-z][a-z0-9_]{0,63}$``;
  its name is the task's ``name``.
* the role is the lane's: a lane named Desk / Officer / Leader / Citizen /
  Admin, or in Vietnamese "Bộ phận Một cửa" / "Một cửa" / "Bộ phận tiếp nhận
  và trả kết quả" → Desk, "Chuyên viên" / "Công chức" / "Cán bộ" → Officer,
  "Lãnh đạo" → Leader, "Công dân" / "Người dân" → Citizen, "Quản trị" → Admin
  (matched without diacritics, on the name's first words: "Lãnh đạo UBND" is a
  Leader lane); a nested lane without a known name takes its parent's role.
* the first step is the one the start event leads to; the others follow in
  the order the flows reach them.
* actions come from the outgoing sequence flows, in document order: the
  flow's name when it is one of our action names (or its Vietnamese label,
  e.g. "Tiếp nhận", "Trình ký", "Phê duyệt", "Trả kết quả"), else inferred:
  into an end event → ``refuse`` / ``withdraw`` when the end event is named so
  ("Từ chối", "Đã rút hồ sơ"), else ``return_result``; from the first step →
  ``receive``; to a Leader step → ``forward``; from a Leader step →
  ``approve``; otherwise ``forward``.
* status: 2 for the first (Desk) step, 9 for a Desk step that returns the
  result, 5 for a Citizen step, 4 for the others.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from lxml import etree
from unidecode import unidecode

from builder.process.calendar import MAX_DURATION, UNITS

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
MOTCUA = "urn:motcua:process"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "motcua": MOTCUA, "xsi": XSI}

ACTIONS = ("receive", "refuse", "request_supplement", "supplement", "assign", "forward", "approve",
           "return_result", "transfer", "apologize", "withdraw")
ROLES = ("Desk", "Officer", "Leader", "Citizen", "Admin")
ACTION_ROLES = ("Desk", "Officer", "Leader")
STEP_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NEEDS_TARGET = ("receive", "forward")

START_ID, START_NAME = "Start_submitted", "Công dân nộp hồ sơ"
# terminal action (without a target) → its end event
TERMINALS = {
    "return_result": ("End_returned", "Đã trả kết quả"),
    "refuse": ("End_refused", "Từ chối"),
    "withdraw": ("End_withdrawn", "Đã rút hồ sơ"),
}
# lanes top to bottom; None is the lane of steps without a role
LANE_ORDER = ("Citizen", "Desk", "Officer", "Leader", "Admin", None)
LANE_NAMES = {
    "Citizen": "Công dân",
    "Desk": "Bộ phận Một cửa",
    "Officer": "Chuyên viên",
    "Leader": "Lãnh đạo",
    "Admin": "Quản trị hệ thống",
    None: "Chưa phân vai trò",
}
# folded (ASCII, lower-case) lane names → role; matched on the name's first words
ROLE_WORDS = (
    ("Desk", ("desk", "bo phan mot cua", "mot cua", "bo phan tiep nhan va tra ket qua",
              "tiep nhan va tra ket qua", "bo phan tiep nhan", "reception")),
    ("Officer", ("officer", "chuyen vien", "cong chuc", "can bo")),
    ("Leader", ("leader", "lanh dao")),
    ("Citizen", ("citizen", "applicant", "cong dan", "nguoi dan", "nguoi nop ho so")),
    ("Admin", ("admin", "administrator", "quan tri")),
)
# folded flow labels → action
ACTION_WORDS = {
    "tiep nhan": "receive", "tiep nhan ho so": "receive",
    "tu choi": "refuse", "tu choi tiep nhan": "refuse", "khong tiep nhan": "refuse",
    "yeu cau bo sung": "request_supplement", "yeu cau bo sung ho so": "request_supplement",
    "bo sung": "supplement", "bo sung ho so": "supplement",
    "phan cong": "assign", "giao xu ly": "assign",
    "chuyen": "forward", "chuyen xu ly": "forward", "chuyen tiep": "forward", "trinh": "forward",
    "trinh ky": "forward", "trinh duyet": "forward", "trinh lanh dao": "forward",
    "duyet": "approve", "phe duyet": "approve", "ky duyet": "approve", "ky": "approve",
    "tra ket qua": "return_result",
    "chuyen lien thong": "transfer", "lien thong": "transfer",
    "xin loi": "apologize", "gia han": "apologize",
    "rut ho so": "withdraw", "rut": "withdraw",
}
STEP_TAGS = ("userTask", "task", "manualTask")
# BPMN elements of a process that carry nothing for the process and are left alone
IGNORED_TAGS = {
    "documentation", "extensionElements", "auditing", "monitoring", "property", "ioSpecification",
    "ioBinding", "supportedInterfaceRef", "correlationSubscription", "textAnnotation", "association",
    "group", "dataObject", "dataObjectReference", "dataStoreReference",
}
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
CONTAINERS = ("subProcess", "adHocSubProcess", "transaction", "callActivity", "callChoreography",
              "subChoreography", "choreographyTask")
OTHER_TASKS = ("serviceTask", "scriptTask", "sendTask", "receiveTask", "businessRuleTask")
OTHER_EVENTS = ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "implicitThrowEvent")


class BpmnError(ValueError):
    """The BPMN document cannot be read as (or written from) a process.

    ``element`` is the id of the element at fault, when there is one."""

    def __init__(self, message: str, element: str | None = None):
        super().__init__(message)
        self.element = element


# --- export ---------------------------------------------------------------------------------

# diagram geometry (pixels)
POOL_X, POOL_Y = 120, 60
POOL_LABEL = LANE_LABEL = 30
LANE_H = 140
COL_W = 170
TASK_W, TASK_H = 100, 80
EVENT = 36
FIRST_CX = POOL_X + POOL_LABEL + LANE_LABEL + 70


@dataclass
class _Node:
    id: str
    lane: int
    col: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return FIRST_CX + self.col * COL_W

    @property
    def cy(self) -> int:
        return POOL_Y + self.lane * LANE_H + LANE_H // 2


def _b(parent, tag: str, ns: str = BPMN, /, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            element.set(key, str(value))
    return element


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _checked_steps(process: Any) -> list[dict]:
    if not isinstance(process, dict) or not isinstance(process.get("steps"), list) or not process["steps"]:
        raise BpmnError(_("The process must be an object with a non-empty list of steps."))
    steps = process["steps"]
    ids: set[str] = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str) or not STEP_ID.match(step["id"]):
            raise BpmnError(_("Step %(n)s has no valid id (^[a-z][a-z0-9_]{0,63}$).", n=i))
        sid = step["id"]
        if sid in ids:
            raise BpmnError(_("Step '%(step)s': another step has the same id.", step=sid), sid)
        ids.add(sid)
        if not isinstance(step.get("name"), str) or not step["name"]:
            raise BpmnError(_("Step '%(step)s' has no name.", step=sid), sid)
        if not isinstance(step.get("status"), int) or isinstance(step["status"], bool):
            raise BpmnError(_("Step '%(step)s': its status must be an integer.", step=sid), sid)
        if "role" in step and step["role"] not in ROLES:
            raise BpmnError(_("Step '%(step)s': unknown role %(role)r.", step=sid, role=step["role"]), sid)
        actions = step.get("actions", [])
        if not isinstance(actions, list):
            raise BpmnError(_("Step '%(step)s': its actions must be a list.", step=sid), sid)
        for j, action in enumerate(actions):
            if (not isinstance(action, dict) or action.get("action") not in ACTIONS
                    or set(action) - {"action", "to", "role"}):
                raise BpmnError(_("Step '%(step)s': action %(n)s is not valid.", step=sid, n=j), sid)
            if "role" in action and action["role"] not in ACTION_ROLES:
                raise BpmnError(_("Step '%(step)s': action %(n)s has an unknown role %(role)r.", step=sid, n=j,
                                  role=action["role"]), sid)
    for step in steps:
        for action in step.get("actions", []):
            if "to" in action and action["to"] not in ids:
                raise BpmnError(_("Step '%(step)s': its action %(action)s leads to %(to)r, which is no step.",
                                  step=step["id"], action=action["action"], to=action["to"]), step["id"])
    return steps


def _plain_duration(duration: Any) -> bool:
    return (isinstance(duration, dict) and set(duration) == {"value", "unit"} and _number(duration["value"])
            and isinstance(duration["unit"], str))


def _step_extension(parent, step: dict, flow_of: dict[int, str]) -> None:
    ext = _b(_b(parent, "extensionElements"), "step", MOTCUA, status=step["status"], role=step.get("role"))
    extra = {k: v for k, v in step.items()
             if k not in ("id", "name", "status", "role", "agency_code", "duration", "actions")}
    if isinstance(step.get("agency_code"), str):
        ext.set("agencyCode", step["agency_code"])
    elif "agency_code" in step:
        extra["agency_code"] = step["agency_code"]
    if _plain_duration(step.get("duration")):
        _b(ext, "duration", MOTCUA, value=json.dumps(step["duration"]["value"]), unit=step["duration"]["unit"])
    elif "duration" in step:
        extra["duration"] = step["duration"]
    if "actions" in step:
        actions = _b(ext, "actions", MOTCUA)
        for j, action in enumerate(step["actions"]):
            _b(actions, "action", MOTCUA, name=action["action"], to=action.get("to"), role=action.get("role"),
               flow=flow_of.get(j))
    if extra:
        _b(ext, "extra", MOTCUA).text = json.dumps(extra, ensure_ascii=False, sort_keys=True)


def _route(s: _Node, t: _Node, occupied: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Orthogonal waypoints: vertical runs only in the gaps between columns,
    horizontal runs at a node's height when nothing stands in the way, else in
    a lane's channel above (backwards) or below (forwards) its nodes."""
    sx, sy, tx, ty = s.cx + s.w // 2, s.cy, t.cx - t.w // 2, t.cy
    after, before = s.cx + COL_W // 2, t.cx - COL_W // 2
    between = range(s.col + 1, t.col)

    def clear(lane: int) -> bool:
        return not any((lane, c) in occupied for c in between)

    if t.col > s.col:
        if s.lane == t.lane and clear(s.lane):
            return [(sx, sy), (tx, ty)]
        if s.lane != t.lane and clear(t.lane):
            return [(sx, sy), (after, sy), (after, ty), (tx, ty)]
        if s.lane != t.lane and clear(s.lane):
            return [(sx, sy), (before, sy), (before, ty), (tx, ty)]
        channel = POOL_Y + (s.lane + 1) * LANE_H - 15
    else:
        channel = POOL_Y + s.lane * LANE_H + 15
    return [(sx, sy), (after, sy), (after, channel), (before, channel), (before, ty), (tx, ty)]


def to_bpmn(process: dict, *, name: str, code: str) -> bytes:
    """The process as a BPMN 2.0 document (UTF-8, with its XML declaration)."""
    steps = _checked_steps(process)
    key = re.sub(r"[^A-Za-z0-9._-]", "_", str(code)) or "process"
    process_id, participant_id, collaboration_id = f"Process_{key}", f"Participant_{key}", f"Collaboration_{key}"

    # flows: (id, source, target, name); an action's flow is Flow_<step>_<index>
    flows: list[tuple[str, str, str, str | None]] = []
    flow_of: dict[str, dict[int, str]] = {}
    end_source: dict[str, str] = {}  # end event → the first step leading to it
    for step in steps:
        sid = step["id"]
        flow_of[sid] = {}
        for j, action in enumerate(step.get("actions", [])):
            if "to" in action:
                target = f"Step_{action['to']}"
            elif action["action"] in TERMINALS:
                target = TERMINALS[action["action"]][0]
                end_source.setdefault(target, sid)
            else:
                continue
            flow_id = f"Flow_{sid}_{j}"
            flow_of[sid][j] = flow_id
            flows.append((flow_id, f"Step_{sid}", target, action["action"]))
    flows.insert(0, ("Flow_start", START_ID, f"Step_{steps[0]['id']}", None))
    end_names = dict(TERMINALS.values())

    # lanes and the grid: the start event, then each step followed by the end events it leads to first
    role_of = {step["id"]: step.get("role") for step in steps}
    used = {"Citizen", *role_of.values()}
    lanes = [role for role in LANE_ORDER if role in used]
    lane_index = {role: i for i, role in enumerate(lanes)}
    nodes: dict[str, _Node] = {START_ID: _Node(START_ID, lane_index["Citizen"], 0, EVENT, EVENT)}
    col = 0
    for step in steps:
        col += 1
        nodes[f"Step_{step['id']}"] = _Node(f"Step_{step['id']}", lane_index[step.get("role")], col, TASK_W, TASK_H)
        for end_id, source in end_source.items():
            if source == step["id"]:
                col += 1
                nodes[end_id] = _Node(end_id, lane_index[step.get("role")], col, EVENT, EVENT)
    occupied = {(node.lane, node.col) for node in nodes.values()}
    members: dict[Any, list[str]] = {role: [] for role in lanes}
    members["Citizen"].append(START_ID)
    for step in steps:
        members[step.get("role")].append(f"Step_{step['id']}")
        for end_id, source in end_source.items():
            if source == step["id"]:
                members[step.get("role")].append(end_id)
    incoming: dict[str, list[str]] = {node: [] for node in nodes}
    outgoing: dict[str, list[str]] = {node: [] for node in nodes}
    for flow_id, source, target, _action in flows:
        outgoing[source].append(flow_id)
        incoming[target].append(flow_id)

    def refs(element, node_id: str) -> None:
        for flow_id in incoming[node_id]:
            _b(element, "incoming").text = flow_id
        for flow_id in outgoing[node_id]:
            _b(element, "outgoing").text = flow_id

    try:
        root = etree.Element(f"{{{BPMN}}}definitions", nsmap=NSMAP)
        root.set("id", f"Definitions_{key}")
        root.set("targetNamespace", f"urn:motcua:procedure:{key}")
        root.set("exporter", "Một Cửa Builder")
        root.set("exporterVersion", "1")
        collaboration = _b(root, "collaboration", id=collaboration_id)
        _b(collaboration, "participant", id=participant_id, name=name, processRef=process_id)

        bprocess = _b(root, "process", id=process_id, name=name, isExecutable="false")
        pext = _b(_b(bprocess, "extensionElements"), "procedure", MOTCUA, code=code)
        extra = {k: v for k, v in process.items() if k != "steps"}
        if extra:
            _b(pext, "extra", MOTCUA).text = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        lane_set = _b(bprocess, "laneSet", id=f"LaneSet_{key}")
        for role in lanes:
            lane = _b(lane_set, "lane", id=f"Lane_{role or 'unassigned'}", name=LANE_NAMES[role])
            _b(_b(lane, "extensionElements"), "lane", MOTCUA, role=role)
            for node_id in members[role]:
                _b(lane, "flowNodeRef").text = node_id

        start = _b(bprocess, "startEvent", id=START_ID, name=START_NAME)
        refs(start, START_ID)
        for step in steps:
            task = _b(bprocess, "userTask", id=f"Step_{step['id']}", name=step["name"])
            _step_extension(task, step, flow_of[step["id"]])
            refs(task, f"Step_{step['id']}")
        for end_id in end_source:
            end = _b(bprocess, "endEvent", id=end_id, name=end_names[end_id])
            refs(end, end_id)
        for flow_id, source, target, action in flows:
            flow = _b(bprocess, "sequenceFlow", id=flow_id, name=action, sourceRef=source, targetRef=target)
            if action is not None:
                # a step's flows are alternatives, one per action: conditional flows (the modeller
                # marks them with a small diamond), not an implicit parallel split
                condition = _b(flow, "conditionExpression")
                condition.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
                condition.text = f"action == '{action}'"

        # the diagram
        width = FIRST_CX + col * COL_W + COL_W // 2 + 10 - POOL_X
        plane = _b(_b(root, "BPMNDiagram", BPMNDI, id=f"BPMNDiagram_{key}"), "BPMNPlane", BPMNDI,
                   id=f"BPMNPlane_{key}", bpmnElement=collaboration_id)

        def shape(element_id: str, x: int, y: int, w: int, h: int, horizontal: bool = False) -> None:
            di = _b(plane, "BPMNShape", BPMNDI, id=f"{element_id}_di", bpmnElement=element_id,
                    isHorizontal="true" if horizontal else None)
            _b(di, "Bounds", DC, x=x, y=y, width=w, height=h)

        shape(participant_id, POOL_X, POOL_Y, width, LANE_H * len(lanes), True)
        for i, role in enumerate(lanes):
            shape(f"Lane_{role or 'unassigned'}", POOL_X + POOL_LABEL, POOL_Y + i * LANE_H,
                  width - POOL_LABEL, LANE_H, True)
        for node in nodes.values():
            shape(node.id, node.cx - node.w // 2, node.cy - node.h // 2, node.w, node.h)
        for flow_id, source, target, _action in flows:
            edge = _b(plane, "BPMNEdge", BPMNDI, id=f"{flow_id}_di", bpmnElement=flow_id)
            for x, y in _route(nodes[source], nodes[target], occupied):
                _b(edge, "waypoint", DI, x=x, y=y)
    except ValueError as exc:  # lxml: a string that XML cannot hold (control characters)
        raise BpmnError(_("The process cannot be written as XML: %(error)s", error=exc)) from None
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


# --- import ---------------------------------------------------------------------------------

@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str | None
    element: etree._Element


@dataclass
class _Task:
    element: etree._Element
    id: str
    step_id: str = ""
    role: str | None = None
    ext: etree._Element | None = None
    outgoing: list[_Flow] = field(default_factory=list)


def _local(element) -> str:
    return etree.QName(element).localname


def _ns(element) -> str | None:
    return etree.QName(element).namespace


def _label(element) -> str:
    """How a message names an element: its tag and id (or its line when it has no id)."""
    ident = element.get("id")
    if ident:
        return f"{_local(element)} '{ident}'"
    return _("%(tag)s (line %(line)s, no id)", tag=_local(element), line=element.sourceline)


def _fail(element, why: str):
    raise BpmnError(f"{_label(element)}: {why}", element.get("id"))


def _fold(text: str | None) -> str:
    return " ".join(unidecode(text or "").lower().split())


def _role_from_name(name: str | None) -> str | None:
    folded = _fold(name)
    for role, words in ROLE_WORDS:
        for word in words:
            if re.match(rf"{re.escape(word)}(?![a-z0-9])", folded):
                return role
    return None


def _action_from_name(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    plain = re.sub(r"[\s-]+", "_", name.strip().lower())
    if plain in ACTIONS:
        return plain
    return ACTION_WORDS.get(_fold(name))


def _end_kind(name: str | None) -> str:
    folded = _fold(name)
    if re.search(r"\b(tu choi|khong tiep nhan|refus\w*|reject\w*)\b", folded):
        return "refuse"
    if re.search(r"\b(rut|withdr\w*)\b", folded):
        return "withdraw"
    return "return_result"


def _normal_id(bpmn_id: str) -> str:
    sid = bpmn_id[len("Step_"):] if bpmn_id.startswith("Step_") else bpmn_id
    if STEP_ID.match(sid):
        return sid
    sid = re.sub(r"[^a-z0-9]+", "_", unidecode(sid).lower()).strip("_")
    sid = re.sub(r"_+", "_", sid)
    if not sid or not sid[0].isalpha():
        sid = f"step_{sid}".rstrip("_")
    return sid[:64].rstrip("_")


def _parse(xml: bytes) -> etree._Element:
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if not isinstance(xml, (bytes, bytearray)):
        raise BpmnError(_("The BPMN document must be given as bytes."))
    if re.search(rb"<!(DOCTYPE|ENTITY)", bytes(xml)):
        raise BpmnError(_("The document has a DOCTYPE or ENTITY declaration; they are refused."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(bytes(xml), parser)
    except etree.XMLSyntaxError as exc:
        raise BpmnError(_("The document is not well-formed XML: %(error)s", error=exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise BpmnError(_("The document has a DOCTYPE declaration; DOCTYPEs and entities are refused."))
    if root.tag != f"{{{BPMN}}}definitions":
        raise BpmnError(_("The document is not BPMN 2.0: its root element is '%(tag)s' in the namespace "
                          "%(namespace)s, not 'definitions' in the namespace %(bpmn)s.",
                          tag=_local(root), namespace=_ns(root) or "-", bpmn=BPMN), root.get("id"))
    return root


def _the_process(root) -> etree._Element:
    processes = root.findall(f"{{{BPMN}}}process")
    if not processes:
        _fail(root, _("the document has no process."))

    def drawn(process) -> bool:
        return any(isinstance(child.tag, str) and _ns(child) == BPMN
                   and _local(child) not in IGNORED_TAGS | {"laneSet"} for child in process)

    with_content = [process for process in processes if drawn(process)]
    if len(with_content) > 1:
        _fail(with_content[1], _("only one process can be imported; the document has %(ids)s.",
                                 ids=", ".join(repr(p.get("id")) for p in with_content)))
    return (with_content or processes)[0]


def _lanes(process) -> dict[str, tuple[etree._Element, str | None]]:
    """Flow node id → (its innermost lane, the role that lane stands for)."""
    found: dict[str, tuple[int, etree._Element, str | None]] = {}

    def walk(lane_set, depth: int, inherited: str | None) -> None:
        for lane in lane_set.findall(f"{{{BPMN}}}lane"):
            ext = lane.find(f"{{{BPMN}}}extensionElements/{{{MOTCUA}}}lane")
            if ext is not None:
                role = ext.get("role")
                if role is not None and role not in ROLES:
                    _fail(lane, _("its role %(role)r is none of %(roles)s.", role=role, roles=", ".join(ROLES)))
            else:
                role = _role_from_name(lane.get("name")) or inherited
            for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
                node_id = (ref.text or "").strip()
                previous = found.get(node_id)
                if previous is not None and previous[0] == depth:
                    _fail(lane, _("the flow node '%(node)s' is also in lane '%(lane)s'; a step has one role.",
                                  node=node_id, lane=previous[1].get("id")))
                if previous is None or depth > previous[0]:
                    found[node_id] = (depth, lane, role)
            for child in lane.findall(f"{{{BPMN}}}childLaneSet"):
                walk(child, depth + 1, role)

    for lane_set in process.findall(f"{{{BPMN}}}laneSet"):
        walk(lane_set, 0, None)
    return {node_id: (lane, role) for node_id, (_depth, lane, role) in found.items()}


def _unsupported(element) -> str:
    tag = _local(element)
    if tag in GATEWAYS:
        return _("gateways cannot be mapped: draw each choice as its own sequence flow from the task "
                 "(a step's actions are its choices).")
    if tag in CONTAINERS:
        return _("sub-processes and call activities cannot be mapped: draw their steps as user tasks of this "
                 "process.")
    if tag in OTHER_TASKS:
        return _("a %(tag)s cannot be mapped: only user tasks (a person's step) become steps.", tag=tag)
    if tag in OTHER_EVENTS:
        return _("intermediate and boundary events cannot be mapped: only a start event and end events are.")
    return _("the BPMN element %(tag)s cannot be mapped to a process step.", tag=tag)


def _ext_step(task: _Task) -> dict:
    """The step's fields our extension carries (status, role, agency, duration, extra keys)."""
    ext = task.ext
    out: dict[str, Any] = {}
    try:
        status = int(ext.get("status", ""))
    except ValueError:
        status = None
    if status is None or not 1 <= status <= 10:
        _fail(task.element, _("its motcua:step status %(status)r is not an integer from 1 to 10.",
                                 status=ext.get("status")))
    out["status"] = status
    if ext.get("role") is not None:
        if ext.get("role") not in ROLES:
            _fail(task.element, _("its motcua:step role %(role)r is none of %(roles)s.", role=ext.get("role"),
                                     roles=", ".join(ROLES)))
        out["role"] = ext.get("role")
    if ext.get("agencyCode") is not None:
        out["agency_code"] = ext.get("agencyCode")
    duration = ext.find(f"{{{MOTCUA}}}duration")
    if duration is not None:
        try:
            value = json.loads(duration.get("value", ""))
        except ValueError:
            value = None
        if not _number(value) or not 0 <= value <= MAX_DURATION or duration.get("unit") not in UNITS:
            _fail(task.element, _("its motcua:duration needs a number value from 0 to %(max)s and a unit of "
                                  "%(units)s.", max=MAX_DURATION, units=", ".join(UNITS)))
        out["duration"] = {"value": value, "unit": duration.get("unit")}
    extra = ext.find(f"{{{MOTCUA}}}extra")
    if extra is not None:
        try:
            more = json.loads(extra.text or "")
        except ValueError:
            more = None
        if not isinstance(more, dict):
            _fail(task.element, _("its motcua:extra is not a JSON object."))
        out["extra"] = more
    return out


def from_bpmn(xml: bytes) -> dict:
    """The process (``{"steps": [...]}``) a BPMN 2.0 document describes."""
    root = _parse(xml)
    process = _the_process(root)

    # the flow nodes: a start event, tasks, end events; anything else is refused
    tasks: dict[str, _Task] = {}
    events: dict[str, etree._Element] = {}
    starts: list[etree._Element] = []
    flow_elements: list[etree._Element] = []
    seen: set[str] = set()
    for child in process:
        if not isinstance(child.tag, str) or _ns(child) != BPMN:
            continue
        tag = _local(child)
        if tag in IGNORED_TAGS or tag == "laneSet":
            continue
        if tag not in STEP_TAGS + ("startEvent", "endEvent", "sequenceFlow"):
            _fail(child, _unsupported(child))
        if not child.get("id"):
            _fail(child, _("it has no id."))
        if child.get("id") in seen:
            _fail(child, _("another element of the process has the same id."))
        seen.add(child.get("id"))
        if tag == "sequenceFlow":
            flow_elements.append(child)
        elif tag in STEP_TAGS:
            tasks[child.get("id")] = _Task(child, child.get("id"),
                                           ext=child.find(f"{{{BPMN}}}extensionElements/{{{MOTCUA}}}step"))
        else:
            events[child.get("id")] = child
            if tag == "startEvent":
                starts.append(child)
    if not tasks:
        _fail(process, _("it has no userTask; each step of the process is a user task."))
    if len(starts) > 1:
        _fail(starts[1], _("the process has more than one start event (also '%(other)s'); a dossier enters "
                           "the process at one step.", other=starts[0].get("id")))

    flows: dict[str, _Flow] = {}
    for element in flow_elements:
        flow = _Flow(element.get("id"), element.get("sourceRef") or "", element.get("targetRef") or "",
                     element.get("name"), element)
        for end, ref in (("sourceRef", flow.source), ("targetRef", flow.target)):
            if ref not in tasks and ref not in events:
                _fail(element, _("its %(end)s %(ref)r names no task or event of the process (only user tasks, "
                                 "a start event and end events can be mapped).", end=end, ref=ref))
        source = tasks.get(flow.source)
        if source is None and _local(events[flow.source]) == "endEvent":
            _fail(element, _("it leaves the end event '%(event)s'; an end event ends the process.", event=flow.source))
        if flow.target in events and _local(events[flow.target]) == "startEvent":
            _fail(element, _("it leads into the start event '%(event)s'; nothing leads back to the submission.",
                             event=flow.target))
        if source is None and flow.target not in tasks:
            _fail(element, _("it leads from the start event straight to an end event; the first step must be a task."))
        if source is not None:
            source.outgoing.append(flow)
        flows[flow.id] = flow

    # lanes → roles
    lanes = _lanes(process)
    known = set(tasks) | set(events)
    for node_id, (lane, _role) in lanes.items():
        if node_id not in known:
            _fail(lane, _("its flowNodeRef '%(node)s' names no task or event of the process.", node=node_id))
    for task in tasks.values():
        lane, role = lanes.get(task.id, (None, None))
        if role is None and task.ext is not None:
            role = task.ext.get("role")
        if role is None and task.ext is None:
            if lane is None:
                _fail(task.element, _("it is in no lane; put it in a lane named after its role "
                                      "(Bộ phận Một cửa, Chuyên viên, Lãnh đạo; or Desk, Officer, Leader)."))
            _fail(task.element, _("its lane '%(lane)s' (%(name)r) is named after no role; name the lane Bộ phận "
                                  "Một cửa, Chuyên viên, Lãnh đạo, Công dân (or Desk, Officer, Leader, Citizen, "
                                  "Admin).", lane=lane.get("id"), name=lane.get("name")))
        task.role = role

    # step ids and names
    taken: set[str] = set()
    for task in tasks.values():
        sid, n = _normal_id(task.id), 2
        while sid in taken:
            suffix = f"_{n}"
            sid, n = _normal_id(task.id)[:64 - len(suffix)] + suffix, n + 1
        taken.add(sid)
        task.step_id = sid
        name = task.element.get("name") or ""
        if not (name if task.ext is not None else name.strip()):
            _fail(task.element, _("it has no name; a step needs one."))

    # the first step: where the start event leads, else the first task nothing leads to
    if starts and any(f.source == starts[0].get("id") for f in flows.values()):
        leaving = [f for f in flows.values() if f.source == starts[0].get("id")]
        if len(leaving) > 1:
            _fail(starts[0], _("more than one sequence flow leaves it; the dossier enters the process at one step."))
        first = tasks[leaving[0].target]
    else:
        entered = {f.target for f in flows.values() if f.source in tasks and f.source != f.target}
        first = next((t for t in tasks.values() if t.id not in entered), next(iter(tasks.values())))

    def inferred(task: _Task, flow: _Flow) -> dict:
        named = _action_from_name(flow.name)
        target = tasks.get(flow.target)
        if target is None:  # an end event
            action = named or _end_kind(events[flow.target].get("name"))
            if action in NEEDS_TARGET:
                _fail(flow.element, _("the action %(action)s must lead to a step, not to the end event '%(event)s'.",
                                      action=action, event=flow.target))
            return {"action": action}
        if named:
            action = named
        elif task is first:
            action = "receive"
        elif target.role == "Leader":
            action = "forward"
        elif task.role == "Leader":
            action = "approve"
        else:
            action = "forward"
        return {"action": action, "to": target.step_id}

    steps_of: dict[str, dict] = {}
    for task in tasks.values():
        step: dict[str, Any] = {"id": task.step_id, "name": task.element.get("name")}
        if task.ext is None:
            step["name"] = " ".join(step["name"].split())
            step["status"] = 0  # decided below, once the actions are known
            step["role"] = task.role
            step["actions"] = [inferred(task, flow) for flow in task.outgoing]
        else:
            fields = _ext_step(task)
            step["status"] = fields["status"]
            if task.role is not None:
                step["role"] = task.role
            for key in ("agency_code", "duration"):
                if key in fields:
                    step[key] = fields[key]
            listed = task.ext.find(f"{{{MOTCUA}}}actions")
            if listed is not None or task.outgoing:
                step["actions"] = _ext_actions(task, listed, flows, tasks, inferred)
            step.update(fields.get("extra", {}))
        steps_of[task.id] = step

    # the order: the first step, then (our own export) document order or the order flows reach them
    if all(task.ext is not None for task in tasks.values()):
        order = [first.id] + [tid for tid in tasks if tid != first.id]
    else:
        order, queue = [first.id], [first.id]
        while queue:
            for flow in tasks[queue.pop(0)].outgoing:
                if flow.target in tasks and flow.target not in order:
                    order.append(flow.target)
                    queue.append(flow.target)
        order += [tid for tid in tasks if tid not in order]

    for tid in order:
        task, step = tasks[tid], steps_of[tid]
        if task.ext is None:
            if task is first and task.role == "Desk":
                step["status"] = 2
            elif task.role == "Desk" and any(a["action"] == "return_result" for a in step["actions"]):
                step["status"] = 9
            elif task.role == "Citizen":
                step["status"] = 5
            else:
                step["status"] = 4

    if first.role != "Desk":
        _fail(first.element, _("it is the first step (the start event leads to it) but its role is %(role)s; the "
                               "first step is the reception desk's: put it in the Bộ phận Một cửa (Desk) lane.",
                               role=first.role or "-"))
    if not any(a["action"] == "receive" and "to" in a for a in steps_of[first.id].get("actions", [])):
        _fail(first.element, _("it is the first step but has no receive action: draw a sequence flow from it "
                               "to the step that processes the dossier."))
    result = {"steps": [steps_of[tid] for tid in order]}
    extra = process.find(f"{{{BPMN}}}extensionElements/{{{MOTCUA}}}procedure/{{{MOTCUA}}}extra")
    if extra is not None:
        try:
            more = json.loads(extra.text or "")
        except ValueError:
            more = None
        if not isinstance(more, dict) or "steps" in more:
            _fail(process, _("its motcua:extra is not a JSON object (without steps)."))
        result.update(more)

    from builder.forms.package import process_errors  # late: it pulls in the models

    errors = process_errors(result)
    if errors:
        raise BpmnError(_("The process is not valid: %(errors)s", errors="; ".join(
            f"{where}: {' '.join(str(m) for m in messages)}" for where, messages in errors.items())))
    return result


def _ext_actions(task: _Task, listed, flows: dict[str, _Flow], tasks: dict[str, _Task], inferred) -> list[dict]:
    """The actions our export listed, their targets taken from their flows as they now are
    (a flow removed in a modeller drops its action), then actions for flows drawn since."""
    step_ids = {t.step_id for t in tasks.values()}
    actions: list[dict] = []
    claimed: set[str] = set()
    for element in ([] if listed is None else listed.findall(f"{{{MOTCUA}}}action")):
        name = element.get("name")
        if name not in ACTIONS:
            _fail(task.element, _("its motcua:action %(name)r is none of %(actions)s.", name=name,
                                     actions=", ".join(ACTIONS)))
        action: dict[str, Any] = {"action": name}
        flow_id = element.get("flow")
        if flow_id is not None:
            flow = flows.get(flow_id)
            if flow is None or flow.source != task.id:
                continue
            claimed.add(flow_id)
            if flow.target in tasks:
                action["to"] = tasks[flow.target].step_id
        elif element.get("to") is not None:
            if element.get("to") not in step_ids:
                _fail(task.element, _("its motcua:action %(name)s leads to %(to)r, which is no step.", name=name,
                                         to=element.get("to")))
            action["to"] = element.get("to")
        if name in NEEDS_TARGET and "to" not in action:
            _fail(task.element, _("its motcua:action %(name)s must lead to a step (a sequence flow or a 'to').",
                                     name=name))
        role = element.get("role")
        if role is not None:
            if role not in ACTION_ROLES:
                _fail(task.element, _("its motcua:action %(name)s has a role %(role)r that is none of %(roles)s.",
                                      name=name, role=role, roles=", ".join(ACTION_ROLES)))
            action["role"] = role
        actions.append(action)
    actions += [inferred(task, flow) for flow in task.outgoing if flow.id not in claimed]
    return actions
