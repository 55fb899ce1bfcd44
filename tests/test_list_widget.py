"""The list widget's rows and links, written in Python (views/list_widget.py), are FAB's."""
import pytest
from flask_appbuilder.filters import TemplateFilters

from views import list_widget

QUERIES = ["", "?q=%E5%BC%A0&_flt_0_status=approved", "?page_CenterApplicationView=3&psize_CenterApplicationView=50",
           "?_oc_CenterApplicationView=name&_od_CenterApplicationView=asc&q=a+b%26c",
           "?_oc_CenterApplicationView=name&_od_CenterApplicationView=desc&tag=1&tag=2"]


@pytest.mark.parametrize("query", QUERIES)
def test_paging_and_sorting_links_are_fabs(app, query):
    view = "CenterApplicationView"
    with app.test_request_context("/centerapplicationview/list/" + query):
        app.preprocess_request()
        for column in ("name", "submitted_at"):
            assert list_widget.link_order(column, view) == TemplateFilters.link_order_filter(None, column, view)
        for page in (0, 1, 7):
            assert list_widget.link_page(page, view) == TemplateFilters.link_page_filter(None, page, view)
        for size in (25, 100):
            assert list_widget.link_page_size(size, view) == TemplateFilters.link_page_size_filter(None, size, view)


def test_cells_are_escaped_and_formatted(app):
    with app.test_request_context("/"):
        html = list_widget.list_rows([{"name": "<b>张三</b>", "status": "approved"}], [7], ["name", "status"],
                                     {"status": lambda s: s.upper()}, checkbox_label="选择",
                                     buttons={"show": '<a href="/x/1234">查看</a>'}, row_key="1234")
    assert "<b>" not in html and "&lt;b&gt;张三&lt;/b&gt;" in html
    assert "<td>APPROVED</td>" in html
    assert '<a href="/x/7">' in html and 'value="7"' in html and 'aria-label="选择"' in html


def test_each_cell_carries_its_columns_label_for_the_phone_cards(app):
    with app.test_request_context("/"):
        html = list_widget.list_rows([{"name": "张三", "status": "approved"}], [7], ["name", "status"], {},
                                     labels={"name": "姓名", "status": '状态"><script>'})
    assert '<td data-label="姓名">张三</td>' in html
    assert 'data-label="状态&#34;&gt;&lt;script&gt;"' in html  # a label is escaped like a cell


def test_the_queue_and_the_messages_show_as_labelled_cards_on_a_phone(demo, client_as):
    client = client_as("ent1")
    queue = client.get("/enterprisependingview/list/").get_data(as_text=True)
    assert 'class="table-responsive list-cards"' in queue and 'data-label="状态"' in queue
    messages = client.get("/messages/").get_data(as_text=True)
    assert 'class="list-cards"' in messages and 'data-label="内容"' in messages
