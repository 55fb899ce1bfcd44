"""Drawings of the workflow, generated from the one table in app/workflow.py (never by hand)."""
from markupsafe import escape

from app import states
from app.i18n import chinese

# Where each state sits: the step column of the timeline, and a row inside it.
COLUMNS = {"pending_release": (1, 1), "draft": (0, 0), "returned_by_enterprise": (0, 1), "returned_by_center": (0, 2),
           "pending_enterprise": (1, 0), "pending_center": (2, 0), "approved": (3, 0), "refused": (3, 1)}
# the full procedure: the center's three steps in one column, then 公示, then 公告
FULL_COLUMNS = {**COLUMNS, "rejected_by_center": (0, 3), "under_examination": (2, 1), "pending_decision": (2, 2), "notice_granted": (3, 0),
                "notice_denied": (3, 1), "approved": (4, 0), "refused": (4, 1)}


def columns():
    return FULL_COLUMNS if states.procedure() == "full" else COLUMNS
ROLE_COLOURS = {"applicant": "#337ab7", "old_enterprise": "#a94442", "enterprise": "#8a6d3b", "center": "#3c763d"}


def mermaid():
    """The table as a Mermaid flowchart (README, and any Markdown viewer)."""
    lines = ["flowchart LR"]
    for state, label in states.labels().items():
        lines.append(f'    {state}["{chinese(label)}"]')
    for move in states.moves():
        who = chinese(states.ROLE_LABELS[move.role])
        lines.append(f"    {move.source} -->|{who}：{chinese(move.label)}| {move.target}")
    return "\n".join(lines) + "\n"


def _edge(x, y, towards_x, towards_y, box_w, box_h):
    """Where the line from a box's centre towards a point leaves the box (arrows end on borders)."""
    dx, dy = towards_x - x, towards_y - y
    scales = [box_w / 2 / abs(dx) if dx else float("inf"), box_h / 2 / abs(dy) if dy else float("inf")]
    t = min(scales)
    return x + dx * t, y + dy * t


LABEL_LINE, LABEL_CHAR = 15, 12.5  # a label's line height and the width of one Chinese character at 12px


def _edges():
    """The table's moves by (from, to): one arrow each, labelled with every move it stands for, so
    that moves between the same two states never draw their labels on top of each other."""
    edges = {}
    for move in states.moves():
        labels = edges.setdefault((move.source, move.target), [])
        entry = (move.role, chinese(move.label))
        if entry not in labels:
            labels.append(entry)
    return edges


def _overlaps(box, boxes, margin=2):
    x, y, w, h = box
    return any(x < bx + bw + margin and bx < x + w + margin and y < by + bh + margin and by < y + h + margin
               for bx, by, bw, bh in boxes)


def _free_spot(x, y, w, h, taken, step=8, tries=10):
    """Where a label centred near (x, y) overlaps no box and no label drawn before: the nearest
    free spot on rings of growing distance around it."""
    for i in range(tries + 1):
        offsets = [(0, 0)] if i == 0 else sorted(
            {(dx * i * step * 2, dy * i * step) for dx in (-1, 0, 1) for dy in (-1, 0, 1)} - {(0, 0)},
            key=lambda o: abs(o[0]) / 2 + abs(o[1]))
        for dx, dy in offsets:
            box = (x + dx - w / 2, y + dy - h / 2, w, h)
            if not _overlaps(box, taken):
                return box
    return (x - w / 2, y - h / 2, w, h)


def svg(width=980, row_height=130):
    """The same table as an SVG for the center's staff."""
    layout = columns()
    steps = 1 + max(col for col, _ in layout.values())
    box_w, box_h, col_w = min(150, (width - 40) / steps - 30), 40, (width - 40) / steps
    rows = 1 + max(row for _, row in layout.values())
    top = 80  # room for the arrows that bend above the first row
    height = top + rows * row_height + 30
    line_h, char_w = LABEL_LINE, LABEL_CHAR

    def centre(state):
        col, row = layout[state]
        return 20 + col * col_w + col_w / 2, top + row * row_height + box_h / 2

    taken = [(x - box_w / 2, y - box_h / 2, box_w, box_h) for x, y in map(centre, states.labels())]
    arrows, labels = [], []
    for index, ((source, target), moves) in enumerate(_edges().items()):
        (x1, y1), (x2, y2) = centre(source), centre(target)
        bend = 36 + 14 * (index % 3) + 0.08 * (abs(x2 - x1) + abs(y2 - y1))
        forward = x2 > x1 or (x2 == x1 and y2 > y1)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 + (-bend if forward else bend)
        (x1, y1), (x2, y2) = _edge(x1, y1, cx, cy, box_w, box_h), _edge(x2, y2, cx, cy, box_w, box_h)
        roles = {role for role, _ in moves}
        colour = ROLE_COLOURS[moves[0][0]] if len(roles) == 1 else "#555"
        arrows.append(f'<path d="M{x1:.0f},{y1:.0f} Q{cx:.0f},{cy:.0f} {x2:.0f},{y2:.0f}" fill="none" '
                      f'stroke="{colour}" stroke-width="1.4" marker-end="url(#arrow)" opacity="0.8"/>')
        mx, my = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2  # the curve's middle
        w = max(len(label) for _, label in moves) * char_w + 6
        bx, by, bw, bh = _free_spot(mx, my, w, line_h * len(moves) + 2, taken)
        taken.append((bx, by, bw, bh))
        lines = "".join(f'<tspan x="{bx + bw / 2:.0f}" dy="{line_h if i else 0}" fill="{ROLE_COLOURS[role]}">'
                        f'{escape(label)}</tspan>' for i, (role, label) in enumerate(moves))
        labels.append(f'<text x="{bx + bw / 2:.0f}" y="{by + line_h - 3:.0f}" font-size="12" text-anchor="middle" '
                      f'stroke="#fff" stroke-width="3" paint-order="stroke">{lines}</text>')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="workflow-chart" '
             f'role="img" aria-label="{escape(chinese(states.steps()[0][0]))}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>', *arrows]
    for state, label in states.labels().items():
        x, y = centre(state)
        final = state in states.FINAL
        parts.append(f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" height="{box_h}" rx="6" '
                     f'fill="{"#dff0d8" if final else "#fff"}" stroke="#555"/>')
        parts.append(f'<text x="{x:.0f}" y="{y + 5:.0f}" font-size="13" text-anchor="middle">'
                     f'{escape(chinese(label))}</text>')
    parts.extend(labels)  # over the arrows and boxes, each in a place of its own
    legend_y = height - 14
    for i, (role, colour) in enumerate(ROLE_COLOURS.items()):
        parts.append(f'<text x="{20 + i * 140}" y="{legend_y}" font-size="12" fill="{colour}">'
                     f'— {escape(chinese(states.ROLE_LABELS[role]))}</text>')
    parts.append("</svg>")
    return "".join(parts)
