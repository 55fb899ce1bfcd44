"""The list widget's rows, written in Python (views/fab_overrides/list_rows.py), are FAB's."""
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
