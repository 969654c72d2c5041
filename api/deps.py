"""FastAPI dependencies as `Annotated` aliases: the container, the principal, the event meta."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Permission, Principal, TokenVerifier
from domain.meta import EventMeta
from infra.bootstrap import Container


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# Declares the scheme in the OpenAPI spec; the header itself is checked by TokenVerifier, which
# says what is wrong with it (missing, not Bearer, expired, …) in its 401.
BEARER = HTTPBearer(auto_error=False, bearerFormat="JWT")


def principal_of(request: Request) -> Principal:
    """Who sends the request, from its bearer token; AuthenticationError if nobody valid."""
    tokens: TokenVerifier = request.app.state.tokens
    return tokens.principal(request.headers.get("authorization"))


async def get_principal(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
) -> Principal:
    principal = principal_of(request)
    structlog.contextvars.bind_contextvars(principal=principal.subject)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_meta(request: Request, principal: PrincipalDep) -> EventMeta:
    """Actor, correlation (the caller's or this request's) and causation (this request)."""
    return {
        "actor": principal.subject,
        "correlation_id": request.state.correlation_id,
        "causation_id": request.state.request_id,
    }


MetaDep = Annotated[EventMeta, Depends(get_meta)]


class Requirement:
    """A route's dependency that admits only principals whose roles grant `permission`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, principal: PrincipalDep) -> Principal:
        principal.require(self.permission)
        return principal


def requires(permission: Permission) -> Any:
    """A dependency that admits only principals whose roles grant `permission`."""
    return Depends(Requirement(permission))


def check_access(request: Request) -> None:
    """What the route's Requirement checks, for a request refused before its dependencies ran
    (FastAPI reads the body first): AuthenticationError or PermissionDeniedError, if due."""
    route = request.scope.get("route")
    for dependency in getattr(route, "dependencies", ()):
        if isinstance(dependency.dependency, Requirement):
            principal_of(request).require(dependency.dependency.permission)
