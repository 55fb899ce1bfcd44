"""Credit records (信用记录) through the API: the caller's records as app/access.py scopes them, and
new records from the center, checked by app/credit.py as the page and the import check them."""
from flask import g
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from app import access, credit
from models import CreditRecord
from views.api import payload, schemas, serialize, spec
from views.api.base import ScopedApi, query_args
from views.api.errors import ApiError
from views.api.tokens import token_required


class CreditRecordsApi(ScopedApi):
    resource_name = "credit-records"
    row_kind = "credit_record"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.credit_list_parameters())
        query = access.credit_records(g.user)
        if args.get("kind"):
            query = query.filter(CreditRecord.kind == args["kind"])
        return self.answer(self.page_of(query, CreditRecord.id, args, serialize.credit_record))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        return self.answer(serialize.credit_record(access.get_credit_record(self.checked_id(pk), g.user), full=True))

    @expose("/", methods=["POST"])
    @token_required
    def post(self):
        data = payload.json_body(schemas.credit_record_create())
        if access.actor(g.user).kind != "center":
            raise ApiError(403, "center_only", _l("只有注册中心可以登记信用记录"))
        try:
            record = credit.add(data, g.user, "api")
        except credit.Refused as refusal:
            duplicate = set(refusal.problems) == {"decision_number"} and credit.existing(
                (data.get("authority") or "").strip(), (data.get("decision_number") or "").strip()) is not None
            raise ApiError(409 if duplicate else 422, "duplicate_decision" if duplicate else "validation_failed",
                           refusal, errors={k: [str(v)] for k, v in refusal.problems.items()}) from None
        return self.answer(serialize.credit_record(record, full=True), 201)
