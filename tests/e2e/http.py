"""HTTP helpers shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

SOURCES = "/api/v1/data-sources"


def visible(client: httpx.Client, response: httpx.Response, patience: int = 3) -> dict[str, Any]:
    """Read a write back with its consistency token; each try waits up to the server's bound,
    and a 503 says to try again, as a client would after a worker restart."""
    token = response.json()["consistency_token"]
    for _ in range(patience):
        got = client.get(f"{SOURCES}/{response.json()['id']}", params={"consistency_token": token})
        if got.status_code != 503:
            break
    assert got.status_code == 200, got.text
    return dict(got.json())


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body
