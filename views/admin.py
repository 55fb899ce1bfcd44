"""系统管理 and 角色授权: the administrators' pages. No application rows are reachable from here.

三员分立 (app/duties.py): the system administrator keeps accounts (AccountView, FAB's user pages
without the roles) and reference data; the security administrator decides who holds which role
(RoleGrantView, the roles alone); the audit administrator reads the security log (views/audit.py).
"""
from flask import flash, g, redirect, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_appbuilder.security import views as fab_security
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l

from app import duties, roles
from models import Specialty


def yes_no(value):
    """A yes/no column as 是 or 否 (FAB writes Python's True and False)."""
    return str(_l("是") if value else _l("否"))


class AdminSpecialtyView(ModelView):
    datamodel = SQLAInterface(Specialty)
    base_permissions = ["can_list", "can_show"]
    list_columns = ["code", "name"]
    label_columns = {"code": _l("代码"), "name": _l("专业名称")}
    list_title = _l("专业目录")
    show_title = _l("专业详情")


class AccountView(UserDBModelView):
    """The system administrator's accounts: made, changed, deactivated, passwords reset; the roles
    shown, never set here (a new account has none until the security administrator grants one).
    Its permission name stays FAB's, which app/roles.py and the own-account pages use."""

    class_permission_name = "UserDBModelView"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_userinfo", "resetmypassword",
                        "resetpasswords", "userinfoedit"]  # no can_delete: deactivate (a removal revokes roles)
    add_columns = ["first_name", "last_name", "username", "active", "email", "password", "conf_password"]
    edit_columns = ["first_name", "last_name", "username", "active", "email"]
    list_columns = ["first_name", "last_name", "username", "email", "active", "roles"]
    search_columns = ["first_name", "last_name", "username", "email", "active", "roles"]
    validators_columns = {}
    # FAB's user pages speak English where its Chinese catalogue has no entry (titles, several
    # labels, every description): all of them in the project's own words
    list_title = _l("用户列表")
    show_title = _l("用户详情")
    add_title = _l("新建用户")
    edit_title = _l("修改用户")
    user_info_title = _l("用户信息")
    label_columns = {
        "get_full_name": _l("姓名"), "first_name": _l("名"), "last_name": _l("姓"), "username": _l("用户名"),
        "password": _l("密码"), "conf_password": _l("确认密码"), "active": _l("启用"), "email": _l("电子邮箱"),
        "roles": _l("角色"), "groups": _l("用户组"), "last_login": _l("上次登录"), "login_count": _l("登录次数"),
        "fail_login_count": _l("登录失败次数"), "created_on": _l("创建时间"), "created_by": _l("创建人"),
        "changed_on": _l("修改时间"), "changed_by": _l("修改人"),
    }
    description_columns = {
        "first_name": _l("名字"),
        "last_name": _l("姓氏"),
        "username": _l("登录时输入的用户名"),
        "active": _l("不再使用的账号请停用而不是删除：停用后不能登录，其记录保留"),
        "email": _l("账号的电子邮箱"),
        "conf_password": _l("再输入一次密码以确认"),
    }
    formatters_columns = {"active": yes_no}
    show_fieldsets = [
        (_l("账号"), {"fields": ["username", "active", "roles", "login_count"]}),
        (_l("个人信息"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (_l("登录与修改记录"), {"fields": ["last_login", "fail_login_count", "created_on", "created_by",
                                    "changed_on", "changed_by"], "expanded": False}),
    ]
    user_show_fieldsets = show_fieldsets[:2]

    @action("resetpasswords", _l("重置密码"), "", "fa-lock", multiple=False)
    def resetpasswords(self, item):
        problem = duties.password_problem(item, g.user)
        if problem:
            flash(str(problem), "danger")
            return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        return super().resetpasswords(item)


# FAB's role and permission pages (the security administrator reads them) in the project's words:
# FAB's Chinese catalogue leaves their column and filter names English. Each class keeps FAB's
# name, which is its endpoint and the permission name app/roles.py grants.
class RoleModelView(fab_security.RoleModelView):
    list_title = _l("角色列表")
    show_title = _l("角色详情")
    label_columns = {"name": _l("角色"), "permissions": _l("权限"), "user": _l("用户"), "groups": _l("用户组")}
    search_columns = ["name"]


class PermissionModelView(fab_security.PermissionModelView):
    label_columns = {"name": _l("权限名")}
    search_columns = ["name"]


class ViewMenuModelView(fab_security.ViewMenuModelView):
    label_columns = {"name": _l("视图或菜单名")}
    search_columns = ["name"]


class PermissionViewModelView(fab_security.PermissionViewModelView):
    label_columns = {"permission": _l("权限名"), "view_menu": _l("视图或菜单名"), "role": _l("角色")}
    search_columns = ["permission", "view_menu"]


class UserInfoEditView(fab_security.UserInfoEditView):
    """Everyone's own 修改个人信息 form (FAB's, reached from 用户信息), titled in the project's words."""
    form_title = _l("修改个人信息")
    message = _l("个人信息已修改")


def grantable_roles():
    return list(roles.ALL)


class RoleGrantView(ModelView):
    """角色授权: the security administrator grants and revokes roles, one account at a time; the
    rules (app/duties.py) are checked before the save and again on it, and each change is logged."""

    datamodel = SQLAInterface(User)
    route_base = "/grants"
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_title = _l("角色授权")
    show_title = _l("账号角色")
    edit_title = _l("授予或撤销角色")
    list_columns = ["username", "first_name", "last_name", "active", "roles"]
    show_columns = ["username", "first_name", "last_name", "email", "active", "roles"]
    edit_columns = ["roles"]
    search_columns = ["username", "first_name", "last_name", "roles"]
    order_columns = ["username", "first_name", "last_name"]
    base_order = ("username", "asc")
    label_columns = {"username": _l("用户名"), "first_name": _l("名"), "last_name": _l("姓"),
                     "email": _l("电子邮箱"), "active": _l("启用"), "roles": _l("角色")}
    description_columns = {"roles": _l("三员分立：系统管理员、安全管理员、审计管理员互不兼任，也不兼任业务角色；"
                                       "不能为自己的账号授予或撤销角色")}
    edit_form_query_rel_fields = {"roles": [["name", FilterInFunction, grantable_roles]]}
    formatters_columns = {"active": yes_no}

    def pre_update(self, item):
        now, before = duties._role_history(item)
        problem = duties.problems(item, now, before, g.user)
        if problem:
            raise duties.DutyViolation(str(problem))  # FAB shows it and keeps the form


def register(appbuilder):
    appbuilder.add_view(AdminSpecialtyView, "专业目录", icon="fa-book",
                        category="系统管理", category_label=_l("系统管理"), label=_l("专业目录"))
    appbuilder.add_view(RoleGrantView, "角色授权", icon="fa-user-plus", category="Security",
                        label=_l("角色授权"))
    from views.audit import SecurityLogView

    appbuilder.add_view(SecurityLogView, "安全日志", icon="fa-shield", category="安全审计",
                        category_label=_l("安全审计"), label=_l("安全日志"))
