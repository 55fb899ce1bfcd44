"""The unit picker's search: docked enterprises in business, by name, former name or credit code."""
from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import select

from app.extensions import db
from app.govnet import directory
from models import Enterprise, EnterpriseNameHistory
from views.search import enterprises_named
from views.unit_picker import TOO_SHORT, unit_label

LIMIT = 20


def matching_units(text, limit=LIMIT):
    """Units a person may choose whose name, former name or credit code matches `text`, and for each
    the former names that matched (to say why a unit with another name is listed)."""
    units = db.session.scalars(
        select(Enterprise).where(directory.selectable(), Enterprise.id.in_(enterprises_named(text)))
        .order_by(Enterprise.name, Enterprise.id).limit(limit)
    ).all()
    former = {}
    if units:
        for enterprise_id, old_name in db.session.execute(
            select(EnterpriseNameHistory.enterprise_id, EnterpriseNameHistory.old_name)
            .where(EnterpriseNameHistory.enterprise_id.in_([u.id for u in units]),
                   EnterpriseNameHistory.old_name.contains(text, autoescape=True))
            .order_by(EnterpriseNameHistory.id)
        ):
            former.setdefault(enterprise_id, []).append(old_name)
    return units, former


class UnitLookupView(BaseView):
    route_base = "/units"
    default_view = "search"

    @expose("/search")
    @has_access
    @permission_name("search")
    def search(self):
        """JSON for Select2: {"results": [{id, text, note}], "message": why nothing is listed}."""
        text = (request.args.get("q") or "").strip()[:64]
        if len(text) < 2:
            return jsonify(results=[], message=str(TOO_SHORT))
        units, former = matching_units(text)
        results = [{
            "id": unit.id,
            "text": unit_label(unit),
            "note": str(directory.former_names_note(former[unit.id])) if unit.id in former else "",
        } for unit in units]
        return jsonify(results=results, message=None if results else str(directory.NO_MATCH))
