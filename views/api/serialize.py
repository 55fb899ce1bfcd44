"""Rows as the API shows them. Lists mask ID and phone numbers as the pages' lists do; a detail
answer shows them in full to whoever app/access.py lets read the row (domain.md, Privacy)."""
from app import attachments, business_types, states, workflow
from app.validators import mask_id_number, mask_phone
from models.registrations import REGISTRATION_STATUS, SPECIALTY_STATUS


def when(value):
    """A stored local time as RFC 3339 with this server's offset (the rows keep naive local times)."""
    return value.astimezone().isoformat(timespec="seconds") if value is not None else None


def day(value):
    return value.isoformat() if value is not None else None


def specialty(row):
    return {"id": row.id, "code": row.code, "name": row.name}


def registered_specialty(term):
    """A specialty of a registration with its own validity; lapsed when its validity ran out."""
    lapsed = not term.in_force()
    return {**specialty(term.specialty), "valid_from": day(term.valid_from), "valid_until": day(term.valid_until),
            "status": "expired" if lapsed else "active",
            "status_label": str(SPECIALTY_STATUS["expired" if lapsed else "active"])}


def enterprise_ref(row):
    if row is None:
        return None
    return {"id": row.id, "name": row.name, "credit_code": row.credit_code}


def application_summary(row):
    return {
        "id": row.id,
        "number": row.number,
        "business_type": row.business_type,
        "business_type_label": str(business_types.type_label(row.business_type)),
        "status": row.status,
        "status_label": str(states.label(row.status)),
        "name": row.name,
        "id_number": mask_id_number(row.id_number),
        "enterprise": enterprise_ref(row.enterprise),
        "specialties": [specialty(s) for s in row.specialties],
        "accepted_on_commitment": bool(row.accepted_on_commitment),
        "version": row.version,
        "created_at": when(row.created_at),
        "submitted_at": when(row.submitted_at),
        "decided_at": when(row.decided_at),
    }


def application_detail(row, user):
    answer = application_summary(row)
    answer.update({
        "id_number": row.id_number,
        "sex": row.sex,
        "birth_date": day(row.birth_date),
        "phone": row.phone,
        "ethnicity": row.ethnicity,
        "education": row.education,
        "major": row.major,
        "school": row.school,
        "title": row.title,
        "email": row.email,
        "reason": row.reason,
        "registration_id": row.registration_id,
        "updated_at": when(row.updated_at),
        "editable": workflow.editable_by(row, user),
        "reviews": [review(r) for r in row.reviews],
        "attachments": [attachment(a) for a in attachments.current(row).values()],
    })
    return answer


def review(row):
    return {
        "id": row.id,
        "action": row.action,
        "action_label": str(states.action_label(row.action, row.role)),
        "role": row.role,
        "role_label": str(states.ROLE_LABELS.get(row.role, row.role)),
        "actor_name": row.actor_name,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "opinion": row.opinion,
        "created_at": when(row.created_at),
    }


def attachment(row):
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": str(business_types.ATTACHMENT_KINDS.get(row.kind, row.kind)),
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "commitment": bool(row.commitment),
        "uploaded_at": when(row.uploaded_at),
        "removed_at": when(row.removed_at),
    }


def checklist(application):
    return [{
        "kind": kind,
        "label": str(label),
        "attachment_id": present.id if present is not None else None,
        "commitment_allowed": commitment_allowed,
    } for kind, label, present, commitment_allowed in attachments.checklist(application)]


def move(row):
    return {
        "action": row.action,
        "label": str(row.label),
        "role": row.role,
        "target": row.target,
        "target_label": str(states.label(row.target)),
        "opinion": row.opinion or "none",
    }


def registration(row, full=False):
    person = row.person
    return {
        "id": row.id,
        "certificate_number": row.certificate_number,
        "person": {"id": person.id, "name": person.name,
                   "id_number": person.id_number if full else mask_id_number(person.id_number)},
        "enterprise": enterprise_ref(row.enterprise),
        "specialties": [registered_specialty(t) for t in row.specialty_terms],
        "valid_from": day(row.valid_from),
        "valid_until": day(row.valid_until),
        "status": row.status,
        "status_label": str(REGISTRATION_STATUS.get(row.status, row.status)),
        "created_at": when(row.created_at),
    }


def enterprise(row):
    return {
        "id": row.id,
        "credit_code": row.credit_code,
        "name": row.name,
        "legal_representative": row.legal_representative,
        "registered_address": row.registered_address,
        "enterprise_type": row.enterprise_type,
        "govnet_status": row.govnet_status,
        "docked": row.is_docked,
        "docked_at": when(row.docked_at),
        "synced_at": when(row.synced_at),
        "contact_person": row.contact_person,
        "contact_phone": row.contact_phone,
        "office_address": row.office_address,
        "qualification_grade": row.qualification_grade,
        "safety_licence_number": row.safety_licence_number,
    }


def person(row, full=False):
    answer = {
        "id": row.id,
        "name": row.name,
        "sex": row.sex,
        "id_number": row.id_number if full else mask_id_number(row.id_number),
        "phone": (row.phone if full else mask_phone(row.phone)) if row.phone else None,
        "verified": row.verified_at is not None,
        "verified_at": when(row.verified_at),
    }
    if full:
        answer.update({
            "birth_date": day(row.birth_date),  # in a list it would give away the masked digits
            "ethnicity": row.ethnicity,
            "education": row.education,
            "major": row.major,
            "school": row.school,
            "title": row.title,
            "email": row.email,
            "qualifications": [{"specialty": specialty(q.specialty), "certificate_number": q.certificate_number,
                                "issue_date": day(q.issue_date)} for q in row.qualifications],
        })
    return answer


def credit_record(row, full=False):
    from app import credit

    return {
        "id": row.id,
        "name": row.name,
        "id_number": row.id_number if full else mask_id_number(row.id_number),
        "kind": row.kind,
        "kind_label": str(credit.kind_label(row.kind)),
        "authority": row.authority,
        "decision_number": row.decision_number,
        "decided_on": day(row.decided_on),
        "period_from": day(row.period_from),
        "period_until": day(row.period_until),
        "bars_registration": credit.bars(row.kind),
        "effect": str(credit.bar_label(row)),
        "facts": row.facts,
        "created_at": when(row.created_at),
    }


def campaign(row, full=False):
    answer = {"id": row.id, "name": row.name, "description": row.description, "answer_by": day(row.answer_by),
              "created_at": when(row.created_at)}
    if full:
        from app import campaigns

        answer["statistics"] = campaigns.statistics(row)
    return answer


def campaign_target(row, full=False):
    from app import states

    return {
        "id": row.id,
        "campaign": {"id": row.campaign.id, "name": row.campaign.name},
        "person": {"id": row.person.id, "name": row.person.name,
                   "id_number": row.person.id_number if full else mask_id_number(row.person.id_number)},
        "enterprise": enterprise_ref(row.enterprise),
        "status": row.status,
        "status_label": str(states.campaign_label(row.status)),
        "issue": row.issue,
        "answer_by": day(row.answer_by),
        "answer_kind": row.answer_kind,
        "answer": row.answer,
        "answered_at": when(row.answered_at),
        "has_evidence": bool(row.evidence_file),
        "version": row.version,
    }
