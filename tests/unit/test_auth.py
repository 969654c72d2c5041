"""Tokens and roles: what a caller with each role may do."""

from __future__ import annotations

import time

import jwt
import pytest

from api.auth import (
    AuthenticationError,
    Permission,
    PermissionDeniedError,
    Principal,
    TokenVerifier,
    issue_token,
)

SECRET = "unit-secret-of-at-least-thirty-two-bytes"


def authenticate(secret: str, header: str | None) -> Principal:
    return TokenVerifier(secret).principal(header)


def test_a_minted_token_authenticates_with_its_roles() -> None:
    principal = authenticate(SECRET, "Bearer " + issue_token(SECRET, "ann", ["steward"], 60))
    assert principal.subject == "ann" and principal.roles == {"steward"}
    principal.require(Permission.SOURCES_WRITE)
    with pytest.raises(PermissionDeniedError):
        principal.require(Permission.EDGE_REPORT)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Token abc", "Bearer abc.def.ghi"],
)
def test_missing_or_malformed_credentials_are_refused(header: str | None) -> None:
    with pytest.raises(AuthenticationError):
        authenticate(SECRET, header)


def test_expired_and_foreign_tokens_are_refused() -> None:
    now = int(time.time())
    expired = jwt.encode(
        {"sub": "a", "roles": ["admin"], "exp": now - 5, "iss": "datawave", "aud": "datawave"},
        SECRET,
    )
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(SECRET, f"Bearer {expired}")
    with pytest.raises(AuthenticationError):
        authenticate(
            SECRET,
            "Bearer " + issue_token("another-install-secret-32-bytes-long", "a", ["admin"], 60),
        )
    no_exp = jwt.encode(
        {"sub": "a", "roles": ["admin"], "iss": "datawave", "aud": "datawave"}, SECRET
    )
    with pytest.raises(AuthenticationError):
        authenticate(SECRET, f"Bearer {no_exp}")


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    now = [time.time()]
    verifier = TokenVerifier(SECRET, clock=lambda: now[0])
    token = issue_token(SECRET, "ann", ["admin"], 60)
    expires = int(jwt.decode(token, options={"verify_signature": False})["exp"])
    assert verifier.principal(f"Bearer {token}").subject == "ann"  # verified, and remembered
    now[0] = expires - 0.5
    assert verifier.principal(f"Bearer {token}").subject == "ann"
    now[0] = expires
    with pytest.raises(AuthenticationError, match="expired"):
        verifier.principal(f"Bearer {token}")


def test_a_refused_token_is_checked_again_not_remembered() -> None:
    verifier = TokenVerifier(SECRET)
    forged = issue_token("another-install-secret-32-bytes-long", "mallory", ["admin"], 60)
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="not signed by this install"):
            verifier.principal(f"Bearer {forged}")
    valid = issue_token(SECRET, "ann", ["analyst"], 60)
    assert verifier.principal(f"Bearer {valid}").roles == {"analyst"}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", set(Permission)),
        (
            "steward",
            {
                Permission.SOURCES_READ,
                Permission.SOURCES_WRITE,
                Permission.CATALOG_READ,
                Permission.CATALOG_WRITE,
                Permission.AUDIT_READ,
                Permission.SCANS_RUN,
                Permission.COMPLIANCE_READ,
                Permission.POLICIES_WRITE,
            },
        ),
        ("analyst", {Permission.SOURCES_READ, Permission.CATALOG_READ, Permission.COMPLIANCE_READ}),
        (
            "auditor",
            {
                Permission.SOURCES_READ,
                Permission.CATALOG_READ,
                Permission.COMPLIANCE_READ,
                Permission.AUDIT_READ,
                Permission.METRICS_READ,
            },
        ),
        ("edge-agent", {Permission.EDGE_REPORT}),
    ],
)
def test_permission_map(role: str, allowed: set[Permission]) -> None:
    principal = authenticate(SECRET, "Bearer " + issue_token(SECRET, "x", [role], 60))
    for permission in Permission:
        if permission in allowed:
            principal.require(permission)
        else:
            with pytest.raises(PermissionDeniedError):
                principal.require(permission)


def test_minting_refuses_unknown_roles_and_bad_ttls() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        issue_token(SECRET, "x", ["root"], 60)
    for ttl in (0, -5, 10**24):  # 10**24 s would never expire
        with pytest.raises(ValueError, match="ttl"):
            issue_token(SECRET, "x", ["admin"], ttl)
    for subject in ("", "  ", "ann\nroot"):  # the subject is every event's actor
        with pytest.raises(ValueError, match="subject"):
            issue_token(SECRET, subject, ["admin"], 60)
