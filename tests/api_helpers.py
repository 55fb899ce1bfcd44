"""Calling /api/v1 as another system would: a token through the two sign-in steps, then bearer calls."""
import pytest

from tests.conftest import latest_sms_code

PASSWORD = "Demo@2026"


def api_login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def api_token(app, username, password=PASSWORD):
    """A token the way the API hands it out: the password, then the SMS code (every account)."""
    from app.extensions import limiter

    limiter.reset()  # the sign-in limits count per address, and every test client is 127.0.0.1
    client = app.test_client()
    answer = api_login(client, username, password)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    if body["step"] == "sms_code":
        answer = client.post("/api/v1/auth/verify",
                             json={"challenge": body["challenge"], "code": latest_sms_code(app, username)})
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
    assert body["step"] == "done" and body["access_token"]
    return body["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Api:
    """A test client that sends one user's token with every request (and no session cookie)."""

    def __init__(self, app, username):
        self.username = username
        self.token = api_token(app, username)
        self.client = app.test_client()

    def _call(self, method, url, **kwargs):
        headers = {**bearer(self.token), **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self._call("get", url, **kwargs)

    def post(self, url, **kwargs):
        return self._call("post", url, **kwargs)

    def patch(self, url, **kwargs):
        return self._call("patch", url, **kwargs)

    def delete(self, url, **kwargs):
        return self._call("delete", url, **kwargs)


@pytest.fixture
def api_as(app):
    """api_as("app1") gives an Api signed in through /api/v1/auth with that demo account."""
    return lambda username: Api(app, username)
