"""Regular expressions that users write: custom classification rules and policy conditions.

They run on RE2 (google-re2), not on Python's `re`. `re` backtracks, so a pattern such as
`(a+)+$` takes time exponential in the length of a value that almost matches: one such rule would
hold a scan, or a policy evaluation, for hours. RE2 matches in time linear in the text, whatever
the pattern. What it gives up: backreferences (`\\1`) and lookaround (`(?=`, `(?<!`); a pattern
that uses them is refused when it is written, with RE2's reason. `\\d`, `\\w`, `\\s` and `\\b` are
ASCII, as in Perl; `\\pL` and `\\pN` match the letters and digits of every script.
"""

from __future__ import annotations

from typing import Any

import re2

from domain.errors import InvalidCommandError

MAX_PATTERN_LENGTH = 500


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message is RE2's one-line reason."""


def compile_pattern(text: str, *, ignore_case: bool = False) -> Any:
    """`text` compiled by RE2 (compiled patterns are cached), or PatternError. The result has
    `search`, `fullmatch` and `match` as in `re`."""
    options = re2.Options()
    options.log_errors = False  # the reason goes into the error, not to standard error
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(text, options)
    except re2.error as error:
        reason = error.args[0] if error.args else "unknown error"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None


def checked_pattern(value: Any, path: str) -> str:
    """A pattern as a command gives it: non-empty text, at most MAX_PATTERN_LENGTH characters,
    that RE2 compiles. Anything else is an InvalidCommandError at `path`."""
    if not isinstance(value, str) or not value:
        raise InvalidCommandError(path, "must be a non-empty regular expression")
    if len(value) > MAX_PATTERN_LENGTH:
        raise InvalidCommandError(path, f"must be at most {MAX_PATTERN_LENGTH} characters")
    try:
        compile_pattern(value)
    except PatternError as error:
        raise InvalidCommandError(
            path, f"is not a valid regular expression (RE2 syntax): {error}"
        ) from None
    return value
