"""People's text as the domain keeps it: without the invisible characters around it."""

from __future__ import annotations

import unicodedata


def _invisible(character: str) -> bool:
    # White space, and format or control characters: a zero-width space, a byte-order mark or
    # a soft hyphen shows nothing on a screen, so a reason made of them is no reason. Tag
    # characters are format characters too, but they end a flag's emoji (🏴 + tags = Scotland).
    category = unicodedata.category(character)
    return (
        character.isspace()
        or category == "Cc"
        or (category == "Cf" and not "\U000e0000" <= character <= "\U000e007f")
    )


def trimmed(text: str) -> str:
    """`text` without leading and trailing white space and invisible characters; what is left
    is empty exactly when nothing of it would show."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]
