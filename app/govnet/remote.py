"""The one way the adapters call a government service over HTTP: GET with query parameters, a
bearer token when configured, a timeout, JSON back. Standard library only."""
import json
import socket
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen


class RemoteError(Exception):
    """The service could not be asked or gave no usable answer (not: "the answer is no")."""


def get_json(url, params, token="", timeout=10.0):
    """(status, data) for a GET of url?params. 404 comes back as (404, None); other failures raise."""
    separator = "&" if "?" in url else "?"
    request = Request(url + separator + urlencode(params), headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urlopen(request, timeout=timeout) as answer:  # noqa: S310 (the address comes from settings)
            body = answer.read()
            status = answer.status
    except HTTPError as error:
        error.close()
        if error.code == 404:
            return 404, None
        raise RemoteError(f"HTTP {error.code} from {url}") from error
    except (URLError, socket.timeout, TimeoutError, ConnectionError) as error:
        raise RemoteError(f"{url}: {error}") from error
    try:
        return status, json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError) as error:
        raise RemoteError(f"{url}: the answer is not JSON") from error
