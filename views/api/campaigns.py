"""专项整治 through the API: the center's campaigns (open one, list the flagged persons into it, read its
statistics) and the flagged persons' answers and reviews, scoped and moved as on the pages
(app/access.py, app/campaigns.py)."""
from flask import g, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import access, campaigns, storage
from models import Campaign, CampaignTarget
from views.api import payload, schemas, serialize, spec
from views.api.base import ScopedApi, query_args
from views.api.errors import ApiError
from views.api.tokens import token_required


def _refused(refusal):
    problems = refusal.problems if isinstance(refusal.problems, dict) else {}
    return ApiError(422, "refused", refusal, errors={k: [str(v)] for k, v in problems.items()},
                    problems=[str(p) for p in refusal.problems] if isinstance(refusal.problems, list) else [])


class CampaignsApi(ScopedApi):
    resource_name = "campaigns"
    row_kind = "campaign"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.page_parameters())
        return self.answer(self.page_of(access.campaigns(g.user), Campaign.id, args, serialize.campaign))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        return self.answer(serialize.campaign(access.get_campaign(self.checked_id(pk), g.user), full=True))

    @expose("/", methods=["POST"])
    @token_required
    def post(self):
        data = payload.json_body(schemas.campaign_create())
        if access.actor(g.user).kind != "center":
            raise ApiError(403, "center_only", _l("只有注册中心可以开启专项整治"))
        try:
            campaign = campaigns.create(data["name"], data.get("description"), data.get("answer_by"),
                                        data.get("answer_days"), g.user)
        except campaigns.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer(serialize.campaign(campaign, full=True), 201)

    @expose("/<int:pk>/targets", methods=["POST"])
    @token_required
    def post_targets(self, pk):
        """List persons into the campaign: [{id_number, name, issue}], each bad one with its reason."""
        campaign = access.get_campaign(self.checked_id(pk), g.user)
        data = payload.json_body(schemas.campaign_targets_request())
        header = ["身份证号", "姓名", "问题描述"]
        rows = [header] + [[p["id_number"], p.get("name") or "", p.get("issue") or ""] for p in data["persons"]]
        try:
            targets, errors = campaigns.flag_rows(campaign, rows, g.user)
        except campaigns.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer({"flagged": len(targets), "errors": [
            {"index": e.line - 2, "column": e.column, "reason": e.reason} for e in errors]})


class CampaignTargetsApi(ScopedApi):
    resource_name = "campaign-targets"
    row_kind = "campaign_target"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.campaign_target_list_parameters())
        query = access.campaign_targets(g.user)
        if args.get("campaign_id"):
            query = query.filter(CampaignTarget.campaign_id == args["campaign_id"])
        if args.get("status"):
            query = query.filter(CampaignTarget.status == args["status"])
        load = (joinedload(CampaignTarget.campaign), joinedload(CampaignTarget.person),
                joinedload(CampaignTarget.enterprise))
        return self.answer(self.page_of(query, CampaignTarget.id, args, serialize.campaign_target, load))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        target = access.get_campaign_target(self.checked_id(pk), g.user)
        return self.answer(serialize.campaign_target(target, full=True))

    @expose("/<int:pk>/moves", methods=["POST"])
    @token_required
    def post_move(self, pk):
        """A move of the campaign table other than 提交整改: JSON {action, opinion, version}."""
        target = access.get_campaign_target(self.checked_id(pk), g.user)
        data = payload.json_body(schemas.campaign_move_request())
        return self._move(target, data["action"], opinion=data.get("opinion") or "", version=data.get("version"))

    @expose("/<int:pk>/answer", methods=["POST"])
    @token_required
    def post_answer(self, pk):
        """提交整改: multipart/form-data with answer (the statement) and file (the evidence)."""
        target = access.get_campaign_target(self.checked_id(pk), g.user)
        if request.mimetype != "multipart/form-data":
            raise ApiError(400, "multipart_required", _l("请以 multipart/form-data 提交：字段 answer 与 file"))
        errors = {}
        answer = request.form.get("answer")
        if answer is None or len(answer) > 2000:
            errors["answer"] = [str(_l("请填写整改情况说明（最多2000个字）"))]
        if request.files.get("file") is None:
            errors["file"] = [str(_l("请选择要上传的文件"))]
        if errors:
            raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"), errors=errors)
        if not answer.strip():  # the form's shape is right; what it says is not enough
            raise ApiError(422, "answer_required", _l("请填写整改情况说明"))
        return self._move(target, "rectify", answer=answer, upload=request.files.get("file"),
                          version=request.form.get("version"))

    def _move(self, target, action, opinion="", answer="", upload=None, version=None):
        try:
            move = campaigns.transition(target, action, g.user, opinion=opinion, answer=answer, upload=upload,
                                        expected_version=version)
        except storage.Rejected as refusal:
            raise ApiError(422, "file_rejected", refusal) from None
        except campaigns.Refused as refusal:
            raise ApiError(409, "not_allowed", refusal, problems=[str(p) for p in refusal.problems]
                           if isinstance(refusal.problems, list) else []) from None
        return self.answer({"move": move.action, "target": serialize.campaign_target(target, full=True)})
