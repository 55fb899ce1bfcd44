from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Job(Model):
    """One job of the task queue (app/jobs.py): what to run, who asked, and what became of it.

    The row, not the queue's message, is the record: a worker claims it (queued -> running) before
    running it, keeps heartbeat_at fresh while it runs, and ends it done, or queued again with a
    later run_after (retried with backoff), or failed once max_attempts are spent. A running row
    whose heartbeat stopped (its worker died) is put back in the queue by the reaper, so nothing is
    lost. An export keeps its progress (progress_done of progress_total) and its file here."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)  # technical: for the log and the operator
    failure: Mapped[str | None] = mapped_column(String(40))  # the reason users read (app/jobs.py REASONS)
    summary: Mapped[str | None] = mapped_column(String(255))  # what a finished job did, in Chinese
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))  # who asked
    request_id: Mapped[str | None] = mapped_column(String(64))  # the request that asked, for the logs
    progress_done: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    result_file: Mapped[str | None] = mapped_column(String(120))  # a file the job made, inside EXPORT_DIR
    result_name: Mapped[str | None] = mapped_column(String(200))  # the name it is downloaded under
    worker: Mapped[str | None] = mapped_column(String(120))  # host and process that ran it last
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    run_after: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")

    @property
    def error_shown(self):
        """(reason code, technical text) of the last failure: the 后台任务 list shows both in one cell."""
        return (self.failure, self.last_error) if self.last_error or self.failure else None

    # the reaper reads running and queued rows; the jobs page lists the newest; a user's exports
    __table_args__ = (Index("ix_job_state_heartbeat", "state", "heartbeat_at"),
                      Index("ix_job_created", "created_at"),
                      Index("ix_job_user_created", "user_id", "created_at"))
