"""The security log (等保三级): every security event, append-only, each row chained to the one before.

`record()` is the one door; callers name the event and what it concerns. Until the table exists
this writes to the application log only.
"""
import logging

log = logging.getLogger("regapp.security")


def record(event, *, user=None, username=None, target=None, detail=None, outcome="success"):
    """Log one security event.

    event:    a dotted name, e.g. "signin.success", "signin.failure", "sms.sent", "role.grant",
              "export", "download", "workflow.move", "session.revoked", "password.changed"
    user:     the acting account (a User) when known; username: the name typed, when no account
    target:   what the event acts on, as text ("application:12", "user:5", "role:注册中心")
    detail:   a small dict of further facts (never secrets, never full ID numbers)
    outcome:  "success" or "failure"
    """
    log.info("%s %s user=%s username=%s target=%s detail=%s", event, outcome,
             getattr(user, "id", None), username, target, detail)
