"""The API follows the procedure the app is configured with, however it is set (the app's config,
not only the environment at import): the moves offered, the moves accepted and the description."""
import pytest
from sqlalchemy import select

from models import Application
from models.people import Person
from tests.api_helpers import api_as  # noqa: F401  (a fixture)

V1 = "/api/v1"


def in_center_queue(query):
    return query(lambda s: s.scalar(select(Application.id).join(Person, Application.person_id == Person.id)
                                    .where(Person.user.has(username="app3"))))


def move_enum(client):
    spec = client.get(f"{V1}/_openapi").get_json()
    return set(spec["components"]["schemas"]["MoveRequest"]["properties"]["action"]["enum"])


@pytest.mark.parametrize("procedure,first_move,foreign_move", [("full", "accept", "approve"),
                                                               ("single", "approve", "accept")])
def test_moves_offered_are_moves_accepted(app, demo, api_as, query, monkeypatch, procedure, first_move,
                                          foreign_move):
    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", procedure)
    center = api_as("center")
    pk = in_center_queue(query)
    offered = {m["action"] for m in center.get(f"{V1}/applications/{pk}/moves").get_json()["moves"]}
    assert first_move in offered and foreign_move not in offered
    enum = move_enum(center.client)
    assert first_move in enum
    answer = center.post(f"{V1}/applications/{pk}/moves", json={"action": first_move, "opinion": "材料齐全"})
    assert answer.status_code == 200, answer.get_json()
    assert query(lambda s: s.get(Application, pk).status) != "pending_center"


def test_the_description_lists_only_the_configured_procedures_moves(app, demo, api_as, monkeypatch):
    client = api_as("center").client
    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "full")
    assert {"accept", "examine", "grant", "announce"} <= move_enum(client)
    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "single")
    assert not {"accept", "examine", "grant", "announce"} & move_enum(client)
