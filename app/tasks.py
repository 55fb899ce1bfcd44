"""The periodic jobs (app/jobs.py SCHEDULE runs them; the center sees each run under 后台任务).

Each is the function its flask command calls, and each may run again after a worker died mid-way:
expiry is one UPDATE; the reminders keep "once" in the renewal_reminder table; the directory sync
and the national data exchange resume after their last committed batch; the SMS retry and the
e-licence push send only what is still due (each event keeps its own tries and backoff).
"""
from flask_babel import lazy_gettext as _l

from app import campaigns, elicence_push, exchange, jobs, lifecycle, notify, supervision
from app import reminders as renewal
from app.govnet import sync


@jobs.task("registrations.expire", _l("注册证书到期失效"))
def expire(job):
    # the center's measures that end by date end with the same daily run (app/supervision.py)
    expired = lifecycle.expire()
    locks, suspensions = supervision.lift_ended_holds()
    job.summary = jobs.text(_l("已失效 %(count)s 件，期满解锁 %(locks)s 件，期满恢复执业 %(suspensions)s 件",
                                count=expired, locks=locks, suspensions=suspensions))


@jobs.task("campaigns.lock_overdue", _l("专项整治逾期锁定"))
def lock_overdue(job):
    job.summary = jobs.text(_l("锁定 %(count)s 人", count=campaigns.lock_overdue()))


@jobs.task("notify.reminders", _l("续期提醒"))
def reminders(job):
    job.summary = jobs.text(_l("提醒 %(count)s 件注册", count=renewal.run()))


@jobs.task("notify.retry", _l("重发未成功的短信"))
def retry_sms(job):
    queued, sent = notify.retry(older_than_minutes=60)
    job.summary = jobs.text(_l("待发 %(queued)s 条，发出 %(sent)s 条", queued=queued, sent=sent))
    if sent < queued:
        raise jobs.JobFailed(f"{queued - sent} of {queued} SMS still unsent", reason="sms")


@jobs.task("govnet.sync", _l("企业信息同步"))
def directory_sync(job):
    run, _ = sync.start()
    sync.run_batches(run, advance=jobs.advancer(job, sync.remaining(run)))
    job.summary = jobs.text(_l("核对企业 %(checked)s 家，更名 %(renamed)s 家", checked=run.checked,
                                renamed=run.renamed))


@jobs.task("elicence.push", _l("电子证照推送"))
def push_elicences(job):
    sent, failed = elicence_push.push_pending()
    job.summary = jobs.text(_l("推送成功 %(sent)s 条，失败 %(failed)s 条", sent=sent, failed=failed))
    # a failed event waits for its own next attempt (app/elicence_push.py backoff): the job is done


@jobs.task("exchange.export", _l("四库一平台数据交换"))
def export_exchange(job):
    run, _ = exchange.start()
    manifest = exchange.run_entities(run, advance=jobs.advancer(job, exchange.remaining(run)))
    job.summary = jobs.text(_l("导出 %(rows)s 行", rows=sum(item["rows"] for item in manifest["files"])))
