"""The API against its description in the full center procedure (CENTER_PROCEDURE="full"): the
states, moves and filters of /applications are described per request from the configured
procedure (app/states.py), so description and answers agree in either one. The examples of
tests/test_api_schema.py, for the operations whose description depends on the procedure."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.test_api_schema import EXAMPLES, check, load_schema, targets, tokens  # noqa: F401 (fixtures)

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(app, demo, monkeypatch, request):
    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "full")
    return load_schema(app, monkeypatch, request)


@schema.include(path_regex="/applications").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description_in_the_full_procedure(case, tokens, targets):
    check(case, tokens, targets)
