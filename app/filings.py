"""The one door for starting a filing and for changing what it holds, beside workflow.transition(),
the one door for moving it.

The applicant's pages, the unit's 强制注销 page and the API all call start() and update(): who may
file what (the filer of the business type: the person, or for 强制注销（单位申请） their unit), the
rules of the business type (app/rules.py), the version the user saw, the commit, and the refusal
with its reasons. The caller has checked the form; `fields` are its values by attribute name.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import access, rules, states
from app.business_types import UNIT_LEVEL, filer, type_label
from app.extensions import db
from app.workflow import Refused, editable_by, open_filing_refusal
from models import Application, Enterprise

STALE = _l("该申请已被他人处理，请刷新后查看最新状态")


class NotEditable(Refused):
    """The filing is not with this user now (not theirs to fill, or no longer in their hands)."""


class Stale(Refused):
    """Someone changed the filing since the user read it."""


def start_problems(person, business_type, user=None):
    """Why this user cannot start a filing of this type about this person now (empty: they can)."""
    who = access.actor(user)
    if business_type in UNIT_LEVEL:
        return [_l("%(type)s由聘用单位为全体在册人员一次办理，不针对个人", type=type_label(business_type))]
    if filer(business_type) == "applicant" and (who.kind != "applicant" or who.person_id != person.id):
        return [_l("只有申请人本人可以办理%(type)s", type=type_label(business_type))]
    if filer(business_type) == "enterprise" and who.kind != "enterprise":
        return [_l("%(type)s由聘用单位办理", type=type_label(business_type))]
    return rules.start_problems(person, business_type)


def start(person, business_type, fields, user=None):
    """A new draft of this business type about this person: the filer's `fields`, then what the
    profile and the registration in force fill (rules.prepare keeps what the filer filled); saved.
    Refused, with the reasons, when the rules do not allow it now or another request of the same
    moment opened a filing first (the database's one-open-filing indexes decide between them)."""
    problems = start_problems(person, business_type, user)
    if problems:
        raise Refused(problems[0], problems)
    application = Application()
    for name, value in fields.items():
        setattr(application, name, value)
    rules.prepare(application, person, business_type)
    problems = rules.pick_problems(application)
    if problems:
        if application in db.session:  # a related row's cascade may have added it: nothing is saved
            db.session.expunge(application)
        raise Refused(problems[0], problems)
    unit = application.enterprise
    if filer(business_type) == "enterprise" and (unit is None or unit.id != access.actor(user).enterprise_id):
        if application in db.session:  # a related row's cascade may have added it: nothing is saved
            db.session.expunge(application)
        problem = _l("该人员的注册单位不是贵单位，不能由贵单位申请强制注销")
        raise Refused(problem, [problem])
    try:
        db.session.add(application)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise open_filing_refusal(error, application) from None
    return application


def start_unit_filing(business_type, user=None):
    """A new draft of a unit's filing about itself (企业名称变更): only the unit's staff file it, for
    their own unit; refused, with the reasons, when the rules do not allow it now."""
    who = access.actor(user)
    if who.kind != "enterprise" or not who.enterprise_id:
        problem = _l("%(type)s由聘用单位办理", type=type_label(business_type))
        raise Refused(problem, [problem])
    enterprise = db.session.get(Enterprise, who.enterprise_id)
    problems = rules.rename_problems(enterprise)
    if problems:
        raise Refused(problems[0], problems)
    application = Application()
    rules.prepare_rename(application, enterprise)
    db.session.add(application)
    db.session.commit()
    return application


def check_editable(application, user=None, version=None):
    """Refused unless this user may change the filing now, as they saw it (`version`, if given)."""
    if version not in (None, "") and str(version) != str(application.version):
        raise Stale(STALE)
    if not editable_by(application, user):
        raise NotEditable(_l("当前状态为“%(status)s”，不能修改；如需修改请先撤回",
                             status=states.label(application.status)))


def update(application, fields, user=None, version=None):
    """Change what the filer filed: only the filer, only while the filing is with them, only as
    they saw it (a concurrent change or move makes the second one fail cleanly)."""
    check_editable(application, user, version)
    for name, value in fields.items():
        setattr(application, name, value)
    problems = rules.pick_problems(application)
    if problems:
        db.session.rollback()  # nothing of this change is kept
        raise Refused(problems[0], problems)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Stale(STALE) from None
    return application
