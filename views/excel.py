"""导出Excel for list views: the same rows as the list on screen, as .xlsx, made by a job.

The 导出Excel button (a POST: starting an export creates a job) queues an export job (app/jobs.py) with the list's query string and sends the
user to the export's page (ExportView below), which shows its progress and offers the file once
it is done, to that user only (app/access.py exports). The worker rebuilds the list's query as the
list does, for the user who asked: search `q`, FAB filters, sort, and the view's base filters (row
access, app/access.py scopes) with that user as the current user. Views that mix this in add
"can_export_xlsx" to base_permissions.

The rows are read with a server-side cursor as plain tuples of the exported columns (each a column
of the row or of a many-to-one relation, joined), not as ORM objects; a view exporting a computed
column (a property) is read row by row through the ORM instead, as the list reads it.
"""
import io
import mimetypes
import os
import secrets
import tempfile
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter

from flask import abort, current_app, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.security.sqla.models import User
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import InstrumentedAttribute
from sqlalchemy.orm.properties import ColumnProperty
from sqlalchemy.orm.relationships import RelationshipProperty

from app import access, audit, excel, jobs
from app.extensions import db
from models import Job
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface

EXPORT_KIND = "export.xlsx"


class ExcelExport:
    export_columns = None  # default: the list's columns

    @expose("/export.xlsx", methods=["GET", "POST"])
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self):
        """POST (the list's 导出Excel button, CSRF-checked by the app's CSRFProtect): queue the export of
        the list as it is filtered and sorted now, and show its page. A GET changes nothing: it shows
        the button that starts the export, for the same query."""
        if request.method != "POST":
            return start_page(self, _l("导出Excel"), _l(
                "将按列表当前的搜索、筛选和排序导出。导出在后台进行，开始后可在导出页面查看进度并下载文件。"),
                _l("开始导出"))
        args = [[key, value] for key, value in request.args.items(multi=True)]
        title = str(self.list_title or self.__class__.__name__)
        params = {"view": self.__class__.__name__, "args": args, "title": title,
                  "filename": f"{title}-{datetime.now():%Y%m%d%H%M}.xlsx", "locale": str(get_locale() or "zh")}
        get_filter_args(self._filters)
        audit.record("export", user=g.user, target=self.__class__.__name__,
                     detail={"format": "xlsx", "filters": self._filters.get_filters_values_tojson()})
        same = db.session.scalars(select(Job).where(  # the same export asked for again while it runs
            Job.user_id == g.user.id, Job.kind == EXPORT_KIND, Job.state.in_(("queued", "running")))).all()
        job = next((j for j in same if (j.params["view"], j.params["args"]) == (params["view"], args)), None)
        if job is None:
            job = jobs.enqueue(EXPORT_KIND, params, user=g.user)
        return redirect(url_for("ExportView.show", pk=job.id))

    # --- run by the worker --------------------------------------------------------------------
    def list_query(self):
        """The list's query for the current request's arguments and user: its search, FAB filters, sort
        and the view's base filters (row access), without the list's loader options."""
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column not in self.order_columns or order_direction not in ("asc", "desc"):
            order_column, order_direction = self.base_order or ("", "")
        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        return SQLAInterface.apply_all(self.datamodel, self.datamodel.session.query(self.datamodel.obj), joined,
                                       order_column, order_direction)

    def export_plan(self):
        """(headers, total, rows) of the list for the current request's arguments and user."""
        session = self.datamodel.session
        query = self.list_query()
        columns = self.export_columns or self.list_columns
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        plan = _column_query(self.datamodel.obj, columns, query, getattr(self, "export_sources", {}))
        formatters = [_remembering(self.formatters_columns.get(c)) for c in columns]
        if plan is not None:
            selected, readers = plan
            connection = session.connection()
            result = connection.execute(  # a server-side cursor, for this statement only
                selected.statement, execution_options={"stream_results": True, "yield_per": excel.BATCH})
            # PostgreSQL's batches are fetched by a thread while the sheet is written: each fetch
            # waits on the server (SQLite reads in this process, with nothing to wait for)
            return headers, total, _formatted(result, readers, formatters,
                                              read_ahead=connection.dialect.name == "postgresql")
        return headers, total, self._orm_rows(query.options(*getattr(self.datamodel, "load_options", ())), columns)

    def _orm_rows(self, query, columns):
        formatters = self.formatters_columns
        for item in query.yield_per(excel.BATCH):
            values = []
            for column in columns:
                value = self.datamodel._get_attr_value(item, column)
                if column in formatters:
                    value = formatters[column](value)
                values.append(value)
            yield values


