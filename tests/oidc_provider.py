"""A tiny OpenID Connect provider for the tests: discovery, authorize, token, userinfo, JWKS.

It runs on 127.0.0.1 on a free port in a thread (werkzeug's make_server) and signs id_tokens with
an RSA key made for the run. `provider.signs_in(claims)` says who authenticates at the "network"
next; /authorize then redirects straight back with a code, as the network does once its user has
signed in there.
"""
import base64
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "regapp-test"
CLIENT_SECRET = "regapp-test-secret-0123456789"
_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self):
        self.claims = {}
        self.codes = {}  # code -> (claims, nonce, redirect_uri)
        self.tokens = {}  # access token -> claims
        self.token_requests = []
        self._server = make_server("127.0.0.1", 0, self.wsgi)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # a short poll: shutdown() waits up to one poll interval (0.5 s by default) for the loop
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def signs_in(self, **claims):
        self.claims = claims

    # --- the endpoints -------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
            "/jwks": self.jwks,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, request):
        return _json({
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    def authorize(self, request):
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return Response("bad request", status=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = (dict(self.claims), args.get("nonce"), args["redirect_uri"])
        query = urlencode({"code": code, "state": args.get("state", "")})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def token(self, request):
        self.token_requests.append(dict(request.form))
        auth = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {expected}" and (request.form.get("client_id"), request.form.get("client_secret")) \
                != (CLIENT_ID, CLIENT_SECRET):
            return _json({"error": "invalid_client"}, 401)
        found = self.codes.pop(request.form.get("code"), None)
        if found is None or request.form.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant"}, 400)
        claims, nonce, redirect_uri = found
        if request.form.get("redirect_uri") != redirect_uri:
            return _json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        id_claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce,
                     "sub": claims["sub"]}
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = claims
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, id_claims, _KEY)
        return _json({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                      "id_token": id_token, "scope": "openid profile phone"})

    def userinfo(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return _json({"error": "invalid_token"}, 401)
        return _json(self.tokens[token])

    def jwks(self, request):
        return _json({"keys": [_KEY.as_dict(private=False)]})


def _json(data, status=200):
    import json

    return Response(json.dumps(data), status=status, content_type="application/json")
