"""What every view of /api/v1 shares: the version, JSON answers, paging, and the rule that a route
reaching a row reads it through app/access.py (tests/test_access.py walks these routes as well)."""
from flask import jsonify
from flask_appbuilder.api import BaseApi
from sqlalchemy import func, select

from app.extensions import db
from views.api import payload
from views.api.errors import ApiError
from views.api.schemas import MAX_ID


class ScopedApi(BaseApi):
    """A resource of /api/v1 whose rows come through app/access.py. `row_kind` names the rows
    its <pk> routes take (application, registration, enterprise, person)."""

    version = "v1"
    row_kind = None
    csrf_exempt = True  # the API takes no cookie: a bearer token in the header, never the session
    allow_browser_login = False

    @staticmethod
    def answer(body, status=200):
        response = jsonify(body)
        response.status_code = status
        return response

    @staticmethod
    def checked_id(value):
        """A row id from the path: past the column's range it cannot exist (and some databases
        refuse to compare with it), so it is the same 404 as a row that is not the caller's."""
        if value is None or value < 1 or value > MAX_ID:
            raise ApiError(404)
        return value

    @staticmethod
    def page_of(query, key, args, serialize, options=()):
        """One page of a scoped query: the rows with what they show loaded in a fixed number of
        statements, and the total counted up to LIST_COUNT_ESTIMATE_THRESHOLD rows (then "at least")."""
        page, per_page = args["page"], args["per_page"]
        count, exact = bounded_count(query, key)
        rows = query.options(*options).order_by(key.desc()).limit(per_page).offset((page - 1) * per_page).all()
        return {"count": count, "count_exact": exact, "page": page, "per_page": per_page,
                "items": [serialize(row) for row in rows]}


def bounded_count(query, key):
    from flask import current_app

    threshold = current_app.config.get("LIST_COUNT_ESTIMATE_THRESHOLD") or 0
    keys = query.order_by(None).with_entities(key)
    if threshold <= 0:
        return db.session.scalar(select(func.count()).select_from(keys.subquery())), True
    counted = db.session.scalar(select(func.count()).select_from(keys.limit(threshold + 1).subquery()))
    return (counted, True) if counted <= threshold else (threshold, False)


def query_args(parameters):
    return payload.query_args(parameters)
