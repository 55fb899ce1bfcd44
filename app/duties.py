"""三员分立 (separation of duties, 等保三级): who may hold which role, and who may grant it.

- The system administrator (系统管理员: accounts, reference data), the security administrator
  (安全管理员: who holds which role) and the audit administrator (审计管理员: the security log) are
  three people: no account holds two of these roles, nor one of them with a business role
  (申请人, 企业, 注册中心).
- Only the roles declared in app/roles.py are granted, and only to accounts: groups carry no roles
  here (FAB would add a group's roles to its members', a second door past these rules).
- Signed-in, only a security administrator grants or revokes a role, and never on their own account.
  Signing in through the government services network makes a new account with a business role (no
  one is signed in then); at the console (seeds, `flask fab`) the first two rules still hold.
- The password of an administrator's account is changed only by its holder (or at the console):
  whoever could set it could sign in as that administrator.

The rules are checked on every flush that changes an account's roles, groups or password, whatever
the path (FAB's user views, the security manager's add_user / update_user, a command), and the
pages call `problems` first to say why. Every grant and revoke that passes is logged (app.audit).
"""
from flask import has_request_context
from flask_appbuilder.security.sqla.models import Group, User
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from app import audit, roles

# an account's fields whose change is an account event (login statistics are not)
ACCOUNT_FIELDS = ("username", "email", "first_name", "last_name", "active")


class DutyViolation(Exception):
    """A change of roles these rules refuse; the message says which rule, in Chinese."""


def actor():
    """The signed-in user making the change, or None (no one signed in, or the console)."""
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def conflicts(names):
    """Why a set of role names cannot be one account's, or None."""
    names = set(names)
    unknown = names - set(roles.ALL)
    if unknown:
        return _l("只能授予平台定义的角色：%(roles)s 不可授予", roles="、".join(sorted(unknown)))
    admins = names & set(roles.ADMINISTRATORS)
    if len(admins) > 1:
        return _l("三员分立：一个账号不能同时担任%(roles)s", roles="、".join(sorted(admins)))
    if admins and names & set(roles.BUSINESS):
        return _l("三员分立：%(admin)s不能同时拥有业务角色（%(business)s）", admin=admins.pop(),
                  business="、".join(sorted(names & set(roles.BUSINESS))))
    return None


def problems(user, new_names, old_names, by=None, new_account=False):
    """Why this change of `user`'s roles (old_names to new_names) is refused, or None."""
    new_names, old_names = set(new_names), set(old_names)
    if new_names == old_names:
        return None
    problem = conflicts(new_names)
    if problem:
        return problem
    if by is None:
        if has_request_context() and not (new_account and new_names <= {roles.APPLICANT, roles.ENTERPRISE}):
            return _l("只有安全管理员可以授予或撤销角色")
        return None
    if user.id is not None and user.id == by.id:  # first: `by` may be this very object, its roles changed
        return _l("三员分立：不能为自己的账号授予或撤销角色")
    if roles.SECURITY not in {r.name for r in by.roles}:
        return _l("只有安全管理员可以授予或撤销角色")
    return None


def password_problem(user, by=None):
    """Why `by` may not set `user`'s password, or None."""
    if by is None or by.id == user.id:
        return None
    held = {r.name for r in user.roles} & set(roles.ADMINISTRATORS)
    if held:
        return _l("三员分立：%(role)s账号的密码只能由本人修改", role="、".join(sorted(held)))
    return None


def _history(obj, name):
    # an attribute never loaded was never changed: no query inside the flush to find that out
    return attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)


def _role_history(user):
    history = _history(user, "roles")
    now = {r.name for r in (history.unchanged or ())} | {r.name for r in (history.added or ())}
    before = {r.name for r in (history.unchanged or ())} | {r.name for r in (history.deleted or ())}
    return now, before


@event.listens_for(Session, "before_flush")
def _check(session, flush_context, instances):
    by = actor()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Group) and _history(obj, "roles").added:
            raise DutyViolation(str(_l("用户组不能携带角色：角色只能直接授予账号")))
        if not isinstance(obj, User):
            continue
        if any(group.roles for group in (_history(obj, "groups").added or ())):
            raise DutyViolation(str(_l("用户组不能携带角色：角色只能直接授予账号")))
        now, before = _role_history(obj)
        problem = problems(obj, now, before, by, new_account=obj in session.new)
        if problem is None and obj in session.dirty and _history(obj, "password").added:
            problem = password_problem(obj, by)
        if problem:
            raise DutyViolation(str(problem))
    for obj in session.deleted:
        if isinstance(obj, User) and obj.roles:
            problem = problems(obj, set(), {r.name for r in obj.roles}, by)
            if problem:
                raise DutyViolation(str(problem))


@event.listens_for(Session, "after_flush")
def _log(session, flush_context):
    """Each grant and revoke, and each account made, changed or removed, in the flush's transaction."""
    entries = []
    for obj in session.new:
        if isinstance(obj, User):
            entries.append(("account.create", obj, {"username": obj.username}))
            entries += [("role.grant", obj, {"role": name}) for name in sorted(_role_history(obj)[0])]
    for obj in session.dirty:
        if not isinstance(obj, User) or not session.is_modified(obj):
            continue
        changed = [f for f in ACCOUNT_FIELDS if _history(obj, f).added]
        if changed:
            entries.append(("account.update", obj, {"fields": changed}))
        now, before = _role_history(obj)
        entries += [("role.grant", obj, {"role": name}) for name in sorted(now - before)]
        entries += [("role.revoke", obj, {"role": name}) for name in sorted(before - now)]
    for obj in session.deleted:
        if isinstance(obj, User):
            entries.append(("account.delete", obj, {"username": obj.username}))
    if not entries:
        return
    by = actor()
    for name, user, detail in entries:
        audit.record(name, user=by, username=None if by or has_request_context() else "console",
                     target=f"user:{user.id}", detail=dict(detail, account=user.username))

