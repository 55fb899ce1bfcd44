"""Two reviewers approving the same filing at the same moment: exactly one move is recorded."""
import threading

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import workflow
from app.extensions import db
from models import Application, Review


def test_two_simultaneous_approvals_make_one_move(demo, app, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_enterprise")))
    ready = threading.Barrier(2)
    outcomes = []

    def approve():
        with app.app_context():
            try:
                user = db.session.scalars(select(User).where(User.username == "ent1")).one()
                application = db.session.get(Application, pk)
                assert application.status == "pending_enterprise"  # both see it waiting
                ready.wait(timeout=10)
                workflow.transition(application, "approve", user)
                outcomes.append("moved")
            except workflow.Refused as refusal:
                outcomes.append(str(refusal))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["moved", "该申请已被他人处理，请刷新后查看最新状态"])
    approvals = query(lambda s: s.scalars(select(Review).where(
        Review.application_id == pk, Review.action == "approve")).all())
    assert len(approvals) == 1
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).version)) == ("pending_center", 3)
