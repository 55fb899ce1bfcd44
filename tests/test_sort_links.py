"""Every sort link a list page offers works: FAB offers one for each listed attribute that is not
a method, plain Python properties included, which the database cannot order by."""
import re

import pytest

from flask_appbuilder import ModelView

SORT_LINK = re.compile(r"_oc_(\w+)=([\w.]+)")


def list_pages(app):
    """(view name, list URL) of every list page, FAB's own (users, roles …) included."""
    with app.test_request_context():
        for view in app.appbuilder.baseviews:
            if isinstance(view, ModelView) and "can_list" in view.base_permissions:
                yield view.__class__.__name__, f"{view.route_base}/list/"


@pytest.mark.parametrize("username", ["app1", "ent1", "center", "admin"])
def test_every_offered_sort_answers(demo, app, client_as, username):
    client = client_as(username)
    pages = 0
    for name, url in list_pages(app):
        page = client.get(url)
        if page.status_code != 200:
            continue  # not this role's page (403/302): the access matrix covers that
        pages += 1
        offered = {column for view, column in SORT_LINK.findall(page.get_data(as_text=True)) if view == name}
        for column in sorted(offered):
            for direction in ("asc", "desc"):
                sorted_page = client.get(f"{url}?_oc_{name}={column}&_od_{name}={direction}")
                assert sorted_page.status_code == 200, (url, column, direction, sorted_page.status_code)
    assert pages > 0


def test_the_certificate_list_offers_no_sort_the_database_cannot_do(demo, client_as):
    page = client_as("center").get("/centerregistrationview/list/").get_data(as_text=True)
    offered = {column for view, column in SORT_LINK.findall(page) if view == "CenterRegistrationView"}
    assert "certificate_number" in offered
    assert not offered & {"specialty_names", "status_label"}
