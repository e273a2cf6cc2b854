"""Model fields whose values are encrypted at rest (see lib/crypto.py).

In Python the value is plaintext; in the database it is ciphertext. Lookups
on these fields cannot match (each encryption uses a fresh nonce): search
through the companion ``*_bidx`` blind-index column instead.
"""

from __future__ import annotations

from django.db import models

from .crypto import PREFIX, default_cipher


class EncryptedTextField(models.TextField):
    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return default_cipher().decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(PREFIX + "$"):
            return default_cipher().decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if value.startswith(PREFIX + "$"):
            return value
        return default_cipher().encrypt(value)
