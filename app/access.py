"""Row-level access: which rows each role may read and change.

Every list, show, action, download, PDF and API route comes through here; FAB role permissions
only decide which *views* a role sees. Deny by default: a user with none of our roles (the admin
included) gets no application rows.
"""
from functools import cached_property

from flask import abort, g
from flask_appbuilder.models.filters import BaseFilter
from flask_login import current_user
from sqlalchemy import event, false, or_, select
from sqlalchemy.orm import joinedload

from app import roles, standing
from app.business_types import FILED_BY_UNIT
from app.extensions import db
from app.states import CENTER_VISIBLE, in_force
from models import (Application, Attachment, Campaign, CampaignTarget, CommitmentCheck, CommitmentDraw,
                    CreditRecord, ElicenceEvent, Enterprise, EnterpriseAccount, Job, Message, Person, Registration,
                    UnlockRequest)

# Not yet the unit's: a draft, and a change of unit still waiting for the old unit's release.
UNIT_HIDDEN = ("draft", "pending_release")
# What waits for a unit's reviewer: a release (as the old unit) or a review (as the new one).
UNIT_TODO = ("pending_release", "pending_enterprise")


class Actor:
    """Who a user is in the domain: their kind (center, enterprise, applicant) and their person or
    enterprise. The profile is read when first asked for, with its qualifications (the rules read
    them on most applicant pages); the ids come with the user (app/security.py load_user)."""

    def __init__(self, kind=None, person_id=None, enterprise_id=None, user=None):
        self.kind, self.person_id, self.enterprise_id, self.user = kind, person_id, enterprise_id, user

    @cached_property
    def person(self):
        if self.person_id is None:
            return None
        return db.session.scalars(
            select(Person).where(Person.id == self.person_id).options(joinedload(Person.qualifications))
        ).unique().one_or_none()

    @cached_property
    def standing(self):
        """The person's open filing and registration in force (app/standing.py); a page that has
        not read the person yet reads both in one statement. None for a user who is no person."""
        if self.person_id is None:
            return None
        if "person" in self.__dict__:
            return standing.standing(self.person) if self.person is not None else None
        self.person, known = standing.person_standing(self.person_id)
        return known


def account_ids(user_id):
    """The person and the enterprise account of a user (by its id column or value), as two columns
    to select: load_user reads them with the user, in the same statement."""
    return (select(Person.id).where(Person.user_id == user_id).scalar_subquery(),
            select(EnterpriseAccount.enterprise_id).where(EnterpriseAccount.user_id == user_id).scalar_subquery())


def actor(user=None):
    """Who the user is in the domain (an Actor). Cached per request."""
    if user is None:  # the request's user, read through Flask-Login's proxy once, not on each use below
        user = current_user._get_current_object()
    if not getattr(user, "is_authenticated", False):
        return Actor()
    cache = g.setdefault("_actors", {})
    if user.id not in cache:
        names = {r.name for r in user.roles}
        if roles.CENTER in names:
            cache[user.id] = Actor("center", user=user)
        elif roles.ENTERPRISE in names or roles.APPLICANT in names:
            known = g.get("account_ids", {})  # read with the user (load_user); an API token's user is not
            person_id, enterprise_id = known[user.id] if user.id in known else db.session.execute(
                select(*account_ids(user.id))).one()
            if roles.ENTERPRISE in names:
                cache[user.id] = Actor("enterprise", enterprise_id=enterprise_id, user=user)
            else:
                cache[user.id] = Actor("applicant", person_id=person_id, user=user)
        else:
            cache[user.id] = Actor(user=user)
    return cache[user.id]


def current_person(user=None):
    return actor(user).person


def current_enterprise(user=None):
    who = actor(user)
    return db.session.get(Enterprise, who.enterprise_id) if who.enterprise_id else None


def applications(user=None, query=None):
    q = db.session.query(Application) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q.filter(Application.status.in_(CENTER_VISIBLE))
    if who.kind == "enterprise" and who.enterprise_id:
        return q.filter(Application.visible_unit_id == who.enterprise_id)  # see visible_unit()
    if who.kind == "applicant" and who.person_id:
        # a unit's filing about the person reaches them once the unit has submitted it
        return q.filter(Application.person_id == who.person_id,
                        or_(Application.business_type.not_in(FILED_BY_UNIT), Application.status != "draft"))
    return q.filter(false())


