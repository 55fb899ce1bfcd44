"""个人登录 and 法人登录 through the government services network's OpenID Connect provider.

Configured by settings only: GOVNET_OIDC_ISSUER (discovery), or the explicit endpoints
(GOVNET_OIDC_AUTHORIZE_URL, _TOKEN_URL, _USERINFO_URL, _JWKS_URL); the client id and secret; the
scopes; and the names of the claims that carry the ID number, name, phone, credit code, account
kind, real-person verification and assurance level (GOVNET_CLAIM_*). Authlib's Flask client does
the protocol: state and nonce in the session, the code exchange, the id_token's signature (the
provider's JWKS), issuer, audience, expiry and nonce.
"""
from dataclasses import dataclass

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from flask import current_app

NAME = "govnet"
_SETTINGS = ("GOVNET_OIDC_ISSUER", "GOVNET_OIDC_AUTHORIZE_URL", "GOVNET_OIDC_TOKEN_URL", "GOVNET_OIDC_USERINFO_URL",
             "GOVNET_OIDC_JWKS_URL", "GOVNET_OIDC_CLIENT_ID", "GOVNET_OIDC_CLIENT_SECRET", "GOVNET_OIDC_SCOPES")
_clients = {}  # one client per configuration: it caches the provider's metadata and keys

__all__ = ["Claims", "OAuthError", "client", "claims_from", "configured"]


@dataclass
class Claims:
    """What the network says about who signed in, in our terms."""

    subject: str
    kind: str | None  # "person" | "enterprise" | None when the network does not say
    id_number: str | None
    name: str | None
    phone: str | None
    credit_code: str | None
    email: str | None
    verified: bool  # the network did its real-person verification (实人认证)
    assurance: str | None


def configured(config=None):
    cfg = config or current_app.config
    endpoints = cfg["GOVNET_OIDC_ISSUER"] or (cfg["GOVNET_OIDC_AUTHORIZE_URL"] and cfg["GOVNET_OIDC_TOKEN_URL"])
    return bool(cfg["GOVNET_OIDC_CLIENT_ID"] and endpoints)


def client():
    cfg = current_app.config
    key = tuple(cfg[name] for name in _SETTINGS)
    if key not in _clients:
        kwargs = {"client_id": cfg["GOVNET_OIDC_CLIENT_ID"], "client_secret": cfg["GOVNET_OIDC_CLIENT_SECRET"],
                  "client_kwargs": {"scope": cfg["GOVNET_OIDC_SCOPES"]}}
        if cfg["GOVNET_OIDC_ISSUER"]:
            kwargs["server_metadata_url"] = cfg["GOVNET_OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration"
        for setting, argument in (("GOVNET_OIDC_AUTHORIZE_URL", "authorize_url"),
                                  ("GOVNET_OIDC_TOKEN_URL", "access_token_url"),
                                  ("GOVNET_OIDC_USERINFO_URL", "userinfo_endpoint"),
                                  ("GOVNET_OIDC_JWKS_URL", "jwks_uri")):
            if cfg[setting]:
                kwargs[argument] = cfg[setting]
        _clients[key] = FlaskOAuth2App(FlaskIntegration(NAME), NAME, **kwargs)
    return _clients[key]


def _truthy(value):
    return value is True or str(value).strip().lower() in ("true", "1", "yes", "y")


def claims_from(token):
    """The id_token's claims (already verified by Authlib), completed by the userinfo endpoint."""
    oidc = client()
    claims = dict(token.get("userinfo") or {})
    if oidc.load_server_metadata().get("userinfo_endpoint"):
        info = dict(oidc.userinfo(token=token))
        if claims.get("sub") and info.get("sub") != claims["sub"]:
            raise OAuthError(error="invalid_userinfo", description="userinfo is about another subject")
        claims.update(info)
    if not claims.get("sub"):
        raise OAuthError(error="invalid_token", description="no subject in the claims")
    cfg = current_app.config

    def claim(setting):
        value = claims.get(cfg[setting])
        return None if value in (None, "") else str(value).strip()

    kind_value = claim("GOVNET_CLAIM_KIND")
    kind = {cfg["GOVNET_KIND_PERSON"]: "person", cfg["GOVNET_KIND_ENTERPRISE"]: "enterprise"}.get(kind_value)
    return Claims(
        subject=str(claims["sub"]), kind=kind, id_number=claim("GOVNET_CLAIM_ID_NUMBER"),
        name=claim("GOVNET_CLAIM_NAME"),
        phone=claim("GOVNET_CLAIM_PHONE"), credit_code=claim("GOVNET_CLAIM_CREDIT_CODE"), email=claims.get("email"),
        verified=_truthy(claims.get(cfg["GOVNET_CLAIM_VERIFIED"])), assurance=claim("GOVNET_CLAIM_ASSURANCE"),
    )
