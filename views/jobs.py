"""后台任务: the task queue's jobs for the center's staff and the system administrator.

Every job is listed with its state, attempts and the reason of its last failure (in the reader's
language; the technical text folded under it, for the operator), newest first; a failed one (its
retries spent) can be run again (重新执行). Which rows: app/access.py jobs(); an export's file is
never offered here (only its owner downloads it, views/excel.py ExportView).
"""
from flask import flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import access, audit, jobs
from models import Job
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface

STATE_LABELS = {"queued": _l("排队中"), "running": _l("执行中"), "done": _l("已完成"), "failed": _l("失败")}


def state_label(state):
    return str(STATE_LABELS.get(state, state))


def last_line(error):
    """The last line of a job's error (its exception), short enough for a list."""
    lines = (error or "").strip().splitlines()
    return lines[-1][:200] if lines else ""


def error_cell(shown):
    """A failure as the center reads it: the reason in the page's language, and the technical text
    (for the operator; the whole of it is in the log) folded away under 技术信息."""
    if not shown:
        return ""
    code, detail = shown
    cell = Markup("{}").format(jobs.reason_text(code))
    if detail:
        cell += Markup('<details class="job-detail"><summary>{}</summary><code>{}</code></details>').format(
            _l("技术信息"), last_line(detail))
    return cell


class JobView(ScopedModelView):
    datamodel = ListInterface(Job, joined=("user",))
    fetch = staticmethod(access.get_job)
    base_filters = [["id", access.JobScope, lambda: None]]
    route_base = "/jobs"
    base_permissions = ["can_list"]
    list_template = "applications/list.html"
    list_title = _l("后台任务")
    base_order = ("id", "desc")
    list_columns = ["id", "kind", "state", "attempts", "progress_done", "summary", "error_shown", "user.username",
                    "created_at", "finished_at"]
    search_columns = ["kind", "state", "created_at"]
    order_columns = ["id", "created_at"]
    label_columns = {"id": _l("编号"), "kind": _l("任务"), "state": _l("状态"), "attempts": _l("已执行次数"),
                     "progress_done": _l("已处理"), "summary": _l("结果"), "error_shown": _l("失败原因"),
                     "user.username": _l("提交人"), "user": _l("提交人"), "created_at": _l("创建时间"),
                     "finished_at": _l("结束时间")}
    formatters_columns = {"kind": jobs.label, "state": state_label, "error_shown": error_cell,
                          "summary": lambda text: text or "",
                          "user.username": lambda name: name or str(_l("系统")),
                          "created_at": lambda d: d.strftime("%Y-%m-%d %H:%M:%S") if d else "",
                          "finished_at": lambda d: d.strftime("%Y-%m-%d %H:%M:%S") if d else ""}

    @action("retry", _l("重新执行"), _l("确认重新执行所选的失败任务？"), "fa-refresh", single=False)
    def retry(self, items):
        again = 0
        for job in self.rows_in_scope(items):
            if jobs.retry(job):
                again += 1
                audit.record("job.retry", user=g.user, target=f"job:{job.id}", detail={"job": jobs.label(job.kind)})
        if again:
            flash(_l("已重新排队 %(count)s 个任务", count=again), "success")
        else:
            flash(_l("只有失败的任务可以重新执行"), "warning")
        return redirect(url_for(f"{self.endpoint}.list"))
