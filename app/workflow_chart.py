"""Drawings of the workflow, generated from the one table in app/workflow.py (never by hand)."""
from markupsafe import escape

from app import workflow
from app.i18n import chinese

# Where each state sits: the step column of the timeline, and a row inside it.
COLUMNS = {"pending_release": (1, 1), "draft": (0, 0), "returned_by_enterprise": (0, 1), "returned_by_center": (0, 2),
           "pending_enterprise": (1, 0), "pending_center": (2, 0), "approved": (3, 0), "refused": (3, 1)}
# the full procedure: the center's three steps in one column, then 公示, then 公告
FULL_COLUMNS = {**COLUMNS, "rejected_by_center": (0, 3), "under_examination": (2, 1), "pending_decision": (2, 2), "notice_granted": (3, 0),
                "notice_denied": (3, 1), "approved": (4, 0), "refused": (4, 1)}


def columns():
    return FULL_COLUMNS if workflow.procedure() == "full" else COLUMNS
ROLE_COLOURS = {"applicant": "#337ab7", "old_enterprise": "#a94442", "enterprise": "#8a6d3b", "center": "#3c763d"}


def mermaid():
    """The table as a Mermaid flowchart (README, and any Markdown viewer)."""
    lines = ["flowchart LR"]
    for state, label in workflow.STATUS_LABELS.items():
        lines.append(f'    {state}["{chinese(label)}"]')
    for move in workflow.MOVES:
        who = chinese(workflow.ROLE_LABELS[move.role])
        lines.append(f"    {move.source} -->|{who}：{chinese(move.label)}| {move.target}")
    return "\n".join(lines) + "\n"


def _edge(x, y, towards_x, towards_y, box_w, box_h):
    """Where the line from a box's centre towards a point leaves the box (arrows end on borders)."""
    dx, dy = towards_x - x, towards_y - y
    scales = [box_w / 2 / abs(dx) if dx else float("inf"), box_h / 2 / abs(dy) if dy else float("inf")]
    t = min(scales)
    return x + dx * t, y + dy * t


def svg(width=980, row_height=120):
    """The same table as an SVG for the center's staff."""
    layout = columns()
    steps = 1 + max(col for col, _ in layout.values())
    box_w, box_h, col_w = min(150, (width - 40) / steps - 30), 40, (width - 40) / steps
    rows = 1 + max(row for _, row in layout.values())
    height = rows * row_height + 60

    def centre(state):
        col, row = layout[state]
        return 20 + col * col_w + col_w / 2, 40 + row * row_height + box_h / 2

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="workflow-chart" '
             f'role="img" aria-label="{escape(chinese(workflow.STEPS[0][0]))}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>']
    for index, move in enumerate(workflow.MOVES):
        (x1, y1), (x2, y2) = centre(move.source), centre(move.target)
        bend = 40 + 18 * (index % 3)
        forward = x2 > x1 or (x2 == x1 and y2 > y1)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 + (-bend if forward else bend)
        (x1, y1), (x2, y2) = _edge(x1, y1, cx, cy, box_w, box_h), _edge(x2, y2, cx, cy, box_w, box_h)
        colour = ROLE_COLOURS[move.role]
        parts.append(f'<path d="M{x1:.0f},{y1:.0f} Q{cx:.0f},{cy:.0f} {x2:.0f},{y2:.0f}" fill="none" '
                     f'stroke="{colour}" stroke-width="1.4" marker-end="url(#arrow)" opacity="0.8"/>')
        mx, my = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2  # the curve's middle
        parts.append(f'<text x="{mx:.0f}" y="{my - 3:.0f}" font-size="12" fill="{colour}" text-anchor="middle" '
                     f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(chinese(move.label))}</text>')
    for state, label in workflow.STATUS_LABELS.items():
        x, y = centre(state)
        final = state in workflow.FINAL
        parts.append(f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" height="{box_h}" rx="6" '
                     f'fill="{"#dff0d8" if final else "#fff"}" stroke="#555"/>')
        parts.append(f'<text x="{x:.0f}" y="{y + 5:.0f}" font-size="13" text-anchor="middle">'
                     f'{escape(chinese(label))}</text>')
    legend_y = height - 14
    for i, (role, colour) in enumerate(ROLE_COLOURS.items()):
        parts.append(f'<text x="{20 + i * 140}" y="{legend_y}" font-size="12" fill="{colour}">'
                     f'— {escape(chinese(workflow.ROLE_LABELS[role]))}</text>')
    parts.append("</svg>")
    return "".join(parts)