def _column_query(model, columns, query, sources):
    """(the query selecting the exported columns as plain values, a reader per exported column), or
    None when a column is neither a database column (of the row or of a many-to-one relation,
    outer-joined under an alias of its own) nor computed from such columns (`sources`:
    column -> (the row's attribute names, a function of their values))."""
    expressions, readers, joined = [], [], {}
    for column in columns:
        if column in sources:
            names, combine = sources[column]
            found = [getattr(model, name, None) for name in names]
            if not all(isinstance(f, InstrumentedAttribute) and isinstance(f.property, ColumnProperty)
                       for f in found):
                return None
            readers.append((len(expressions), len(expressions) + len(found), combine))
            expressions += found
            continue
        name, _, attribute = column.partition(".")
        found = getattr(model, name, None)
        if not isinstance(found, InstrumentedAttribute):
            return None
        if attribute:
            relation = found.property
            if not isinstance(relation, RelationshipProperty) or relation.uselist or "." in attribute:
                return None
            if name not in joined:
                joined[name] = aliased(relation.mapper.class_)
                query = query.outerjoin(joined[name], found)
            found = getattr(joined[name], attribute, None)
            if found is None or not isinstance(getattr(found, "property", None), ColumnProperty):
                return None
        elif not isinstance(found.property, ColumnProperty):
            return None
        readers.append(len(expressions))
        expressions.append(found)
    return query.with_entities(*expressions), readers


def _remembering(formatter, keep=2000):
    """A list formatter that remembers its answers for the first `keep` distinct values: a label of a
    state or a business type is worked out once per export, not once per row (a masked ID number,
    different on every row, is not kept past that)."""
    if formatter is None:
        return None
    known, unknown = {}, object()

    def formatted(value):
        try:
            answer = known.get(value, unknown)
        except TypeError:  # a value that cannot be a key
            return formatter(value)
        if answer is unknown:
            answer = formatter(value)
            if len(known) < keep:
                known[value] = answer
        return answer

    return formatted


class _formatted:
    """The streamed rows, formatted, as the sheet reads them. close() releases the cursor even when
    no row was read (the sheet's file could not be opened): on SQLite a cursor left open keeps the
    database locked for the job's own record of its failure."""

    def __init__(self, result, readers, formatters, read_ahead=False):
        self.result, self.read_ahead = result, read_ahead
        self.cells = [_cell_reader(reader, formatter) for reader, formatter in zip(readers, formatters)]

    def __iter__(self):
        batches = self.result.partitions(excel.BATCH)
        if self.read_ahead:
            batches = excel.read_ahead(batches)
        cells = self.cells
        try:
            for batch in batches:
                for row in batch:
                    yield [cell(row) for cell in cells]
        finally:
            if hasattr(batches, "close"):
                batches.close()  # the fetching thread ends before the cursor is closed
            self.close()

    def close(self):
        self.result.close()


def _cell_reader(reader, formatter):
    """A function of a fetched row giving one exported cell: its column (an index), or the value
    `sources` computes from several (start, end, combine), through the list's formatter if any."""
    if reader.__class__ is int:
        if formatter is None:
            return itemgetter(reader)
        return lambda row: formatter(row[reader])
    start, end, combine = reader
    if formatter is None:
        return lambda row: combine(*row[start:end])
    return lambda row: formatter(combine(*row[start:end]))


def start_page(view, heading, intro, button):
    """What a GET of a route that starts a job on the list (导出Excel, 打包下载) shows: the button that
    starts it with the same query string, and the way back to the list. A GET changes nothing."""
    query = request.query_string.decode("latin-1")
    list_url = url_for(f"{view.endpoint}.list") if f"{view.endpoint}.list" in current_app.view_functions else None
    return view.render_template(
        "exports/start.html", title=heading, heading=heading, intro=intro, button=button,
        list_title=view.list_title or "", action=f"{request.path}?{query}" if query else request.path,
        list_url=f"{list_url}?{query}" if list_url and query else list_url)


@contextmanager
def as_user(user, args=(), locale="zh"):
    """In a job: a request context with the list's query arguments, `user` as the current user (the
    lists' base filters and app/access.py read it) and the asker's language."""
    with current_app.test_request_context("/", query_string=[tuple(pair) for pair in args]), force_locale(locale):
        g.user = g._login_user = user
        yield


def asker(job):
    """The user who asked for a job, still active; else the job fails for good (running it again
    cannot help)."""
    user = db.session.get(User, job.user_id) if job.user_id else None
    if user is None or not user.active:
        raise jobs.JobFailed(f"user {job.user_id} missing or inactive", reason="user_gone", retry=False)
    return user


