"""EncryptedTextField: plaintext in Python, ciphertext in the database."""

import base64
import os

import pytest
from django.db import connection
from django.test import override_settings

from guanhuai.accounts.models import User
from guanhuai.lib.crypto import DecryptionError, default_cipher


def stored(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def save_secret(user, value: str) -> User:
    user.totp_secret = value
    user.save(update_fields=["totp_secret"])
    return User.objects.get(pk=user.pk)


def test_the_database_holds_only_ciphertext(village_contact):
    again = save_secret(village_contact, "JBSWY3DPEHPK3PXP")
    raw = stored(village_contact)
    assert raw.startswith("v1$") and "JBSWY3DPEHPK3PXP" not in raw
    assert default_cipher().decrypt(raw) == "JBSWY3DPEHPK3PXP"
    assert again.totp_secret == "JBSWY3DPEHPK3PXP"


def test_empty_stays_empty(village_contact):
    assert save_secret(village_contact, "").totp_secret == ""
    assert stored(village_contact) == ""


def test_saving_again_does_not_encrypt_twice(village_contact):
    again = save_secret(village_contact, "JBSWY3DPEHPK3PXP")
    again.save()
    assert User.objects.get(pk=village_contact.pk).totp_secret == "JBSWY3DPEHPK3PXP"


def test_a_value_that_merely_looks_like_ciphertext_is_encrypted_like_any_other(village_contact):
    again = save_secret(village_contact, "v1$k1$not-really")
    assert again.totp_secret == "v1$k1$not-really"
    assert stored(village_contact) != "v1$k1$not-really"
    village_contact.totp_secret = "v1$k1$not-really"
    village_contact.full_clean(exclude=["password"])


def test_values_written_before_a_key_rotation_still_read(village_contact):
    old_key = base64.b64encode(os.urandom(32)).decode()
    new_key = base64.b64encode(os.urandom(32)).decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=f"old:{old_key}"):
        save_secret(village_contact, "JBSWY3DPEHPK3PXP")
    with override_settings(FIELD_ENCRYPTION_KEYS=f"new:{new_key},old:{old_key}"):
        assert User.objects.get(pk=village_contact.pk).totp_secret == "JBSWY3DPEHPK3PXP"
        save_secret(village_contact, "KRSXG5CTMVRXEZLU")
        assert stored(village_contact).startswith("v1$new$")
    with override_settings(FIELD_ENCRYPTION_KEYS=f"other:{new_key}"), pytest.raises(DecryptionError):
        User.objects.get(pk=village_contact.pk)
