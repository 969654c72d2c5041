"""Tokens and roles: what a caller with each role may do."""

from __future__ import annotations

import time

import jwt
import pytest

from api.auth import (
    AuthenticationError,
    Permission,
    PermissionDeniedError,
    authenticate,
    issue_token,
)

SECRET = "unit-secret-of-at-least-thirty-two-bytes"


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
    with pytest.raises(ValueError, match="ttl"):
        issue_token(SECRET, "x", ["admin"], 0)