def find_view(name):
    for view in current_app.appbuilder.baseviews:
        if view.__class__.__name__ == name and isinstance(view, ExcelExport):
            return view
    raise LookupError(f"no export view {name}")


@jobs.task(EXPORT_KIND, _l("导出Excel"))
def run_export(job, view, args, title, filename, locale="zh"):
    """Write the export's file for the user who asked, reporting progress; the file is kept under a
    random name (EXPORT_DIR, or the bucket with STORAGE_BACKEND=s3) until EXPORT_KEEP_HOURS have passed."""
    user = asker(job)
    name = f"{job.id}-{secrets.token_hex(8)}.xlsx"
    path = os.path.join(current_app.config["EXPORT_DIR"] or tempfile.gettempdir(), f".{name}.part")
    try:
        write_export(view, args, title, user, path, locale, progress=lambda done, total=None: jobs.progress(
            job, done, total))
        jobs.keep_result(job, path, name, filename)
    finally:
        if os.path.exists(path):
            os.remove(path)


def write_export(view, args, title, user, path, locale="zh", progress=None):
    """The list `view` (its class name) as `user` sees it with these query arguments, written to
    `path`; progress(done, total) as it goes. Returns the rows written (bench/export.py times this)."""
    exporter = find_view(view)
    with as_user(user, args, locale):
        headers, total, rows = exporter.export_plan()
        try:
            if progress:
                progress(0, total)
            return excel.write(headers, rows, title, path, progress=progress)
        finally:
            if hasattr(rows, "close"):
                rows.close()


class ExportView(ScopedModelView):
    """One export's page: its progress while the job runs, then the file; only for who asked."""

    datamodel = ListInterface(Job)
    fetch = staticmethod(access.get_export)
    base_filters = [["id", access.ExportScope, lambda: None]]
    route_base = "/exports"
    base_permissions = ["can_show"]

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        job = self.get_row(pk)
        return self.render_template("exports/show.html", job=job, state=export_state(job),
                                    title=jobs.label(job.kind), label=jobs.label(job.kind))

    @expose("/<int:pk>/status")
    @has_access
    @permission_name("show")
    def status(self, pk):
        return jsonify(export_state(self.get_row(pk)))

    @expose("/<int:pk>/file")
    @has_access
    @permission_name("show")
    def file(self, pk):
        job = self.get_row(pk)
        found = jobs.read_result(job) if job.state == "done" else None
        if found is None:
            abort(404)
        audit.record("download", user=g.user, target=f"job:{job.id}", detail={"file": job.result_name})
        mimetype = excel.MIMETYPE if job.result_name.endswith(".xlsx") else \
            mimetypes.guess_type(job.result_name)[0] or "application/octet-stream"
        return send_file(found if isinstance(found, str) else io.BytesIO(found), mimetype=mimetype,
                         as_attachment=True, download_name=job.result_name)


def export_state(job):
    """What the export page shows and its script polls: state, rows done of total, the file's link."""
    ready = job.state == "done" and bool(job.result_file)
    total = job.progress_total
    percent = 100 if ready else (int(job.progress_done * 100 / total) if total else 0)
    texts = {"queued": _l("排队中"), "running": _l("正在导出"), "done": _l("已完成"), "failed": _l("导出失败")}
    text = str(texts.get(job.state, job.state))
    reason = jobs.reason_text(job.failure) if job.failure or job.last_error else None
    if job.state == "done" and not ready:
        text = str(_l("文件已过期，请重新导出"))
    elif job.state == "failed":
        text = str(_l("导出失败：%(reason)s", reason=reason))
    elif job.state == "queued" and job.attempts:
        text = str(_l("第 %(n)s 次未成功（%(reason)s），稍后自动重试", n=job.attempts, reason=reason))
    return {"state": job.state, "text": text, "reason": reason, "done": job.progress_done, "total": total, "percent": percent,
            "file": url_for("ExportView.file", pk=job.id) if ready else None}


def export_url(method="export_xlsx"):
    """The address of the current list's export (or of another route of its view that works on the
    whole list, such as certificates_zip) with the list's query string, if the list offers it and
    the user holds the list's export right (a template global)."""
    endpoint = (request.endpoint or "").rsplit(".", 1)
    if len(endpoint) != 2 or endpoint[1] != "list":
        return None
    view_name = endpoint[0]
    if f"{view_name}.{method}" not in current_app.view_functions:
        return None
    if not current_app.appbuilder.sm.has_access("can_export_xlsx", view_name):
        return None
    url = url_for(f"{view_name}.{method}")
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url
