"""Model fields whose values are encrypted at rest (see lib/crypto.py).

In Python the value is plaintext; in the database it is ciphertext. Lookups
on these fields cannot match (each encryption uses a fresh nonce): search
through the companion ``*_bidx`` blind-index column instead.
"""

from __future__ import annotations

from django.db import models

from .crypto import PREFIX, DecryptionError, default_cipher


class EncryptedTextField(models.TextField):
    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return default_cipher().decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(PREFIX + "$"):
            try:
                return default_cipher().decrypt(value)
            except DecryptionError:
                return value  # typed by a user, not a ciphertext
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        cipher = default_cipher()
        # Already ciphertext (e.g. copied between rows): store as is. A plaintext that merely
        # looks like one ("v1$...") is encrypted like any other, or every later read would fail.
        if value.startswith(PREFIX + "$") and _decrypts(cipher, value):
            return value
        return cipher.encrypt(value)


def _decrypts(cipher, value: str) -> bool:
    try:
        cipher.decrypt(value)
    except DecryptionError:
        return False
    return True
