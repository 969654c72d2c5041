"""Bearer JWT (HS256) and the role → permission map; every denial is logged with the principal."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import jwt
import structlog

ISSUER = "datawave"
AUDIENCE = "datawave"
ALGORITHM = "HS256"

log = structlog.get_logger()


class Permission(StrEnum):
    SOURCES_READ = "sources:read"
    SOURCES_WRITE = "sources:write"
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    AUDIT_READ = "audit:read"
    METRICS_READ = "metrics:read"
    EDGE_REPORT = "edge:report"
    SCANS_RUN = "scans:run"
    COMPLIANCE_READ = "compliance:read"
    POLICIES_WRITE = "policies:write"


ROLES: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "steward": frozenset(
        {
            Permission.SOURCES_READ,
            Permission.SOURCES_WRITE,
            Permission.CATALOG_READ,
            Permission.CATALOG_WRITE,
            Permission.AUDIT_READ,
            Permission.SCANS_RUN,
            Permission.COMPLIANCE_READ,
            Permission.POLICIES_WRITE,
        }
    ),
    "analyst": frozenset(
        {Permission.SOURCES_READ, Permission.CATALOG_READ, Permission.COMPLIANCE_READ}
    ),
    "auditor": frozenset(
        {
            Permission.SOURCES_READ,
            Permission.CATALOG_READ,
            Permission.COMPLIANCE_READ,
            Permission.AUDIT_READ,
            Permission.METRICS_READ,
        }
    ),
    "edge-agent": frozenset({Permission.EDGE_REPORT}),
}


class AuthenticationError(Exception):
    """No usable credentials (401)."""


class PermissionDeniedError(Exception):
    """Valid credentials, but the role lacks the permission (403)."""

    def __init__(self, subject: str, permission: Permission) -> None:
        super().__init__(f"{subject} lacks {permission.value}")
        self.subject = subject
        self.permission = permission


@dataclass(frozen=True)
class Principal:
    """Who is acting, and with which roles."""

    subject: str
    roles: frozenset[str]

    def require(self, permission: Permission) -> None:
        if not any(permission in ROLES.get(role, frozenset()) for role in self.roles):
            log.warning("permission_denied", principal=self.subject, permission=permission.value)
            raise PermissionDeniedError(self.subject, permission)


MAX_TTL_SECONDS = 366 * 24 * 3600


def issue_token(secret: str, subject: str, roles: list[str], ttl_seconds: int) -> str:
    """A signed token for `subject` with `roles`, valid for `ttl_seconds`."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(sorted(ROLES))}")
    if not subject.strip() or not subject.isprintable():  # it goes into every event's actor
        raise ValueError("the subject must be one line of printable text")
    if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"the ttl must be 1 to {MAX_TTL_SECONDS} seconds (a year)")
    now = int(time.time())
    claims = {
        "sub": subject,
        "roles": roles,
        "iat": now,
        "exp": now + ttl_seconds,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class TokenVerifier:
    """Checks bearer tokens against one install's key.

    A client sends the same token with every request, and checking its signature and claims was
    about a tenth of a request's CPU; so the principal of each verified token is remembered (the
    most recent `remembered` tokens), and only its expiry is checked again on each use. Refused
    tokens are never remembered: each try costs a full check.
    """

    def __init__(
        self, secret: str, remembered: int = 4096, clock: Callable[[], float] = time.time
    ) -> None:
        self._verified = functools.lru_cache(maxsize=remembered)(functools.partial(_verify, secret))
        self._clock = clock

    def principal(self, authorization: str | None) -> Principal:
        """The principal behind an `Authorization: Bearer …` header, or AuthenticationError."""
        if not authorization:
            raise AuthenticationError("missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        principal, expires = self._verified(token.strip())
        # As PyJWT decides, with no leeway: a token is spent at its `exp` second.
        if expires <= self._clock():
            raise AuthenticationError("the token has expired")
        return principal


def _verify(secret: str, token: str) -> tuple[Principal, int]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the token has expired") from None
    except jwt.InvalidTokenError:
        raise AuthenticationError("the token is malformed or not signed by this install") from None
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthenticationError("the token's roles claim is malformed")
    # PyJWT has checked that `exp` is an integer.
    return Principal(subject=str(claims["sub"]), roles=frozenset(roles)), int(claims["exp"])
