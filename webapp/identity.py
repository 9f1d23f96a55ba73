"""Who is asking: a bearer token, or the portal's single sign-on headers from a trusted proxy, or nobody.

* ``Authorization: Bearer <token>``: a token of :mod:`webapp.tokens`; a wrong, expired or
  revoked one is answered 401 with a JSON error, whatever the path.
* Else, when the request comes from an address in ``JIANBAO_TRUSTED_PROXIES`` (an IPv4-mapped
  address, as a server on ``::`` sees IPv4 peers, matches its IPv4 entries, and the reverse), the
  user and groups headers (``JIANBAO_USER_HEADER``, ``JIANBAO_GROUPS_HEADER``) are believed, read
  as UTF-8 (raw, percent-encoded or RFC 8187's ``UTF-8''…``: :func:`header_text`); from any other
  address they are ignored.
* Else the request is anonymous and sees public items only.

Roles: ``admin`` for members of ``JIANBAO_ADMIN_GROUPS``, ``uploader`` for
``JIANBAO_UPLOADER_GROUPS``, else ``reader`` (a token names its role). The identity of
the request is ``g.identity``; views pass :func:`viewer` to the Searcher.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, g, jsonify, request

from indexer.settings import Settings
from search.access import PUBLIC_ONLY, Viewer, viewer_of
from webapp.site import site
from webapp.tokens import TokenError, TokenFileError, TokenStore

ROLE_RANK = {"reader": 0, "uploader": 1, "admin": 2}
_RFC8187 = re.compile(r"utf-8'[a-z0-9-]*'(.*)", re.IGNORECASE | re.DOTALL)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


@dataclass(frozen=True)
class Identity:
    """A request's user (None: anonymous), groups, role and how it was established."""

    user: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    role: str = "reader"
    via: str = "anonymous"  # "token", "sso" or "anonymous"

    @property
    def viewer(self) -> Viewer:
        """What the request may see (:mod:`search.access`)."""
        if self.user is None:
            return PUBLIC_ONLY
        return viewer_of(self.groups, admin=self.role == "admin")

    def can(self, role: str) -> bool:
        """Has this identity at least ``role``?"""
        return self.user is not None and ROLE_RANK[self.role] >= ROLE_RANK[role]


ANONYMOUS = Identity()


@dataclass(frozen=True)
class IdentityConfig:
    """The identity settings of one app."""

    proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    user_header: str
    groups_header: str
    admin_groups: frozenset[str]
    uploader_groups: frozenset[str]
    tokens: TokenStore

    @classmethod
    def from_settings(cls, settings: Settings) -> IdentityConfig:
        return cls(tuple(ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies),
                   settings.user_header, settings.groups_header, frozenset(settings.admin_groups),
                   frozenset(settings.uploader_groups), TokenStore(settings.tokens_file))

    @property
    def enabled(self) -> bool:
        """Can any request have an identity (a trusted proxy or a tokens file is set)?"""
        return bool(self.proxies) or self.tokens.path is not None

    def trusts(self, address: str | None) -> bool:
        """Is the request's peer address a trusted proxy (in either of its IPv4 and IPv4-mapped forms)?"""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv4Address):
            forms = (ip, ipaddress.IPv6Address(f"::ffff:{ip}"))
        else:
            forms = (ip, ip.ipv4_mapped) if ip.ipv4_mapped else (ip,)
        return any(form in net for form in forms for net in self.proxies)

    def role_of(self, groups: frozenset[str]) -> str:
        if groups & self.admin_groups:
            return "admin"
        return "uploader" if groups & self.uploader_groups else "reader"


def identify(config: IdentityConfig) -> Identity:
    """The identity of the current request; TokenError for a bearer token that is not accepted."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        if config.tokens.path is None:
            raise TokenError("this server accepts no tokens")
        record = config.tokens.check(auth[7:].strip())
        return Identity(record.user, frozenset(record.groups), record.role, "token")
    if config.proxies and config.trusts(request.remote_addr):
        user = header_text(request.headers.get(config.user_header, "")).strip()
        if user:
            groups = frozenset(x.strip() for x in header_text(request.headers.get(config.groups_header, "")).split(",")
                               if x.strip())
            return Identity(user, groups, config.role_of(groups), "sso")
    return ANONYMOUS


def header_text(value: str) -> str:
    """An identity header's text. WSGI hands its bytes over as Latin-1 code points: they are read as UTF-8, then a
    percent-encoded value (``%E5%BC%A0``, or RFC 8187's ``UTF-8''%E5%BC%A0``) is decoded; what is none of these (not
    UTF-8, escapes that are not UTF-8) stays as it came."""
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    encoded = _RFC8187.fullmatch(value)
    if encoded or _ESCAPE.search(value):
        with contextlib.suppress(UnicodeError):
            return unquote_to_bytes(encoded.group(1) if encoded else value).decode("utf-8")
    return value


def install(app: Flask) -> None:
    """Establish every request's identity before its view runs (401 JSON for a refused token)."""

    @app.before_request
    def establish() -> Response | None:
        try:
            g.identity = identify(identity_config())
        except TokenError as e:
            g.identity = ANONYMOUS
            response = _json_error(401, "unauthorized", str(e), "令牌无效、已过期或已被吊销，请向管理员申请新的令牌")
            response.headers["WWW-Authenticate"] = 'Bearer realm="jianbao"'
            return response
        except TokenFileError:  # logged by the store, once; the client is not told where the file is
            g.identity = ANONYMOUS
            return _json_error(503, "tokens_unavailable", "the server cannot read its tokens file; try again later",
                               "服务器暂时无法核对令牌，请稍后再试或联系管理员")
        return None

    @app.after_request
    def vary(response: Response) -> Response:
        config = identity_config()
        if config.enabled:  # answers depend on who asks: no shared cache may mix them
            response.headers.add("Vary", f"Authorization, {config.user_header}, {config.groups_header}")
        return response


def _json_error(status: int, code: str, message: str, message_zh: str) -> Response:
    """A token's error, JSON on every path (the client is a program)."""
    response = jsonify({"error": {"code": code, "message": message, "message_zh": message_zh}})
    response.status_code = status
    return response


def current_identity() -> Identity:
    """The identity of the current request."""
    return g.get("identity", ANONYMOUS)


def viewer() -> Viewer:
    """What the current request may see."""
    return current_identity().viewer


def identity_config() -> IdentityConfig:
    """The app's identity settings."""
    return site().identity
