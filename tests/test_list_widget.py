"""The list widget's rows, written in Python (views/fab_overrides/list_rows.py), are FAB's."""
import re

import pytest
from flask_appbuilder import ModelView

from views.fab_overrides.list_rows import list_rows


def test_cells_are_escaped_and_formatted(app):
    with app.test_request_context("/"):
        html = list_rows([{"name": "<b>张三</b>", "status": "approved"}], [7], ["name", "status"],
                         {"status": lambda s: s.upper()}, checkbox_label="选择",
                         buttons={"show": '<a href="/x/1234">查看</a>'}, row_key="1234")
    assert "<b>" not in html and "&lt;b&gt;张三&lt;/b&gt;" in html
    assert "<td>APPROVED</td>" in html
    assert '<a href="/x/7">' in html and 'value="7"' in html and 'aria-label="选择"' in html


def test_each_cell_carries_its_columns_label_for_the_phone_cards(app):
    with app.test_request_context("/"):
        html = list_rows([{"name": "张三", "status": "approved"}], [7], ["name", "status"], {},
                         labels={"name": "姓名", "status": '状态"><script>'})
    assert '<td data-label="姓名">张三</td>' in html
    assert 'data-label="状态&#34;&gt;&lt;script&gt;"' in html  # a label is escaped like a cell


def test_the_queue_and_the_messages_show_as_labelled_cards_on_a_phone(demo, client_as):
    client = client_as("ent1")
    queue = client.get("/enterprisependingview/list/").get_data(as_text=True)
    assert 'class="table-responsive list-cards"' in queue and 'data-label="状态"' in queue
    messages = client.get("/messages/").get_data(as_text=True)
    assert 'class="list-cards"' in messages and 'data-label="内容"' in messages


@pytest.mark.parametrize("username", ["app7", "ent1", "center", "admin", "secadmin", "auditor"])
def test_every_list_has_a_header_cell_for_each_cell_of_its_rows(demo, app, client_as, username):
    """A header over the wrong column misreads every row (a list whose rows have no buttons once
    gave them an empty cell that its header did not have)."""
    client = client_as(username)
    lists = 0
    for url in list_urls(app):
        page = client.get(url)
        if page.status_code != 200:
            continue
        html = page.get_data(as_text=True)
        for table in re.findall(r'<div class="table-responsive list-cards">\s*<table.*?</table>', html, re.S):
            header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
            columns = len(re.findall(r"<th[\s>]", header))
            rows = re.findall(r"<tr>(.*?)</tr>", table.split("</thead>", 1)[1], re.S)
            for row in rows:
                assert len(re.findall(r"<td[\s>]", row)) == columns, (url, columns, row[:300])
            lists += bool(rows)
    assert lists > 0


def list_urls(app):
    with app.test_request_context():
        return [f"{view.route_base}/list/" for view in app.appbuilder.baseviews
                if isinstance(view, ModelView) and "can_list" in view.base_permissions]


@pytest.mark.parametrize("username", ["app7", "ent1", "center", "auditor"])
def test_a_list_offers_its_search_box_only_where_the_box_filters(demo, app, client_as, username):
    client = client_as(username)
    boxes = 0
    for url in list_urls(app):
        page = client.get(url)
        if page.status_code != 200 or 'id="q" name="q"' not in page.get_data(as_text=True):
            continue
        boxes += 1
        assert record_count(client.get(url + "?q=查无此人ZZ")) == 0, url  # the box does filter
    assert boxes > 0 or username == "auditor"  # the security log has filters of its own, no such box
    if username in ("center", "auditor"):  # 后台任务 and 安全日志 have no such box: it would filter nothing
        for url in ("/jobs/list/", "/securitylog/list/"):
            page = client.get(url)
            assert page.status_code != 200 or 'id="q" name="q"' not in page.get_data(as_text=True), url


def record_count(page):
    found = re.search(r"记录数：</strong>\s*(\d+)", page.get_data(as_text=True))
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("username", ["center", "auditor"])
def test_times_on_lists_read_to_the_second_not_the_microsecond(demo, app, client_as, username):
    client = client_as(username)
    for url in list_urls(app):
        page = client.get(url)
        if page.status_code == 200:
            # neither in a cell nor in a filter's field
            assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", page.get_data(as_text=True)), url
