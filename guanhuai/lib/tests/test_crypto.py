"""Field encryption (AES-256-GCM, SM4-GCM), key rotation, tamper detection, blind indexes."""

import base64
import os

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from guanhuai.lib.crypto import (
    CryptoConfigError,
    DecryptionError,
    FieldCipher,
    blind_index,
    default_blind_index,
    default_cipher,
)


def key(n: int = 32) -> str:
    return base64.b64encode(os.urandom(n)).decode()


AES_OLD, AES_NEW = key(), key()
SM4_OLD, SM4_NEW = key(16), key(16)
ALGORITHMS = [("aes-256-gcm", AES_OLD, AES_NEW), ("sm4-gcm", SM4_OLD, SM4_NEW)]


@pytest.fixture(params=ALGORITHMS, ids=["aes", "sm4"])
def setup(request):
    algorithm, old, new = request.param
    return algorithm, old, new


@pytest.mark.parametrize(("algorithm", "material"), [("aes-256-gcm", AES_OLD), ("sm4-gcm", SM4_OLD)])
@given(text=st.text(max_size=200))
def test_a_value_survives_the_round_trip(algorithm, material, text):
    cipher = FieldCipher.from_config(f"k1:{material}", algorithm)
    token = cipher.encrypt(text)
    assert token.startswith("v1$k1$")
    assert cipher.decrypt(token) == text


def test_the_same_value_encrypts_differently_each_time(setup):
    algorithm, old, _ = setup
    cipher = FieldCipher.from_config(f"k1:{old}", algorithm)
    first, second = cipher.encrypt("510104196205170011"), cipher.encrypt("510104196205170011")
    assert first != second and "510104196205170011" not in first


def test_after_rotation_old_values_decrypt_and_new_ones_use_the_first_key(setup):
    algorithm, old, new = setup
    before = FieldCipher.from_config(f"k1:{old}", algorithm)
    stored = before.encrypt("13812345678")
    after = FieldCipher.from_config(f"k2:{new},k1:{old}", algorithm)
    assert after.decrypt(stored) == "13812345678"
    fresh = after.encrypt("13812345678")
    assert after.key_id_of(fresh) == "k2" and after.key_id_of(stored) == "k1"
    with pytest.raises(DecryptionError, match="未知的密钥编号"):
        before.decrypt(fresh)


def test_a_retired_key_no_longer_decrypts(setup):
    algorithm, old, new = setup
    stored = FieldCipher.from_config(f"k1:{old}", algorithm).encrypt("x")
    with pytest.raises(DecryptionError, match="未知的密钥编号 k1"):
        FieldCipher.from_config(f"k2:{new}", algorithm).decrypt(stored)


def flip(token: str, index: int) -> str:
    prefix, key_id, body = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[index] ^= 0x01
    return f"{prefix}${key_id}${base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


@pytest.mark.parametrize("index", [0, 12, -1], ids=["nonce", "ciphertext", "tag"])
def test_a_tampered_ciphertext_raises(setup, index):
    algorithm, old, _ = setup
    cipher = FieldCipher.from_config(f"k1:{old}", algorithm)
    with pytest.raises(DecryptionError, match="密文校验失败"):
        cipher.decrypt(flip(cipher.encrypt("6222021234567890123"), index))


def test_relabelling_a_ciphertext_with_another_key_id_raises(setup):
    algorithm, old, _ = setup
    cipher = FieldCipher.from_config(f"k1:{old},k2:{old}", algorithm)
    token = cipher.encrypt("secret")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token.replace("$k1$", "$k2$"))


@pytest.mark.parametrize("token", ["", "plain text", "v1$k1", "v2$k1$AAAA", "v1$k1$***not base64***", "v1$k1$AA"])
def test_garbage_raises_a_decryption_error(token):
    cipher = FieldCipher.from_config(f"k1:{AES_OLD}")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token)


def test_a_value_encrypted_with_one_algorithm_does_not_decrypt_with_the_other():
    aes = FieldCipher.from_config(f"k1:{SM4_OLD}", "aes-256-gcm")
    sm4 = FieldCipher.from_config(f"k1:{SM4_OLD}", "sm4-gcm")
    with pytest.raises(DecryptionError):
        sm4.decrypt(aes.encrypt("x"))


@pytest.mark.parametrize(("spec", "algorithm", "message"), [
    ("", "aes-256-gcm", "未配置"),
    ("nokey", "aes-256-gcm", "格式应为"),
    ("k$1:" + AES_OLD, "aes-256-gcm", "格式应为"),
    ("k1:" + base64.b64encode(b"short").decode(), "aes-256-gcm", "太短"),
    (f"k1:{AES_OLD},k1:{AES_NEW}", "aes-256-gcm", "重复"),
    ("k1:" + AES_OLD, "des", "不支持的加密算法"),
])
def test_a_bad_key_configuration_is_refused(spec, algorithm, message):
    with pytest.raises(CryptoConfigError, match=message):
        FieldCipher.from_config(spec, algorithm)


def test_the_default_cipher_follows_the_settings():
    spec = f"rotated:{AES_NEW},old:{AES_OLD}"
    with override_settings(FIELD_ENCRYPTION_KEYS=spec, FIELD_ENCRYPTION_ALGORITHM="aes-256-gcm"):
        assert default_cipher().key_id_of(default_cipher().encrypt("x")) == "rotated"
    with override_settings(FIELD_ENCRYPTION_KEYS=f"g1:{SM4_OLD}", FIELD_ENCRYPTION_ALGORITHM="sm4-gcm"):
        assert default_cipher().algorithm == "sm4-gcm"


INDEX_KEY = os.urandom(32)


def test_the_blind_index_is_deterministic():
    assert blind_index("510104196205170011", INDEX_KEY, kind="id_number") == \
        blind_index("510104196205170011", INDEX_KEY, kind="id_number")


def test_the_blind_index_ignores_spaces_and_case():
    assert blind_index(" 11010519491231002x ", INDEX_KEY, kind="id_number") == \
        blind_index("11010519491231002X", INDEX_KEY, kind="id_number")


def test_the_blind_index_separates_kinds():
    assert blind_index("13812345678", INDEX_KEY, kind="phone") != \
        blind_index("13812345678", INDEX_KEY, kind="bank_account")


def test_the_blind_index_depends_on_the_key_and_value():
    value = "13812345678"
    assert blind_index(value, INDEX_KEY, kind="phone") != blind_index(value, os.urandom(32), kind="phone")
    assert blind_index(value, INDEX_KEY, kind="phone") != blind_index("13812345679", INDEX_KEY, kind="phone")
    assert value not in blind_index(value, INDEX_KEY, kind="phone")


def test_the_default_blind_index_uses_its_own_key_not_the_secret_key():
    value = "510104196205170011"
    with override_settings(BLIND_INDEX_KEY=base64.b64encode(INDEX_KEY).decode()):
        first = default_blind_index(value, kind="id_number")
    with override_settings(BLIND_INDEX_KEY=base64.b64encode(INDEX_KEY).decode(), SECRET_KEY="x" * 60):
        assert default_blind_index(value, kind="id_number") == first
    assert first == blind_index(value, INDEX_KEY, kind="id_number")
