"""The roles and what each may see. Roles are data declared here; FAB checks them in memory.

FAB_ROLES entries are (view-name regex, permission regex) pairs. Which *rows* a role may touch
is decided in app/access.py, never here.
"""
APPLICANT = "申请人"
ENTERPRISE = "企业"
CENTER = "注册中心"
# 三员分立 (等保三级): three administrators, none holding another's powers or a business role; the
# rules on who may hold and grant them live in app/duties.py
ADMIN = "系统管理员"  # accounts and reference data
SECURITY = "安全管理员"  # roles and who holds them
AUDITOR = "审计管理员"  # reads the security log
PUBLIC = "Public"

BUSINESS = (APPLICANT, ENTERPRISE, CENTER)
ADMINISTRATORS = (ADMIN, SECURITY, AUDITOR)
ALL = BUSINESS + ADMINISTRATORS

_OWN_ACCOUNT = [
    ["(公众查询|公示公告|公示|公告)", "menu_access"],
    ["ResetMyPasswordView", "can_this_form_(get|post)"],
    ["UserDBModelView", "can_userinfo"],
    ["UserInfoEditView", "can_this_form_(get|post)"],
    ["PortalView", "can_.*"],
    ["MessageView", "can_.*"],
]

_EXPORTS = ["ExportView", "can_show$"]  # an export's page and file: only who asked (app/access.py exports)
_JOBS = ["JobView", "(can_list|retry)$"]  # 后台任务: every job's state and error, 重新执行 of a failed one

FAB_ROLES = {
    APPLICANT: _OWN_ACCOUNT + [
        ["实人认证与手机号", "menu_access"],  # ApplicantIdentityView: can_show / can_edit as above
        ["Applicant.*View", "can_(list|show|add|edit|delete|move|pdf|attach|certificate|signature|urge|unlock)"],
        ["(个人业务|初始注册|增项注册|延续注册|变更注册|重新注册|注销申请|遗失补办|注销专业|个人信息变更|企业信息变更|"
         "强制注销（个人申请）|强制注销（单位申请）|我的注册证书|我的信用记录|专项整治)", "menu_access"],
        ["UnitLookupView", "can_search"],  # the unit picker's search
    ],
    ENTERPRISE: _OWN_ACCOUNT + [
        ["Enterprise.*View", "can_(list|show|edit|move|pdf|approve|return_many|export_pdf|export_xlsx)"],
        ["EnterpriseUnitCancelView", "can_(add|attach|delete)"],  # the unit files 强制注销 itself
        ["EnterpriseRenameView", "can_(add|attach|delete)"],  # and its 企业名称变更, once for all its persons
        ["Enterprise(Pending|Application)View", "(approve|return_many|export_pdf)$"],  # list actions: no can_
        ["(企业业务|待办业务|全部申请|企业信息|人员信息|强制注销（单位申请）|企业名称变更|人员信用记录|专项整治核查)", "menu_access"],
        ["StatisticsView", "can_show$"], ["统计分析", "menu_access"],  # its own filings only (app/access.py)
        _EXPORTS,
    ],
    CENTER: _OWN_ACCOUNT + [
        ["CenterPersonView", "(confirm|can_confirm|can_phone)$"], ["待确认实人认证", "menu_access"],  # 实人认证
        ["Center.*View", "can_(list|show|move|pdf|approve|export_pdf|export_xlsx|chart)"],
        ["Center(Supervision|UnlockRequest|Commitment)View", "can_(supervise|decide|check)$"],  # 在册监管
        ["(在册监管|解锁申请|告知承诺核查)", "menu_access"],
        ["Center(Queue|Application)View", "(approve|accept|grant|deny_many|announce|export_pdf)$"],
        ["CenterEnterpriseView", "(can_dock|can_sync|sync)$"],  # 企业目录: 数据对接, 同步 (one or a list action)
        ["(企业目录|办理流程)", "menu_access"],
        ["CenterCreditView", "can_(add|import)$"], ["信用记录管理", "menu_access"],  # 信用记录: 新增, 导入
        ["CenterElicenceView", "can_(list|retry)$"], ["电子证照推送", "menu_access"],  # app/elicence.py
        ["CenterCampaignView", "can_(add|import)$"], ["(专项整治管理|整治对象)", "menu_access"],  # 专项整治
        ["(注册中心|待审核申请|全部申请记录|注册证书管理)", "menu_access"],
        ["StatisticsView", "can_show$"], ["统计分析", "menu_access"],  # the province
        _EXPORTS, _JOBS, ["后台任务", "menu_access"],
    ],
    # the user views' permission name stays FAB's UserDBModelView (views/admin.AccountView)
    ADMIN: _OWN_ACCOUNT + [
        ["UserDBModelView", "(can_list|can_show|can_add|can_edit|resetpasswords|signout)$"],  # accounts, never roles
        ["ResetPasswordView", "can_this_form_(get|post)"],
        ["Admin.*View", "can_.*"],
        ["(Security|List Users|系统管理|专业目录|企业目录)", "menu_access"],
        _JOBS, ["后台任务", "menu_access"],
    ],
    SECURITY: _OWN_ACCOUNT + [
        ["RoleGrantView", "can_(list|show|edit)$"],  # who holds which role (app/duties.py checks each grant)
        ["RoleModelView", "can_(list|show)$"],  # the roles are declared here, in code: read-only
        ["(PermissionModelView|ViewMenuModelView|PermissionViewModelView)", "can_list$"],
        ["(Security|角色授权|List Roles|Base Permissions|Views/Menus|Permission on Views/Menus)", "menu_access"],
    ],
    AUDITOR: _OWN_ACCOUNT + [
        ["SecurityLogView", "can_(list|show|export_xlsx|export_csv)$"],
        ["(安全审计|安全日志)", "menu_access"],
        _EXPORTS,
    ],
    PUBLIC: [["(公众查询|公示公告|公示|公告)", "menu_access"]],
}
