"""The security manager FAB is configured with (config.py FAB_SECURITY_MANAGER_CLASS): app/security.py's,
with the platform's own pages in place of FAB's. The pages are views, so their wiring lives here and
app/ imports no view."""
from app.security import SecurityManager as BaseSecurityManager
from views import admin
from views.account_sessions import AccountView
from views.passwords import ResetMyPasswordView, ResetPasswordView
from views.signin import AuthDBView, SecurityApi


class SecurityManager(BaseSecurityManager):
    """The login pages with the SMS step and the government services network (views/signin.py)."""

    authdbview = AuthDBView
    security_api = SecurityApi
    userdbmodelview = AccountView  # accounts without their roles: 三员分立 (app/duties.py); 强制下线
    resetmypasswordview = ResetMyPasswordView  # the current password first, then the policy (app/passwords.py)
    resetpasswordview = ResetPasswordView
    userstatschartview = None  # FAB's User's Statistics: English, and its chart loads Google's script
    # FAB's role and permission pages with Chinese column and filter names (views/admin.py)
    rolemodelview = admin.RoleModelView
    permissionmodelview = admin.PermissionModelView
    viewmenumodelview = admin.ViewMenuModelView
    permissionviewmodelview = admin.PermissionViewModelView
    userinfoeditview = admin.UserInfoEditView  # titled in Chinese (FAB's is English)