def visible_unit(business_type, status, enterprise_id, releasing_unit_id):
    """The one unit that may see a filing now, or None.

    A unit sees what it files itself (强制注销) from the draft on; the old unit of a change of unit
    sees the filing while it waits for the release; otherwise the unit the applicant chose sees it
    once it is submitted. At most one unit at a time, so the answer is stored on the row
    (Application.visible_unit_id, kept by _keep_visible_unit): a unit's lists then read one indexed
    column instead of an OR that PostgreSQL answers by visiting every row the unit ever had."""
    if business_type in FILED_BY_UNIT:
        return enterprise_id
    if status == "pending_release":
        return releasing_unit_id
    if status in UNIT_HIDDEN:
        return None
    return enterprise_id


def unit_in_view(application):
    """visible_unit() of an Application as it stands (its registration's unit is the one to release it)."""
    releasing = None
    if application.status == "pending_release" and application.registration is not None:
        releasing = application.registration.enterprise_id
    return visible_unit(application.business_type, application.status, application.enterprise_id, releasing)


@event.listens_for(Application, "before_insert")
@event.listens_for(Application, "before_update")
def _keep_visible_unit(_mapper, connection, application):
    # in the flush, where the foreign keys have been set from the related rows: read through the
    # flush's connection, not the session
    status = application.status or "draft"  # a new row's column default, applied by the INSERT
    releasing = None
    if status == "pending_release" and application.registration_id:
        releasing = connection.scalar(
            select(Registration.enterprise_id).where(Registration.id == application.registration_id))
    application.visible_unit_id = visible_unit(application.business_type, status, application.enterprise_id,
                                               releasing)


def supervised_applications(user=None, query=None):
    """Filings whose time limits a user oversees (statistics, overdue lists), never a way to open one:
    the center every filing submitted in the province, the units' steps included; others their own."""
    q = db.session.query(Application) if query is None else query
    if actor(user).kind == "center":
        return q.filter(Application.status != "draft")
    return applications(user, q)


def _getter(scope, model):
    """get_application() and its kind: the row by its id if this user may see it (scope, as the
    lists read it); 404 otherwise, whether or not the row exists (never confirm it does)."""
    def get(pk, user=None):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            abort(404)
        found = scope(user).filter(model.id == pk).one_or_none()
        if found is None:
            abort(404)
        return found

    get.__name__ = f"get_{model.__name__.lower()}"
    get.rule = scope  # which rule it reads by: a view whose filters include that rule's (below) may read once
    return get


get_application = _getter(applications, Application)


def get_attachment(application, file_id):
    """An attachment of an application the caller has already read through get_application()."""
    found = db.session.scalars(
        select(Attachment).where(Attachment.id == file_id, Attachment.application_id == application.id)
    ).one_or_none()
    if found is None:
        abort(404)
    return found


def role_on(application, user=None):
    """The workflow role this user holds on this application, or None."""
    who = actor(user)
    if who.kind == "applicant" and application.person_id == who.person_id:
        return "applicant"
    if who.kind == "enterprise" and who.enterprise_id and unit_in_view(application) == who.enterprise_id:
        return "old_enterprise" if application.status == "pending_release" else "enterprise"
    if who.kind == "center":
        return "center"
    return None


def registrations(user=None, query=None):
    q = db.session.query(Registration) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "enterprise" and who.enterprise_id:
        return q.filter(Registration.enterprise_id == who.enterprise_id)
    if who.kind == "applicant" and who.person_id:
        return q.filter(Registration.person_id == who.person_id)
    return q.filter(false())


get_registration = _getter(registrations, Registration)


def enterprises(user=None, query=None):
    """Enterprise records a user may open: the center all, a reviewer only their own."""
    q = db.session.query(Enterprise) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "enterprise" and who.enterprise_id:
        return q.filter(Enterprise.id == who.enterprise_id)
    return q.filter(false())


get_enterprise = _getter(enterprises, Enterprise)


def persons(user=None, query=None):
    """Person records a user may open: the center all (it confirms 实人认证), a person their own."""
    q = db.session.query(Person) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "applicant" and who.person_id:
        return q.filter(Person.id == who.person_id)
    return q.filter(false())


get_person = _getter(persons, Person)


def unlock_requests(user=None, query=None):
    """解锁申请: the center all, the holder their own; nobody else (the unit is told, not asked)."""
    q = db.session.query(UnlockRequest) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "applicant" and who.person_id:
        return q.filter(UnlockRequest.person_id == who.person_id)
    return q.filter(false())


get_unlockrequest = _getter(unlock_requests, UnlockRequest)


