"""Column profiles: what a catalog user sees of a column's values without seeing any of them."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal

from edge.connectors.base import Column, Sample, Table
from edge.profiling import ColumnProfile, profile_table, shape, shapes

CUSTOMERS = Table(
    "sales.customers",
    "table",
    (
        Column("id", "integer", False),
        Column("email", "text", True),
        Column("phone", "text", True),
        Column("signed_up", "date", True),
    ),
)
ROWS: list[tuple[object, ...]] = [
    (1, "ada.lovelace@example.com", "+44 20 7946 0001", date(2024, 1, 5)),
    (2, "alan.turing@example.org", "+44 20 7946 0002", date(2024, 2, 9)),
    (3, None, "+44 20 7946 0003", None),
    (4, "grace@navy.mil", None, date(2024, 3, 1)),
]


def profiles(rows: list[tuple[object, ...]] = ROWS, **ratios: float) -> dict[str, ColumnProfile]:
    return profile_table(CUSTOMERS, Sample(rows, dict(ratios)))


def test_every_column_is_profiled_with_the_sample_size() -> None:
    result = profiles()

    assert list(result) == ["id", "email", "phone", "signed_up"]
    assert {profile.sampled for profile in result.values()} == {4}


def test_null_and_distinct_ratios_come_from_the_sample() -> None:
    email = profiles()["email"]

    assert email.null_ratio == 0.25
    assert email.distinct_ratio == 1.0  # 3 distinct among 3 non-null


def test_repeated_values_lower_the_distinct_ratio() -> None:
    rows = [(n, "same@example.com", None, None) for n in range(3)]
    rows.append((3, "other@example.com", None, None))

    assert profiles(rows)["email"].distinct_ratio == 0.5


def test_the_sources_distinct_estimate_wins_over_the_samples() -> None:
    assert profiles(email=0.123456)["email"].distinct_ratio == 0.1235


def test_lengths_are_of_the_values_text_form() -> None:
    result = profiles()

    assert (result["email"].min_length, result["email"].max_length) == (14, 24)
    assert result["email"].mean_length == round((24 + 23 + 14) / 3, 4)
    assert result["signed_up"].min_length == result["signed_up"].max_length == 10
    assert result["id"].mean_length == 1.0


def test_a_column_of_nulls_has_no_lengths_and_no_patterns() -> None:
    rows: list[tuple[object, ...]] = [(n, None, None, None) for n in range(5)]
    email = profiles(rows)["email"]

    assert email.null_ratio == 1.0
    assert email.distinct_ratio == 0.0
    assert (email.min_length, email.max_length, email.mean_length) == (None, None, None)
    assert email.patterns == ()
    assert email.char_classes == {"alpha": 0.0, "digit": 0.0, "space": 0.0, "other": 0.0}


def test_char_classes_share_the_characters_of_all_values() -> None:
    phone = profiles()["phone"].char_classes

    # "+44 20 7946 0001": 12 digits, 3 blanks, one plus sign, per value
    assert phone == {"alpha": 0.0, "digit": 0.75, "space": 0.1875, "other": 0.0625}
    assert sum(profiles()["email"].char_classes.values()) == 1.0


def test_shapes_replace_letters_digits_and_symbols_and_keep_the_separators() -> None:
    assert shape("AB-1234 x") == "AA-9999 a"
    assert shape("Zoë\tO'Brien") == "Aaa A'Aaaaa"
    assert shape("東京") == "aa"  # letters without case never survive
    assert shape("9" * 40) == "9" * 32
    # A value of symbols alone is content, not structure: it never shows through.
    assert shapes(["#$%^&", "a#1", "x@y.z"]) == ["*****", "a*9", "a@a.a"]


def test_patterns_are_the_most_frequent_shapes_with_their_share() -> None:
    rows = [(n, f"user{n}@example.com", None, None) for n in range(6)]
    rows += [(10, "SUPPORT@EXAMPLE.COM", None, None), (11, "x", None, None)]
    rows += [(12 + n, "-" * (n + 1), None, None) for n in range(5)]

    patterns = profiles(rows)["email"].patterns

    assert len(patterns) == 5
    assert patterns[0] == ("aaaa9@aaaaaaa.aaa", round(6 / 13, 4))
    assert [share for _, share in patterns[1:]] == [round(1 / 13, 4)] * 4


def test_the_same_rows_in_another_order_give_the_same_profile() -> None:
    shuffled = list(ROWS)
    random.Random(3).shuffle(shuffled)

    assert profiles(shuffled) == profiles()


def test_values_of_any_type_are_profiled_by_their_text() -> None:
    table = Table("t", "table", (Column("v", "any", True),))
    rows: list[tuple[object, ...]] = [(Decimal("12.50"),), (b"\x00\xff",), (True,), (1.5,)]

    profile = profile_table(table, Sample(rows))["v"]

    assert {pattern for pattern, _ in profile.patterns} == {"99.99", "99aa", "Aaaa", "9.9"}


def test_the_dict_form_is_json_and_holds_no_raw_value() -> None:
    result = {name: profile.to_dict() for name, profile in profiles().items()}

    text = json.dumps(result)

    first = {"shape": "aaa.aaaaaaaa@aaaaaaa.aaa", "share": 0.3333}  # ties ordered by shape
    assert json.loads(text)["email"]["patterns"][0] == first
    for row in ROWS:
        for value in row[1:]:
            if value is not None:
                assert str(value) not in text
    assert "lovelace" not in text and "7946" not in text


def test_shapes_of_many_values_equal_their_shapes_one_by_one() -> None:
    values = ["Ann-Marie 42", "a\tb", "x\x00y", "Ünïcödé ☃ 7", "", "A" * 40, "((+1)) 555/01"]
    assert shapes(values) == [shape(v) for v in values]
    assert shapes(["ok", "Fine 1"]) == ["aa", "Aaaa 9"]
    assert shape("☃★") == "**"  # symbols beyond ASCII never appear as themselves


def test_columns_named_for_secrets_keep_their_shapes_to_themselves() -> None:
    table = Table(
        "public.users",
        "table",
        (
            Column("password", "text", False),
            Column("api_key", "text", True),
            Column("login", "text", False),
        ),
    )
    rows = [("Hunter2!x", f"sk_live_{n:08}", f"user{n}") for n in range(20)]
    profiles = profile_table(table, Sample(rows))
    assert profiles["password"].patterns == ()
    assert profiles["api_key"].patterns == ()
    assert profiles["login"].patterns  # nothing secret in a login's shape
    assert profiles["password"].max_length == 9  # lengths and shares stay
