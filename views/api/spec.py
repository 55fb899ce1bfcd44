"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/_openapi and drawn by Swagger UI.

Every route under /api/v1 is here (tests/test_api.py compares this with the app's routes), with
the errors it can answer; schemathesis (tests/test_api_schema.py) checks the answers against it.
"""
import json

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from app import business_types, states
from views.api import schemas
from views.api.schemas import MAX_ID, MAX_PAGE, ref

V1 = "/api/v1"

ERRORS = {
    400: _l("请求格式或参数不正确"),
    401: _l("缺少访问令牌、令牌无效或已过期；登录接口：用户名、密码或验证码不正确"),
    403: _l("当前账号无权执行此操作"),
    404: _l("记录不存在或不在您的权限范围内"),
    409: _l("与记录的当前状态冲突（已被他人处理、当前状态不允许等）"),
    413: _l("请求内容超过大小上限"),
    422: _l("内容不满足业务规则（附带原因）"),
    429: _l("操作过于频繁"),
    503: _l("短信暂时无法发送"),
}


def _errors(*statuses):
    return {str(status): {"$ref": f"#/components/responses/{status}"} for status in statuses}


def _json(schema, description):
    return {"description": str(description), "content": {"application/json": {"schema": schema}}}


def _body(schema_name):
    return {"required": True, "content": {"application/json": {"schema": ref(schema_name)}}}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name, description):
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


PK = _path("pk", _l("记录编号（id）"))
FILE_ID = _path("file_id", _l("附件编号（id）"))


def page_parameters():
    size = current_app.config["API_MAX_PAGE_SIZE"]
    return [
        _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, _l("页码，从1开始")),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": size, "default": 20},
               _l("每页条数，最多%(size)s", size=size)),
    ]


def application_list_parameters():
    return page_parameters() + [
        _query("status", {"type": "string", "enum": list(states.labels())}, _l("按状态筛选")),
        _query("business_type", {"type": "string", "enum": [t.code for t in business_types.BUSINESS_TYPES]},
               _l("按业务类型筛选")),
    ]


def registration_list_parameters():
    return page_parameters() + [_query("status", {"type": "string", "enum": schemas.REGISTRATION_STATUSES},
                                       _l("按注册状态筛选"))]


def credit_list_parameters():
    return page_parameters() + [_query("kind", {"type": "string", "enum": ["bad_conduct", "penalty"]},
                                       _l("按记录类型筛选"))]


def unlock_request_list_parameters():
    return page_parameters() + [_query("status", {"type": "string", "enum": list(states.UNLOCK_STATES)},
                                       _l("按处理状态筛选"))]


def campaign_target_list_parameters():
    return page_parameters() + [
        _query("campaign_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, _l("按专项整治筛选")),
        _query("status", {"type": "string", "enum": [s.code for s in states.CAMPAIGN_STATES]}, _l("按状态筛选")),
    ]


def unit_parameters():
    return [_query("q", {"type": "string", "maxLength": 64, "pattern": schemas.LINE},
                   _l("单位名称、曾用名（至少2个字）或统一社会信用代码（至少6位）"))]


def _operation(tag, summary, responses, *, description=None, parameters=(), body=None, auth=True, **extra):
    operation = {"tags": [tag], "summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = list(parameters)
    if body:
        operation["requestBody"] = body
    operation["security"] = [{"bearerAuth": []}] if auth else []
    operation.update(extra)
    return operation


TAGS = (_l("登录"), _l("申请"), _l("查询"), _l("基础数据"), _l("工作人员令牌"), _l("注册监管"))


def paths():
    auth, apps, records, refs, staff, watch = TAGS
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": list(business_types.ATTACHMENT_KINDS), "description": _l("附件类型")},
            "file": {"type": "string", "format": "binary", "description": _l("PDF、JPG或PNG，按内容识别")},
            "commitment": {"type": "boolean", "description": _l("以告知承诺书代替证明材料（仅继续教育证明）")},
        },
        "required": ["kind", "file"],
    }}}}
    download = {"description": str(_l("附件文件")), "content": {
        mime: {"schema": {"type": "string", "format": "binary"}}
        for mime in ("application/pdf", "image/png", "image/jpeg")}}
    return {
        f"{V1}/auth/login": {"post": _operation(
            auth, _l("登录第一步：用户名和密码"),
            {"200": _json(ref("SignIn"), _l("已向账号登记的手机号发送验证码，返回 challenge")),
             **_errors(400, 401, 403, 429)},
            description=_l("与登录页规则相同：任何账号（含注册中心、管理员）仅凭密码都不能获得令牌，须再提交短信验证码"
                           "（POST /api/v1/auth/verify）；同一用户名当日密码错误达到上限即锁定数分钟（429 account_locked）。"),
            body=_body("LoginRequest"), auth=False)},
        f"{V1}/auth/verify": {"post": _operation(
            auth, _l("登录第二步：短信验证码"),
            {"200": _json(ref("Token"), _l("访问令牌；以 Authorization: Bearer <令牌> 调用其他接口")),
             **_errors(400, 401, 429)},
            body=_body("VerifyRequest"), auth=False)},
        f"{V1}/auth/resend": {"post": _operation(
            auth, _l("重新发送短信验证码"),
            {"200": _json(ref("CodeStep"), _l("已重新发送，返回新的 challenge")), **_errors(400, 401, 403, 429, 503)},
            body=_body("ResendRequest"), auth=False)},
        f"{V1}/auth/me": {"get": _operation(
            auth, _l("当前令牌对应的账号"), {"200": _json(ref("Me"), _l("账号")), **_errors(401)})},
        f"{V1}/security/login": {"post": _operation(
            staff, _l("工作人员令牌（Flask-AppBuilder 接口）"),
            _errors(400, 401, 429),
            description=_l("不发放令牌：任何账号仅凭密码都不能登录，一律返回401，请使用 /api/v1/auth/login。"),
            body=_body("StaffLoginRequest"), auth=False, deprecated=True)},
        f"{V1}/security/refresh": {"post": _operation(
            staff, _l("以刷新令牌换取新的访问令牌（工作人员）"),
            {"200": _json(ref("StaffToken"), _l("访问令牌")), **_errors(401, 422)},
            description=_l("Authorization 须为 /api/v1/security/login 返回的 refresh_token。"))},

        f"{V1}/applications/": {
            "get": _operation(apps, _l("申请列表（当前账号可见的）"),
                              {"200": _json(ref("ApplicationPage"), _l("一页申请")), **_errors(400, 401)},
                              parameters=application_list_parameters()),
            "post": _operation(apps, _l("新增申请（申请人）"),
                               {"201": _json(ref("Application"), _l("新建的草稿")), **_errors(400, 401, 403, 409, 413, 422)},
                               description=_l("与“新增”按钮规则相同：不能办理时返回409及原因；"
                                              "未填的个人信息取自个人资料。"),
                               body=_body("ApplicationCreate")),
        },
        f"{V1}/applications/{{pk}}": {
            "get": _operation(apps, _l("申请详情"), {"200": _json(ref("Application"), _l("申请")), **_errors(401, 404)},
                              parameters=[PK]),
            "patch": _operation(apps, _l("修改申请（申请人，仅在草稿或退回状态）"),
                                {"200": _json(ref("Application"), _l("修改后的申请")),
                                 **_errors(400, 401, 403, 404, 409, 413, 422)},
                                parameters=[PK], body=_body("ApplicationUpdate")),
        },
        f"{V1}/applications/{{pk}}/moves": {
            "get": _operation(apps, _l("当前账号现在可执行的办理操作"),
                              {"200": _json(ref("MoveList"), _l("可执行的操作")), **_errors(401, 404)},
                              parameters=[PK]),
            "post": _operation(apps, _l("办理：提交、撤回、通过、不通过、准予注册、退回、不予注册……"),
                               {"200": _json(ref("MoveResult"), _l("已办理")),
                                **_errors(400, 401, 404, 409, 413, 422)},
                               description=_l("与页面按钮走同一流程（app/workflow.py）。版本号不符或当前状态不允许时返回409；"
                                              "材料不全等不满足规则时返回422，problems 列出原因。"),
                               parameters=[PK], body=_body("MoveRequest")),
        },
        f"{V1}/applications/{{pk}}/attachments": {
            "get": _operation(apps, _l("附件及所需材料清单"),
                              {"200": _json(ref("AttachmentList"), _l("附件")), **_errors(401, 404)},
                              parameters=[PK]),
            "post": _operation(apps, _l("上传附件（申请人，替换同类附件）"),
                               {"201": _json(ref("Attachment"), _l("已上传")),
                                **_errors(400, 401, 403, 404, 409, 413, 422)},
                               parameters=[PK], body=upload),
        },
        f"{V1}/applications/{{pk}}/attachments/{{file_id}}": {
            "get": _operation(apps, _l("下载附件"), {"200": download, **_errors(401, 404)},
                              parameters=[PK, FILE_ID]),
            "delete": _operation(apps, _l("删除附件（申请人）"),
                                 {"204": {"description": str(_l("已删除"))}, **_errors(401, 403, 404, 409)},
                                 parameters=[PK, FILE_ID]),
        },
        f"{V1}/registrations/": {"get": _operation(
            records, _l("注册证书列表"), {"200": _json(ref("RegistrationPage"), _l("一页注册")), **_errors(400, 401)},
            parameters=registration_list_parameters())},
        f"{V1}/registrations/{{pk}}": {"get": _operation(
            records, _l("注册证书详情"), {"200": _json(ref("Registration"), _l("注册")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/registrations/{{pk}}/supervision": {
            "get": _operation(watch, _l("注册的监管状态、可执行措施与监管记录"),
                              {"200": _json(ref("SupervisionState"), _l("监管状态")), **_errors(401, 404)},
                              parameters=[PK]),
            "post": _operation(watch, _l("监管措施（注册中心）：锁定、解锁、暂停执业、恢复执业、撤销注册"),
                               {"200": _json(ref("SupervisionState"), _l("已执行")),
                                **_errors(400, 401, 403, 404, 409, 422)},
                               description=_l("与“在册监管”页面相同（app/supervision.py）：当前状态不允许时返回409；"
                                              "缺少原因、来源、截止日期或决定文号时返回422，problems 列出原因。"),
                               parameters=[PK], body=_body("SupervisionRequest")),
        },
        f"{V1}/registrations/{{pk}}/unlock-request": {"post": _operation(
            watch, _l("申请解锁（持证人）"),
            {"201": _json(ref("UnlockRequest"), _l("已提交")), **_errors(400, 401, 403, 404, 409, 413, 422)},
            description=_l("理由以JSON提交；需附证明材料时改以 multipart/form-data 提交：字段 reason（理由）与可选的 file"
                           "（PDF、JPG或PNG，按内容识别，大小限制与附件相同），与页面相同。注册未锁定或已有待处理的申请时返回409；"
                           "文件不被接受时返回422及原因。"),
            parameters=[PK], body={"required": True, "content": {
                "application/json": {"schema": ref("UnlockRequestCreate")},
                "multipart/form-data": {"schema": {
                    "type": "object",
                    "properties": {
                        "reason": schemas.unlock_request_create()["properties"]["reason"],
                        "file": {"type": "string", "format": "binary",
                                 "description": _l("可选的证明材料：PDF、JPG或PNG，按内容识别")},
                    },
                    "required": ["reason"],
                }}}})},
        f"{V1}/registrations/{{pk}}/unlock-request/decision": {"post": _operation(
            watch, _l("处理解锁申请（注册中心）：同意解锁或不予解锁"),
            {"200": _json(ref("UnlockRequest"), _l("已处理")), **_errors(400, 401, 403, 404, 409, 422)},
            parameters=[PK], body=_body("UnlockDecision"))},
        f"{V1}/unlock-requests/": {"get": _operation(
            watch, _l("解锁申请列表（注册中心：全部；个人：本人）"),
            {"200": _json(ref("UnlockRequestPage"), _l("一页解锁申请")), **_errors(400, 401)},
            parameters=unlock_request_list_parameters())},
        f"{V1}/commitment-draws/": {
            "get": _operation(watch, _l("告知承诺核查的抽查记录（注册中心）"),
                              {"200": _json(ref("CommitmentDrawPage"), _l("一页抽查")), **_errors(400, 401)},
                              parameters=page_parameters()),
            "post": _operation(watch, _l("按比例随机抽取以告知承诺办结的申请（注册中心）"),
                               {"201": _json(ref("CommitmentDraw"), _l("抽查结果，含随机种子")),
                                **_errors(400, 401, 403, 422)},
                               description=_l("随机种子与可抽查申请的编号随抽查保存：以种子初始化 random.Random，"
                                              "对升序排列的编号调用 sample 抽取“件数×比例”（向上取整）件，结果相同。"),
                               body=_body("DrawRequest")),
        },
        f"{V1}/commitment-draws/{{pk}}": {"get": _operation(
            watch, _l("一次抽查：种子、可抽查与抽中的申请、复核结果、各件核查结果"),
            {"200": _json(ref("CommitmentDraw"), _l("抽查")), **_errors(401, 404)}, parameters=[PK])},
        f"{V1}/commitment-checks/{{pk}}": {"post": _operation(
            watch, _l("记录核查结果（注册中心）：属实，或不属实并撤销注册"),
            {"200": _json(ref("CommitmentCheck"), _l("已记录")), **_errors(400, 401, 404, 409, 422)},
            parameters=[PK], body=_body("CheckRequest"))},
        f"{V1}/enterprises/": {"get": _operation(
            records, _l("企业列表（注册中心：全部；企业：本单位）"),
            {"200": _json(ref("EnterprisePage"), _l("一页企业")), **_errors(400, 401)}, parameters=page_parameters())},
        f"{V1}/enterprises/{{pk}}": {"get": _operation(
            records, _l("企业详情"), {"200": _json(ref("Enterprise"), _l("企业")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/persons/": {"get": _operation(
            records, _l("人员列表（注册中心：全部；个人：本人）"),
            {"200": _json(ref("PersonPage"), _l("一页人员")), **_errors(400, 401)}, parameters=page_parameters())},
        f"{V1}/persons/{{pk}}": {"get": _operation(
            records, _l("人员详情"), {"200": _json(ref("Person"), _l("人员")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/credit-records/": {
            "get": _operation(records, _l("信用记录列表（注册中心：全部；企业：本单位在册人员；个人：本人）"),
                              {"200": _json(ref("CreditRecordPage"), _l("一页信用记录")), **_errors(400, 401)},
                              parameters=credit_list_parameters()),
            "post": _operation(records, _l("登记信用记录（注册中心）"),
                               {"201": _json(ref("CreditRecord"), _l("已登记的记录")),
                                **_errors(400, 401, 403, 409, 422)},
                               description=_l("与页面“新增”规则相同：内容有误返回422及逐字段原因；"
                                              "同一处罚机关的决定书文号已登记返回409。"),
                               body=_body("CreditRecordCreate")),
        },
        f"{V1}/credit-records/{{pk}}": {"get": _operation(
            records, _l("信用记录详情"), {"200": _json(ref("CreditRecord"), _l("信用记录")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/campaigns/": {
            "get": _operation(records, _l("专项整治列表（注册中心）"),
                              {"200": _json(ref("CampaignPage"), _l("一页专项整治")), **_errors(400, 401)},
                              parameters=page_parameters()),
            "post": _operation(records, _l("开启专项整治（注册中心）"),
                               {"201": _json(ref("Campaign"), _l("新的专项整治")), **_errors(400, 401, 403, 422)},
                               description=_l("答复截止日期与答复期限（工作日）二选一。"),
                               body=_body("CampaignCreate")),
        },
        f"{V1}/campaigns/{{pk}}": {"get": _operation(
            records, _l("专项整治详情及统计"), {"200": _json(ref("Campaign"), _l("专项整治")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/campaigns/{{pk}}/targets": {"post": _operation(
            records, _l("导入核查名单（注册中心）"),
            {"200": _json(ref("CampaignTargetsResult"), _l("列入的人数及逐条问题")), **_errors(400, 401, 404, 422)},
            description=_l("与页面导入规则相同：有误的人员逐条列出原因，不列入；其余照常列入，并向其发送短信和站内通知。"),
            parameters=[PK], body=_body("CampaignTargetsRequest"))},
        f"{V1}/campaign-targets/": {"get": _operation(
            records, _l("整治对象列表（注册中心：全部；企业：本单位；个人：本人）"),
            {"200": _json(ref("CampaignTargetPage"), _l("一页整治对象")), **_errors(400, 401)},
            parameters=campaign_target_list_parameters())},
        f"{V1}/campaign-targets/{{pk}}": {"get": _operation(
            records, _l("整治对象详情"), {"200": _json(ref("CampaignTarget"), _l("整治对象")), **_errors(401, 404)},
            parameters=[PK])},
        f"{V1}/campaign-targets/{{pk}}/moves": {"post": _operation(
            records, _l("办理：已申请注销、审核通过、退回、重新开放答复"),
            {"200": _json(ref("CampaignMoveResult"), _l("已办理")), **_errors(400, 401, 404, 409)},
            description=_l("与页面按钮走同一流程（app/campaigns.py）；当前状态或角色不允许时返回409及原因。"),
            parameters=[PK], body=_body("CampaignMoveRequest"))},
        f"{V1}/campaign-targets/{{pk}}/answer": {"post": _operation(
            records, _l("提交整改（本人）：整改情况说明和证明材料"),
            {"200": _json(ref("CampaignMoveResult"), _l("已提交")), **_errors(400, 401, 404, 409, 413, 422)},
            parameters=[PK], body={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {
                    "answer": {"type": "string", "maxLength": 2000, "description": _l("整改情况说明")},
                    "file": {"type": "string", "format": "binary", "description": _l("PDF、JPG或PNG，按内容识别")},
                    "version": {"type": "integer", "description": _l("调用方看到的版本号")},
                },
                "required": ["answer", "file"],
            }}}})},
        f"{V1}/specialties/": {"get": _operation(
            refs, _l("注册专业"), {"200": _json(ref("SpecialtyList"), _l("专业")), **_errors(401)})},
        f"{V1}/units/": {"get": _operation(
            refs, _l("可选择的聘用单位（申请人）"), {"200": _json(ref("UnitList"), _l("单位")), **_errors(400, 401, 403)},
            parameters=unit_parameters())},
    }


def document():
    """The whole description, as JSON-ready data in the request's language."""
    spec = {
        "openapi": "3.0.3",
        "info": {
            "title": str(_l("二级建造师注册管理平台接口")),
            "version": "1.0.0",
            "description": str(_l(
                "获取令牌分两步：POST /api/v1/auth/login 提交用户名和密码；个人和企业账号随后会收到短信验证码，"
                "以返回的 challenge 和验证码调用 POST /api/v1/auth/verify 换取访问令牌。注册中心、管理员账号第一步即得到令牌。"
                "此后每个请求带 Authorization: Bearer <令牌>；浏览器登录页面的会话不能调用本接口。"
                "错误一律返回 JSON：{\"code\": 错误代码, \"message\": 说明}。")),
        },
        "servers": [{"url": request.script_root or "/"}],
        "tags": [{"name": str(name)} for name in TAGS],  # the order Swagger UI shows them in
        "paths": paths(),
        "components": {
            "schemas": schemas.components(),
            "responses": {str(status): _json(ref("Error"), text) for status, text in ERRORS.items()},
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
    return json.loads(json.dumps(spec, default=str, ensure_ascii=False))