def commitment_draws(user=None, query=None):
    """告知承诺核查's draws: the center's own work, nobody else's."""
    q = db.session.query(CommitmentDraw) if query is None else query
    return q if actor(user).kind == "center" else q.filter(false())


get_commitmentdraw = _getter(commitment_draws, CommitmentDraw)


def commitment_checks(user=None, query=None):
    q = db.session.query(CommitmentCheck) if query is None else query
    return q if actor(user).kind == "center" else q.filter(false())


get_commitmentcheck = _getter(commitment_checks, CommitmentCheck)


def messages(user=None, query=None):
    """In-app messages (站内消息): each user reads only their own, whatever their role."""
    q = db.session.query(Message) if query is None else query
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return q.filter(false())
    return q.filter(Message.user_id == user.id)


get_message = _getter(messages, Message)


def credit_records(user=None, query=None):
    """Credit records (app/credit.py): the center all; a person their own (by ID number, so a record
    made before their account is theirs too); a unit those of the persons registered with it now."""
    q = db.session.query(CreditRecord) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "enterprise" and who.enterprise_id:
        registered = select(Person.id_number).join(Registration, Registration.person_id == Person.id).where(
            Registration.enterprise_id == who.enterprise_id, in_force(Registration.status))
        return q.filter(CreditRecord.id_number.in_(registered))
    if who.kind == "applicant" and who.person_id:
        own = select(Person.id_number).where(Person.id == who.person_id).scalar_subquery()
        return q.filter(CreditRecord.id_number == own)
    return q.filter(false())


get_credit_record = _getter(credit_records, CreditRecord)


def elicence_events(user=None, query=None):
    """The e-licence outbox (a select of its rows): the center's staff only."""
    q = select(ElicenceEvent) if query is None else query
    if actor(user).kind == "center":
        return q
    return q.where(false())


def jobs(user=None, query=None):
    """The task queue's jobs (后台任务): the center's staff and the system administrator see every
    job's kind, state, attempts and error (never an export's file: that is exports() below)."""
    q = db.session.query(Job) if query is None else query
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return q.filter(false())
    if {r.name for r in user.roles} & {roles.CENTER, roles.ADMIN}:
        return q
    return q.filter(false())


get_job = _getter(jobs, Job)


def exports(user=None, query=None):
    """A user's own exports: only who asked for an export follows it and downloads its file."""
    q = db.session.query(Job) if query is None else query
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return q.filter(false())
    return q.filter(Job.user_id == user.id, Job.kind.like("export.%"))


get_export = _getter(exports, Job)


def campaigns(user=None, query=None):
    """专项整治 themselves (their lists, statistics and imports): the center's alone."""
    q = db.session.query(Campaign) if query is None else query
    return q if actor(user).kind == "center" else q.filter(false())


get_campaign = _getter(campaigns, Campaign)


def campaign_targets(user=None, query=None):
    """Flagged persons and their answers: the center all; a unit those flagged while registered with it
    (it reviews them first); a person their own."""
    q = db.session.query(CampaignTarget) if query is None else query
    who = actor(user)
    if who.kind == "center":
        return q
    if who.kind == "enterprise" and who.enterprise_id:
        return q.filter(CampaignTarget.enterprise_id == who.enterprise_id)
    if who.kind == "applicant" and who.person_id:
        return q.filter(CampaignTarget.person_id == who.person_id)
    return q.filter(false())


get_campaign_target = _getter(campaign_targets, CampaignTarget)


def _scope_filter(name, rule):
    """One of the rules above as a filter for FAB's base_filters: a list reads the rows its view's
    fetch() would."""
    def apply(self, query, value):
        return rule(current_user, query)

    return type(name, (BaseFilter,), {"name": "scope", "arg_name": "scope", "apply": apply, "rule": rule,
                                      "__doc__": f"The rows {rule.__name__}() lets the user read."})


ApplicationScope = _scope_filter("ApplicationScope", applications)
RegistrationScope = _scope_filter("RegistrationScope", registrations)
EnterpriseScope = _scope_filter("EnterpriseScope", enterprises)
PersonScope = _scope_filter("PersonScope", persons)
CreditScope = _scope_filter("CreditScope", credit_records)
JobScope = _scope_filter("JobScope", jobs)
ExportScope = _scope_filter("ExportScope", exports)
UnlockRequestScope = _scope_filter("UnlockRequestScope", unlock_requests)
CommitmentDrawScope = _scope_filter("CommitmentDrawScope", commitment_draws)
CampaignScope = _scope_filter("CampaignScope", campaigns)
CampaignTargetScope = _scope_filter("CampaignTargetScope", campaign_targets)
