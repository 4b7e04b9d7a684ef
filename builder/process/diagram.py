"""A process drawn as SVG: steps left to right in their order, in lanes per
role, an arrow per action that leads somewhere, and the end of the process."""
from __future__ import annotations

from xml.sax.saxutils import escape

ROLES = ["Citizen", "Desk", "Officer", "Leader", "Admin", None]
ROLE_LABELS = {"Citizen": "Công dân", "Desk": "Bộ phận Một cửa", "Officer": "Chuyên viên",
               "Leader": "Lãnh đạo", "Admin": "Quản trị", None: "Chưa phân vai trò"}
ENDS = {"return_result": "Đã trả kết quả", "refuse": "Từ chối", "withdraw": "Đã rút"}
BOX_W, BOX_H, GAP_X, LANE_H, LEFT = 150, 54, 60, 90, 120


def _wrap(text: str, width: int = 22) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return (lines + [line])[:3]


def process_svg(process: dict) -> str:
    steps = process["steps"]
    lanes = [r for r in ROLES if any(s.get("role") == r for s in steps)]
    lane_of = {r: i for i, r in enumerate(lanes)}
    pos = {}
    for i, step in enumerate(steps):
        x = LEFT + i * (BOX_W + GAP_X)
        y = lane_of[step.get("role")] * LANE_H + (LANE_H - BOX_H) // 2
        pos[step["id"]] = (x, y)
    width = LEFT + len(steps) * (BOX_W + GAP_X) + 80
    height = len(lanes) * LANE_H + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Sơ đồ quy trình" font-family="DejaVu Sans, sans-serif" font-size="11">',
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>']
    for role, i in lane_of.items():
        parts.append(f'<rect x="0" y="{i * LANE_H}" width="{width}" height="{LANE_H}" fill="{"#f7f9fc" if i % 2 else "#eef3fa"}" stroke="#c8d3e0"/>')
        parts.append(f'<text x="8" y="{i * LANE_H + LANE_H // 2 + 4}" font-weight="bold">{escape(ROLE_LABELS[role])}</text>')
    for step in steps:
        x, y = pos[step["id"]]
        parts.append(f'<g class="step" id="step-{escape(step["id"])}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#fff" stroke="#2a6ebb" stroke-width="1.5"/>')
        for n, line in enumerate(_wrap(step["name"])):
            parts.append(f'<text x="{x + 8}" y="{y + 16 + n * 13}">{escape(line)}</text>')
        parts.append(f'<text x="{x + BOX_W - 8}" y="{y + BOX_H - 6}" text-anchor="end" fill="#777" font-size="9">{step["status"]}</text></g>')
    for step in steps:
        x, y = pos[step["id"]]
        for action in step.get("actions", []):
            target = action.get("to")
            if target in pos:
                tx, ty = pos[target]
                if tx > x:
                    x1, y1, x2, y2 = x + BOX_W, y + BOX_H // 2, tx, ty + BOX_H // 2
                else:  # backwards or to itself: over the top
                    x1, y1, x2, y2 = x + BOX_W // 2, y, tx + BOX_W // 2 + 10, ty
                parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" marker-end="url(#arrow)"/>')
                parts.append(f'<text x="{(x1 + x2) // 2}" y="{(y1 + y2) // 2 - 4}" text-anchor="middle" font-size="9">{escape(action["action"])}</text>')
            elif action["action"] in ENDS:
                ex, ey = x + BOX_W + 30, y + BOX_H // 2
                parts.append(f'<line x1="{x + BOX_W}" y1="{ey}" x2="{ex - 10}" y2="{ey}" stroke="#333" marker-end="url(#arrow)"/>')
                parts.append(f'<circle cx="{ex}" cy="{ey}" r="9" fill="#fff" stroke="#333" stroke-width="3"/>')
                parts.append(f'<text x="{ex}" y="{ey + 22}" text-anchor="middle" font-size="9">{escape(ENDS[action["action"]])}</text>')
    parts.append("</svg>")
    return "".join(parts)
