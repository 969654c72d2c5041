"""The asset read model's rules as pure functions: what a returning table shows."""

from __future__ import annotations

from typing import Any

from projections.assets import apply_event

SUBJECT = "6f1c1a47-9d34-5b6e-8f1e-1f2d3c4b5a69"


def envelope(name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"datawave.catalog.{name}.v1",
        "subject": SUBJECT,
        "time": f"2026-11-27T10:00:0{version}+00:00",
        "aggregateversion": version,
        "position": 100 + version,
        "data": data,
    }


def table(version: int, name: str) -> dict[str, Any]:
    columns = [
        {"name": "email", "data_type": "text", "nullable": True},
        {"name": "note", "data_type": "text", "nullable": True},
    ]
    return envelope(
        name,
        version,
        {
            "data_source_id": "8b0f7d0e-0000-4000-8000-000000000001",
            "qualified_name": "public.customers",
            "kind": "table",
            "columns": columns,
            "keys": {"primary_key": [], "foreign_keys": []},
            "row_estimate": 2,
            "profiles": {},
        },
    )


def decided(name: str, version: int, column: str, infotype: str, method: str) -> dict[str, Any]:
    classification = {
        "infotype": infotype,
        "category": "PII",
        "confidence": 1.0,
        "method": method,
        "evidence": None,
    }
    return envelope(name, version, {"name": column, "classification": classification})


def test_a_returning_table_keeps_its_stewards_decisions_and_drops_the_automatic_ones() -> None:
    row = apply_event(None, table(1, "Discovered"))
    row = apply_event(row, decided("ColumnClassified", 2, "note", "PERSON_NAME", "rules"))
    row = apply_event(row, decided("ClassificationOverridden", 3, "email", "USERNAME", "manual"))
    row = apply_event(row, envelope("Decommissioned", 4, {"reason": "gone"}))
    row = apply_event(row, table(5, "Rediscovered"))
    assert row is not None and row["status"] == "active"
    columns = {c["name"]: c for c in row["columns"]}
    assert (columns["email"]["infotype"], columns["email"]["method"]) == ("USERNAME", "manual")
    assert columns["note"]["infotype"] is None


def test_a_column_shows_the_decision_in_force_with_its_rule_set_and_model() -> None:
    row = apply_event(None, table(1, "Discovered"))
    automatic = decided("ColumnClassified", 2, "email", "EMAIL_ADDRESS", "model")
    automatic["data"]["classification"] |= {"rule_set": "default-v3", "model": "model-458e8a1c"}
    row = apply_event(row, automatic)
    row = apply_event(row, decided("ClassificationOverridden", 3, "email", "USERNAME", "manual"))
    assert row is not None
    email = {c["name"]: c for c in row["columns"]}["email"]
    assert (email["method"], email["rule_set"], email["model"]) == ("manual", None, None)
    withdrawn = envelope(
        "ClassificationOverrideWithdrawn",
        4,
        {
            "name": "email",
            "classification": automatic["data"]["classification"],
            "previous": {"infotype": "USERNAME"},
            "reason": "wrong column",
        },
    )
    row = apply_event(row, withdrawn)
    assert row is not None
    email = {c["name"]: c for c in row["columns"]}["email"]
    assert (email["infotype"], email["method"]) == ("EMAIL_ADDRESS", "model")
    assert (email["rule_set"], email["model"]) == ("default-v3", "model-458e8a1c")
