"""The shapes the API reads and answers, as OpenAPI 3.0 schemas.

The same dictionaries describe the API (views/api/spec.py) and check what callers send
(views/api/payload.py): a field's limits are written once.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l

from app import business_types, states

MAX_ID = 2_147_483_647  # the largest row id (a 32-bit integer column)
MAX_PAGE = 100_000
# text without control characters (NUL is refused by PostgreSQL; the others are never data here)
LINE = r"^[^\x00-\x1f\x7f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # line breaks and tabs allowed


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def string(max_length, min_length=0, pattern=LINE, nullable=False, description=None, **extra):
    schema = {"type": "string", "maxLength": max_length, "pattern": pattern, **extra}
    if min_length:
        schema["minLength"] = min_length
    if nullable:
        schema["nullable"] = True
    if description:
        schema["description"] = description
    return schema


def row_id(description=None, nullable=False):
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if nullable:
        schema["nullable"] = True
    if description:
        schema["description"] = description
    return schema


def obj(properties, required=None, nullable=False, description=None, additional=False):
    schema = {"type": "object", "properties": properties,
              "required": list(properties if required is None else required), "additionalProperties": additional}
    if not schema["required"]:
        del schema["required"]
    if nullable:
        schema["nullable"] = True
    if description:
        schema["description"] = description
    return schema


def array(items, **extra):
    return {"type": "array", "items": items, **extra}


def text(nullable=True):
    return {"type": "string", "nullable": True} if nullable else {"type": "string"}


def moment(nullable=True):
    schema = {"type": "string", "format": "date-time"}
    if nullable:
        schema["nullable"] = True
    return schema


def date(nullable=False):
    schema = {"type": "string", "format": "date"}
    if nullable:
        schema["nullable"] = True
    return schema


def enabled_types():
    """Business types this installation offers (EXTRA_BUSINESS_TYPES may switch some off)."""
    extra = {code for code in current_app.config["EXTRA_BUSINESS_TYPES"].split(",") if code}
    return [t.code for t in business_types.BUSINESS_TYPES
            if t.code not in business_types.EXTRA_TYPES or t.code in extra]


def actions():
    """The actions of the procedure this app runs (CENTER_PROCEDURE in its config), read on each
    call: a list worked out once at import followed the environment, not the app's config, so
    GET …/moves could offer 受理 while POST {"action": "accept"} was refused."""
    return sorted({m.action for m in states.moves()})


REGISTRATION_STATUSES = [s.code for s in states.REGISTRATION_STATES]
SPECIALTY_STATUSES = ["active", "expired"]
# the application form's fields (views/forms.py) and their limits
PERSON_FIELDS = {"ethnicity": 16, "education": 32, "major": 64, "school": 128, "title": 64, "email": 128}


# --- requests -------------------------------------------------------------------------------------

def login_request():
    return obj({"username": string(64, 1, description=_l("用户名")),
                "password": string(128, 1, description=_l("密码"))})


def verify_request():
    return obj({"challenge": string(512, 1, description=_l("登录第一步返回的 challenge")),
                "code": string(16, 1, description=_l("短信验证码（6位数字）"))})


def resend_request():
    return obj({"challenge": string(512, 1, description=_l("登录第一步返回的 challenge"))})


def application_fields():
    fields = {
        "enterprise_id": row_id(_l("聘用单位（GET /api/v1/units/ 查询）；初始、变更、重新注册时必填"), nullable=True),
        "specialty_ids": array(row_id(), maxItems=6, uniqueItems=True,
                               description=_l("注册专业（GET /api/v1/specialties/）；初始、增项、重新注册及注销专业时必填")),
        "reason": string(2000, pattern=TEXT, nullable=True, description=_l("注销原因或遗失情况说明")),
        "accepted_on_commitment": {"type": "boolean", "description": _l(
            "社保比对未通过时以告知承诺继续（初始、延续、变更、重新注册）：须上传劳动合同和签字的告知承诺书")},
    }
    for name, limit in PERSON_FIELDS.items():
        fields[name] = string(limit, nullable=True)
    return fields


def application_create():
    fields = {"business_type": {"type": "string", "enum": enabled_types(), "description": _l("业务类型")}}
    fields.update(application_fields())
    schema = obj(fields, required=["business_type"])
    schema["example"] = {"business_type": "initial", "enterprise_id": 1, "specialty_ids": [1], "title": "工程师"}
    return schema


def application_update():
    fields = application_fields()
    fields["version"] = {"type": "integer", "minimum": 0, "maximum": MAX_ID,
                         "description": _l("调用方看到的版本号；与当前不符时返回409")}
    return obj(fields, required=[])


def move_request():
    schema = obj({
        "action": {"type": "string", "enum": actions(), "description": _l("操作：见 GET …/moves 列出的可执行操作")},
        "opinion": string(2000, pattern=TEXT, nullable=True, description=_l("审核意见（退回、不予注册等必填）")),
        "version": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "nullable": True,
                    "description": _l("调用方看到的版本号；与当前不符时返回409")},
    }, required=["action"])
    schema["example"] = {"action": "submit", "opinion": "", "version": 1}
    return schema


def credit_record_create():
    from app import credit

    schema = obj({
        "name": string(64, 1, description=_l("姓名")),
        "id_number": string(18, 1, description=_l("身份证号")),
        "kind": {"type": "string", "enum": list(credit.KINDS), "description": _l("记录类型：bad_conduct 不良行为记录，penalty 行政处罚")},
        "authority": string(128, 1, description=_l("处罚机关")),
        "decision_number": string(64, 1, description=_l("决定书文号（同一机关不重复）")),
        "decided_on": string(10, 1, description=_l("决定日期，如 2026-03-01")),
        "period_from": string(10, 1, description=_l("限制期自")),
        "period_until": string(10, 1, description=_l("限制期至")),
        "facts": string(2000, pattern=TEXT, nullable=True, description=_l("事由")),
    }, required=["name", "id_number", "kind", "authority", "decision_number", "decided_on", "period_from",
                 "period_until"])
    schema["example"] = {"name": "张三", "id_number": "610102198803150018", "kind": "penalty",
                         "authority": "陕西省住房和城乡建设厅", "decision_number": "陕建罚〔2026〕1号",
                         "decided_on": "2026-03-01", "period_from": "2026-03-01", "period_until": "2027-02-28"}
    return schema


def supervision_request():
    actions = sorted({m.action for m in states.SUPERVISION_TABLE if m.subject == "registration" and m.role == "center"})
    schema = obj({
        "action": {"type": "string", "enum": actions, "description": _l("锁定、解锁、暂停执业、恢复执业、撤销注册")},
        "reason": string(2000, pattern=TEXT, nullable=True, description=_l("原因（各项措施必填）")),
        "source": {"type": "string", "enum": list(states.LOCK_SOURCES), "nullable": True,
                   "description": _l("锁定来源（锁定时必填）")},
        "until": date(nullable=True),
        "decision_number": string(64, nullable=True, description=_l("决定文号（暂停执业、撤销注册时必填）")),
    }, required=["action"])
    schema["properties"]["until"]["description"] = _l("截止日期（锁定时必填，须晚于今天）")
    schema["example"] = {"action": "lock", "reason": "在施项目未竣工", "source": "project", "until": "2027-06-30"}
    return schema


def unlock_request_create():
    return obj({"reason": string(2000, 1, pattern=TEXT, description=_l("申请解锁的理由"))})


def unlock_decision():
    return obj({"action": {"type": "string", "enum": ["grant", "reject"], "description": _l("同意解锁或不予解锁")},
                "opinion": string(2000, pattern=TEXT, nullable=True, description=_l("处理意见（不予解锁时必填）"))},
               required=["action"])


def draw_request():
    return obj({"share": {"type": "integer", "minimum": 1, "maximum": 100, "description": _l("抽查比例（百分比）")},
                "decided_from": date(nullable=True), "decided_until": date(nullable=True)}, required=["share"])


def check_request():
    return obj({"action": {"type": "string", "enum": ["confirm", "disprove"], "description": _l("核查属实或不属实")},
                "note": string(2000, pattern=TEXT, nullable=True, description=_l("核查情况（不属实时必填）")),
                "decision_number": string(64, nullable=True, description=_l("撤销注册的决定文号（不属实时必填）"))},
               required=["action"])


def campaign_create():
    schema = obj({
        "name": string(128, 1, description=_l("名称")),
        "description": string(2000, pattern=TEXT, nullable=True, description=_l("说明")),
        "answer_by": string(10, nullable=True, description=_l("答复截止日期，如 2026-12-31（与答复期限二选一）")),
        "answer_days": {"type": "integer", "minimum": 1, "maximum": 250, "nullable": True,
                        "description": _l("答复期限（工作日，自今天起）")},
    }, required=["name"])
    schema["example"] = {"name": "挂证专项整治", "answer_days": 15}
    return schema


def campaign_targets_request():
    person = obj({"id_number": string(18, 1, description=_l("身份证号")),
                  "name": string(64, nullable=True, description=_l("姓名（可选，用于核对）")),
                  "issue": string(2000, pattern=TEXT, nullable=True, description=_l("问题描述"))},
                 required=["id_number"])
    return obj({"persons": array(person, minItems=1, maxItems=5000)})


CAMPAIGN_ACTIONS = ["approve", "cancel", "reopen", "return"]


def campaign_move_request():
    return obj({
        "action": {"type": "string", "enum": CAMPAIGN_ACTIONS,
                   "description": _l("cancel 已申请注销（本人）；approve 审核通过/确认已整改；return 退回；reopen 重新开放答复")},
        "opinion": string(2000, pattern=TEXT, nullable=True, description=_l("审核意见（退回、重新开放时必填）")),
        "version": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "nullable": True,
                    "description": _l("调用方看到的版本号；与当前不符时返回409")},
    }, required=["action"])


# --- answers --------------------------------------------------------------------------------------

def components():
    specialty = obj({"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}})
    enterprise_ref = obj({"id": {"type": "integer"}, "name": {"type": "string"}, "credit_code": {"type": "string"}},
                         nullable=True)
    summary = {
        "id": {"type": "integer"},
        "number": {"type": "string", "description": _l("申请编号")},
        "business_type": {"type": "string", "enum": [t.code for t in business_types.BUSINESS_TYPES]},
        "business_type_label": {"type": "string"},
        "status": {"type": "string", "enum": list(states.labels())},
        "status_label": {"type": "string"},
        "name": {"type": "string"},
        "id_number": {"type": "string", "description": _l("身份证号（列表中脱敏）")},
        "enterprise": ref("EnterpriseRef"),
        "specialties": array(ref("Specialty")),
        "accepted_on_commitment": {"type": "boolean", "description": _l("社保比对未通过，以劳动合同和告知承诺书继续（审核人员须核实）")},
        "version": {"type": "integer"},
        "created_at": moment(),
        "submitted_at": moment(),
        "decided_at": moment(),
    }
    detail = dict(summary)
    detail.update({
        "sex": {"type": "string"},
        "birth_date": date(nullable=True),  # a unit's filing about itself names no person
        "phone": text(),
        **{name: text() for name in PERSON_FIELDS},
        "reason": text(),
        "registration_id": {"type": "integer", "nullable": True},
        "updated_at": moment(),
        "editable": {"type": "boolean", "description": _l("申请人现在能否修改")},
        "reviews": array(ref("Review")),
        "attachments": array(ref("Attachment")),
    })
    move = obj({
        "action": {"type": "string", "enum": actions()},
        "label": {"type": "string"},
        "role": {"type": "string", "enum": sorted({m.role for m in states.moves()})},
        "target": {"type": "string", "enum": list(states.labels())},
        "target_label": {"type": "string"},
        "opinion": {"type": "string", "enum": ["none", "optional", "required"], "description": _l("审核意见是否必填")},
    })
    registration = obj({
        "id": {"type": "integer"},
        "certificate_number": text(),
        "person": obj({"id": {"type": "integer"}, "name": {"type": "string"}, "id_number": {"type": "string"}}),
        "enterprise": ref("EnterpriseRef"),
        "specialties": array(ref("RegisteredSpecialty"),
                             description=_l("各注册专业及其有效期（含已失效的专业，以状态区分）")),
        "valid_from": date(),
        "valid_until": date(),
        "status": {"type": "string", "enum": REGISTRATION_STATUSES},
        "status_label": {"type": "string"},
        "created_at": moment(),
    })
    enterprise = obj({
        "id": {"type": "integer"},
        "credit_code": {"type": "string"},
        "name": {"type": "string"},
        "legal_representative": text(),
        "registered_address": text(),
        "enterprise_type": text(),
        "govnet_status": {"type": "string"},
        "docked": {"type": "boolean"},
        "docked_at": moment(),
        "synced_at": moment(),
        "contact_person": text(),
        "contact_phone": text(),
        "office_address": text(),
        "qualification_grade": text(),
        "safety_licence_number": text(),
    })
    person_summary = {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "sex": {"type": "string"},
        "id_number": {"type": "string"},
        "phone": text(),
        "verified": {"type": "boolean", "description": _l("已完成实人认证")},
        "verified_at": moment(),
    }
    person = dict(person_summary)
    person.update({
        "birth_date": date(),
        **{name: text() for name in PERSON_FIELDS},
        "qualifications": array(obj({"specialty": ref("Specialty"), "certificate_number": {"type": "string"},
                                     "issue_date": date()})),
    })

    def page(item):
        return obj({
            "count": {"type": "integer", "description": _l("总数；count_exact 为 false 时表示“至少”")},
            "count_exact": {"type": "boolean"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "items": array(ref(item)),
        })

    token = obj({
        "step": {"type": "string", "enum": ["done"]},
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer", "description": _l("秒")},
    })
    code_step = obj({
        "step": {"type": "string", "enum": ["sms_code"]},
        "challenge": {"type": "string", "description": _l("提交验证码时带回；只用于本次登录")},
        "expires_in": {"type": "integer", "description": _l("challenge 的有效秒数")},
        "masked_phone": {"type": "string"},
        "sms_sent": {"type": "boolean", "description": _l("本次是否发出了新的验证码")},
        "resend_in": {"type": "integer", "description": _l("多少秒后可重新获取")},
        "message": {"type": "string"},
    })
    return {
        "Error": obj({
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": _l("稳定的错误代码")},
            "message": {"type": "string", "description": _l("错误说明（中文）")},
            "errors": {"type": "object", "additionalProperties": array({"type": "string"}),
                       "description": _l("逐字段的问题")},
            "problems": array({"type": "string"}, description=_l("业务规则不满足的各项原因")),
            "detail": {"type": "string"},
            "wait_seconds": {"type": "integer"},
        }, required=["code", "message"]),
        "Specialty": specialty,
        "RegisteredSpecialty": obj({
            "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
            "valid_from": date(), "valid_until": date(),
            "status": {"type": "string", "enum": SPECIALTY_STATUSES}, "status_label": {"type": "string"},
        }),
        "EnterpriseRef": enterprise_ref,
        "ApplicationSummary": obj(summary),
        "Application": obj(detail),
        "ApplicationPage": page("ApplicationSummary"),
        "Review": obj({
            "id": {"type": "integer"},
            "action": {"type": "string"},
            "action_label": {"type": "string"},
            "role": {"type": "string"},
            "role_label": {"type": "string"},
            "actor_name": {"type": "string"},
            "from_status": {"type": "string"},
            "to_status": {"type": "string"},
            "opinion": text(),
            "created_at": moment(),
        }),
        "Attachment": obj({
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "kind_label": {"type": "string"},
            "original_name": {"type": "string"},
            "content_type": {"type": "string", "enum": ["application/pdf", "image/png", "image/jpeg"]},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "commitment": {"type": "boolean", "description": _l("以告知承诺书代替证明材料")},
            "uploaded_at": moment(),
            "removed_at": moment(),
        }),
        "AttachmentList": obj({
            "items": array(ref("Attachment")),
            "checklist": array(obj({
                "kind": {"type": "string", "enum": list(business_types.ATTACHMENT_KINDS)},
                "label": {"type": "string"},
                "attachment_id": {"type": "integer", "nullable": True},
                "commitment_allowed": {"type": "boolean"},
            })),
        }),
        "Move": move,
        "MoveList": obj({
            "status": {"type": "string", "enum": list(states.labels())},
            "version": {"type": "integer"},
            "moves": array(ref("Move")),
            "submit_problems": array({"type": "string"}, description=_l("提交前尚需补正的事项（申请人可修改时）")),
        }),
        "MoveResult": obj({"move": ref("Move"), "application": ref("Application")}),
        "Registration": registration,
        "RegistrationPage": page("Registration"),
        "Enterprise": enterprise,
        "EnterprisePage": page("Enterprise"),
        "PersonSummary": obj(person_summary),
        "Person": obj(person),
        "PersonPage": page("PersonSummary"),
        "SpecialtyList": obj({"items": array(ref("Specialty"))}),
        "UnitList": obj({
            "items": array(obj({"id": {"type": "integer"}, "name": {"type": "string"},
                                "credit_code": {"type": "string"}, "note": {"type": "string"}})),
            "message": text(),
        }),
        "CreditRecord": obj({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "id_number": {"type": "string", "description": _l("身份证号（列表中脱敏）")},
            "kind": {"type": "string", "enum": ["bad_conduct", "penalty"]},
            "kind_label": {"type": "string"},
            "authority": {"type": "string"},
            "decision_number": {"type": "string"},
            "decided_on": date(),
            "period_from": date(),
            "period_until": date(),
            "bars_registration": {"type": "boolean", "description": _l("该类记录在限制期内是否限制注册")},
            "effect": {"type": "string", "description": _l("对注册的影响")},
            "facts": text(),
            "created_at": moment(),
        }),
        "CreditRecordPage": page("CreditRecord"),
        "Campaign": obj({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "description": text(),
            "answer_by": date(),
            "created_at": moment(),
            "statistics": obj({key: {"type": "integer"} for key in (
                "flagged", "answered", "under_review", "rectified", "cancelled", "locked", "pending")}),
        }, required=["id", "name", "answer_by"]),
        "CampaignPage": page("Campaign"),
        "CampaignCreate": campaign_create(),
        "CampaignTargetsRequest": campaign_targets_request(),
        "CampaignTargetsResult": obj({
            "flagged": {"type": "integer", "description": _l("本次列入名单的人数")},
            "errors": array(obj({"index": {"type": "integer", "description": _l("persons 中的序号，从0开始")},
                                 "column": {"type": "string"}, "reason": {"type": "string"}})),
        }),
        "CampaignTarget": obj({
            "id": {"type": "integer"},
            "campaign": obj({"id": {"type": "integer"}, "name": {"type": "string"}}),
            "person": obj({"id": {"type": "integer"}, "name": {"type": "string"}, "id_number": {"type": "string"}}),
            "enterprise": ref("EnterpriseRef"),
            "status": {"type": "string", "enum": [s.code for s in states.CAMPAIGN_STATES]},
            "status_label": {"type": "string"},
            "issue": text(),
            "answer_by": date(),
            "answer_kind": {"type": "string", "nullable": True, "enum": ["rectify", "cancel", None]},
            "answer": text(),
            "answered_at": moment(),
            "has_evidence": {"type": "boolean"},
            "version": {"type": "integer"},
        }),
        "CampaignTargetPage": page("CampaignTarget"),
        "CampaignMoveRequest": campaign_move_request(),
        "CampaignMoveResult": obj({"move": {"type": "string"}, "target": ref("CampaignTarget")}),
        "CreditRecordCreate": credit_record_create(),
        "Token": token,
        "CodeStep": code_step,
        "SignIn": {"oneOf": [ref("Token"), ref("CodeStep")], "discriminator": {"propertyName": "step", "mapping": {
            "done": "#/components/schemas/Token", "sms_code": "#/components/schemas/CodeStep"}}},
        "Me": obj({
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["applicant", "enterprise", "center", "none"]},
            "person_id": {"type": "integer", "nullable": True},
            "enterprise_id": {"type": "integer", "nullable": True},
        }),
        "LoginRequest": login_request(),
        "VerifyRequest": verify_request(),
        "ResendRequest": resend_request(),
        "ApplicationCreate": application_create(),
        "ApplicationUpdate": application_update(),
        "MoveRequest": move_request(),
        "SupervisionRequest": supervision_request(),
        "UnlockRequestCreate": unlock_request_create(),
        "UnlockDecision": unlock_decision(),
        "DrawRequest": draw_request(),
        "CheckRequest": check_request(),
        "SupervisionRecord": obj({
            "id": {"type": "integer"}, "action": {"type": "string"}, "action_label": {"type": "string"},
            "from_status": {"type": "string", "enum": REGISTRATION_STATUSES},
            "to_status": {"type": "string", "enum": REGISTRATION_STATUSES},
            "role": {"type": "string", "enum": ["center", "system"]}, "actor_name": {"type": "string"},
            "reason": text(), "source": text(), "until": date(nullable=True), "decision_number": text(),
            "created_at": moment(False),
        }),
        "SupervisionState": obj({
            "registration_id": {"type": "integer"},
            "status": {"type": "string", "enum": REGISTRATION_STATUSES},
            "status_label": {"type": "string"},
            "hold": obj({"reason": text(), "source": text(), "since": date(nullable=True), "until": date(nullable=True),
                         "decision_number": text()}),
            "moves": array(obj({"action": {"type": "string"}, "label": {"type": "string"},
                                "needs": array({"type": "string"})}),
                           description=_l("注册中心现在可执行的措施")),
            "records": array(ref("SupervisionRecord")),
        }),
        "UnlockRequest": obj({
            "id": {"type": "integer"}, "registration_id": {"type": "integer"}, "certificate_number": text(),
            "status": {"type": "string", "enum": list(states.UNLOCK_STATES)}, "status_label": {"type": "string"},
            "reason": {"type": "string"}, "opinion": text(), "has_file": {"type": "boolean"},
            "created_at": moment(False), "decided_at": moment(),
        }),
        "UnlockRequestPage": page("UnlockRequest"),
        "CommitmentCheck": obj({
            "id": {"type": "integer"}, "application_id": {"type": "integer"}, "application_number": {"type": "string"},
            "status": {"type": "string", "enum": list(states.CHECK_STATES)}, "status_label": {"type": "string"},
            "note": text(), "decision_number": text(), "checked_at": moment(),
        }),
        "CommitmentDrawSummary": obj({
            "id": {"type": "integer"}, "share": {"type": "integer"}, "seed": {"type": "string"},
            "decided_from": date(nullable=True), "decided_until": date(nullable=True),
            "eligible_count": {"type": "integer"}, "sampled_count": {"type": "integer"}, "created_at": moment(False),
        }),
        "CommitmentDraw": obj({
            "id": {"type": "integer"}, "share": {"type": "integer"}, "seed": {"type": "string"},
            "decided_from": date(nullable=True), "decided_until": date(nullable=True),
            "eligible_count": {"type": "integer"}, "sampled_count": {"type": "integer"}, "created_at": moment(False),
            "eligible_ids": array({"type": "integer"}), "sampled_ids": array({"type": "integer"}),
            "reproduced": {"type": "boolean", "description": _l("以记录的种子重新抽取，结果与记录一致")},
            "eligible_unchanged": {"type": "boolean", "description": _l("可抽查的申请与现有数据一致")},
            "checks": array(ref("CommitmentCheck")),
        }),
        "CommitmentDrawPage": page("CommitmentDrawSummary"),
        "StaffLoginRequest": obj({
            "username": string(64, 1),
            "password": string(128, 1),
            "provider": {"type": "string", "enum": ["db"], "description": _l("可省略：本平台只有 db")},
            "refresh": {"type": "boolean"},
        }, required=["username", "password"]),
        "StaffToken": obj({"access_token": {"type": "string"}, "refresh_token": {"type": "string"}},
                          required=["access_token"]),
    }
