"""schemathesis against the API's own description (/api/v1/_openapi), in-process over WSGI, signed
in as an applicant, an enterprise and the center: no answer may be a 5xx or break the description.

Bounded so that the module stays within a few minutes: a handful of examples per operation, sent
with the three users' tokens in turn, and the same examples on every run (derandomized), so CI on
SQLite and on PostgreSQL sees what a developer saw.
"""
import io
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import select

from app.extensions import limiter
from models import Application, Attachment, Enterprise, Person, Registration
from tests.api_helpers import api_token, bearer
from tests.helpers import pdf_bytes
from views.api.schemas import MAX_ID

USERS = ("app1", "ent1", "center")
EXAMPLES = 8

CONFIG = {
    # the token goes in by the test (each user's in turn), not generated or left out by schemathesis
    "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
    "checks": {
        # A request can match the description and still be refused by a business rule (422 with the
        # reasons: a unit not docked, a file that is not a PDF …); 400 stays a failure here.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]},
    },
}


@pytest.fixture
def api_schema(app, demo, monkeypatch, request):
    return load_schema(app, monkeypatch, request)


def load_schema(app, monkeypatch, request):
    # schemathesis 4.32 renames the test node through `_nodeid`, which pytest 9 no longer has
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    # the sign-in limits would answer most of the generated sign-ins with 429 (which is documented);
    # raised here so that the sign-in operations see real answers
    for setting in ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT", "SMS_CODE_RATE_LIMIT", "SMS_SEND_RATE_LIMIT"):
        monkeypatch.setitem(app.config, setting, "10000 per minute")
    monkeypatch.setitem(app.config, "SMS_DAILY_LIMIT", 10000)
    limiter.reset()
    return schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, config=SchemathesisConfig.from_dict(CONFIG))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def tokens(app, api_schema, query):
    tokens = {username: api_token(app, username) for username in USERS}
    # app1 starts with nothing filed: a draft of its own gives its changes, moves and uploads a target
    unit = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.docked_at.is_not(None))
                                    .order_by(Enterprise.id)))
    draft = app.test_client().post("/api/v1/applications/", headers=bearer(tokens["app1"]), json={
        "business_type": "initial", "enterprise_id": unit, "specialty_ids": [1]})
    assert draft.status_code == 201, draft.get_json()
    scan = {"kind": "id_card", "file": (io.BytesIO(pdf_bytes()), "id.pdf")}
    assert app.test_client().post(f"/api/v1/applications/{draft.get_json()['id']}/attachments", data=scan,
                                  headers=bearer(tokens["app1"])).status_code == 201
    return tokens


RESOURCES = ("applications", "registrations", "enterprises", "persons")


@pytest.fixture
def targets(app, tokens, query):
    """Row ids per user: those the user may see (read through the API's own lists) and, under "*",
    every row. The generated ids are pointed at them, so that the examples reach real rows."""
    found = {"*": query(lambda s: {
        "applications": s.scalars(select(Application.id)).all(),
        "registrations": s.scalars(select(Registration.id)).all(),
        "enterprises": s.scalars(select(Enterprise.id)).all(),
        "persons": s.scalars(select(Person.id)).all(),
        "attachments": [tuple(row) for row in s.execute(select(Attachment.application_id, Attachment.id))],
    })}
    client = app.test_client()
    for username, token in tokens.items():
        mine = {resource: [row["id"] for row in client.get(f"/api/v1/{resource}/?per_page=100",
                                                           headers=bearer(token)).get_json()["items"]]
                for resource in RESOURCES}
        mine["attachments"] = [pair for pair in found["*"]["attachments"] if pair[0] in mine["applications"]]
        found[username] = mine
    return found


def valid_id(value):
    """What the description accepts as an id (the coverage phase sends them as text)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def point_at_rows(case, ids, generated):
    """A generated id n goes as generated when n % 3 == 0, else becomes a row of this user's
    (n % 3 == 1) or any row (n % 3 == 2); ids out of range (the negative cases) go as generated."""
    if case.path_parameters:
        case.path_parameters.update(generated)
    ids_given = [generated[name] for name in ("pk", "file_id") if name in generated]
    if not ids_given or not all(valid_id(value) for value in ids_given):
        return  # a malformed id is a negative case, which must stay as it is
    pk, kind = int(generated["pk"]), type(generated["pk"])
    if pk % 3 == 0:
        return
    pool = ids["mine"] if pk % 3 == 1 else ids["*"]
    if "file_id" in generated:
        if pool["attachments"]:
            application, file_id = pool["attachments"][pk % len(pool["attachments"])]
            case.path_parameters.update(pk=kind(application), file_id=kind(file_id))
        return
    resource = case.operation.path.split("/")[3]
    if pool.get(resource):
        case.path_parameters["pk"] = kind(pool[resource][pk % len(pool[resource])])


# One test per group of paths, so that the suite's workers share the operations between them.
EXAMPLE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                            suppress_health_check=list(HealthCheck))


@schema.include(path_regex="^/api/v1/applications").parametrize()
@EXAMPLE_SETTINGS
def test_the_applications_keep_to_their_description(case, tokens, targets):
    check(case, tokens, targets)


@schema.include(path_regex="^/api/v1/(auth|security|specialties|units|persons|enterprises)").parametrize()
@EXAMPLE_SETTINGS
def test_sign_in_and_the_directories_keep_to_their_description(case, tokens, targets):
    check(case, tokens, targets)


@schema.include(path_regex="^/api/v1/(campaign|commitment)").parametrize()
@EXAMPLE_SETTINGS
def test_campaigns_and_commitment_checks_keep_to_their_description(case, tokens, targets):
    check(case, tokens, targets)


@schema.include(path_regex="^/api/v1/(registrations|unlock-requests|credit-records)").parametrize()
@EXAMPLE_SETTINGS
def test_registrations_and_credit_records_keep_to_their_description(case, tokens, targets):
    check(case, tokens, targets)


def test_the_groups_cover_every_path(app):
    groups = ("applications", "auth", "security", "specialties", "units", "persons", "enterprises",
              "campaign", "commitment", "registrations", "unlock-requests", "credit-records")
    paths = app.test_client().get("/api/v1/_openapi").get_json()["paths"]
    assert paths and all(path.split("/")[3].startswith(groups) for path in paths), sorted(paths)


SENT = itertools.count()


def check(case, tokens, targets):
    """One generated request, sent as the next of the users in turn (the same order on every run:
    the examples are derandomized), pointed at rows they may or may not see. Each operation's
    examples reach every user; who may do what to which row is tests/test_access.py's."""
    generated = dict(case.path_parameters or {})
    username = USERS[next(SENT) % len(USERS)]
    point_at_rows(case, {"mine": targets[username], "*": targets["*"]}, generated)
    case.call_and_validate(headers=bearer(tokens[username]))
