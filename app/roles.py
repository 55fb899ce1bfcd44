"""The four roles and what each may see. Roles are data declared here; FAB checks them in memory.

FAB_ROLES entries are (view-name regex, permission regex) pairs. Which *rows* a role may touch
is decided in app/access.py, never here.
"""
APPLICANT = "申请人"
ENTERPRISE = "企业"
CENTER = "注册中心"
ADMIN = "管理员"
PUBLIC = "Public"

ALL = (APPLICANT, ENTERPRISE, CENTER, ADMIN)

_OWN_ACCOUNT = [
    ["ResetMyPasswordView", "can_this_form_(get|post)"],
    ["UserDBModelView", "can_userinfo"],
    ["UserInfoEditView", "can_this_form_(get|post)"],
    ["PortalView", "can_.*"],
    ["MessageView", "can_.*"],
]

FAB_ROLES = {
    APPLICANT: _OWN_ACCOUNT + [
        ["Applicant.*View", "can_(list|show|add|edit|delete|move|pdf|attach)"],
        ["(个人业务|初始注册|增项注册|延续注册|变更注册|重新注册|注销申请|我的注册证书)", "menu_access"],
    ],
    ENTERPRISE: _OWN_ACCOUNT + [
        ["Enterprise.*View", "can_(list|show|edit|move|pdf|approve|return_many)"],
        ["EnterprisePendingView", "(approve|return_many)$"],  # FAB names list actions without can_
        ["(企业业务|待办业务|全部申请|企业信息|人员信息)", "menu_access"],
    ],
    CENTER: _OWN_ACCOUNT + [
        ["Center.*View", "can_(list|show|move|pdf|approve)"],
        ["CenterQueueView", "approve$"],
        ["(注册中心|待审核申请|全部申请记录|注册证书管理)", "menu_access"],
    ],
    ADMIN: _OWN_ACCOUNT + [
        ["(UserDBModelView|RoleModelView|UserStatsChartView|PermissionModelView|ViewMenuModelView|"
         "PermissionViewModelView|UserGroupModelView)", "can_.*"],
        ["Admin.*View", "can_.*"],
        ["(Security|List Users|List Roles|User's Statistics|Base Permissions|Views/Menus|"
         "Permission on Views/Menus|List Groups|系统管理|专业目录|企业目录)", "menu_access"],
    ],
    PUBLIC: [],
}
