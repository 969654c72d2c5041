"""The port through which the command side seals secrets it must not store in clear text."""

from __future__ import annotations

from typing import Protocol


class SecretBox(Protocol):
    """Encrypts and decrypts connection secrets with the install's key."""

    def seal(self, plaintext: str) -> str: ...

    def unseal(self, sealed: str) -> str: ...
