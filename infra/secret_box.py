"""Seals connection secrets with AES-GCM so the event store holds ciphertext only."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1:"


class SealedSecretError(Exception):
    """A sealed secret could not be opened (wrong key or damaged ciphertext)."""


class AesGcmSecretBox:
    """AES-256-GCM with a random nonce per secret; the key is derived from the install's key."""

    def __init__(self, key: str) -> None:
        self._aead = AESGCM(hashlib.sha256(key.encode()).digest())

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, sealed: str) -> str:
        if not sealed.startswith(_PREFIX):
            raise SealedSecretError("unknown sealed-secret format")
        raw = base64.urlsafe_b64decode(sealed.removeprefix(_PREFIX))
        try:
            return self._aead.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            raise SealedSecretError("the sealed secret does not open with this key") from None
