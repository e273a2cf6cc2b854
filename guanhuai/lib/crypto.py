"""Field encryption (AES-256-GCM or SM4-GCM) and HMAC-SHA256 blind indexes.

Ciphertexts are stored as ``v1$<key id>$<base64(nonce | ciphertext | tag)>``
so keys can be rotated: the first configured key encrypts, every configured
key decrypts. The blind index is a keyed hash of the normalised plaintext,
which allows exact-match search without decrypting the table.
Keys come from FIELD_ENCRYPTION_KEYS / BLIND_INDEX_KEY, never SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class CryptoConfigError(ValueError):
    pass


class DecryptionError(ValueError):
    pass


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None)


@dataclass(frozen=True)
class FieldCipher:
    keys: dict[str, bytes]
    current_key_id: str
    algorithm: str = "aes-256-gcm"

    @classmethod
    def from_config(cls, spec: str, algorithm: str = "aes-256-gcm") -> FieldCipher:
        if algorithm not in {"aes-256-gcm", "sm4-gcm"}:
            raise CryptoConfigError(f"不支持的加密算法 {algorithm}")
        keys: dict[str, bytes] = {}
        current = None
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id or "$" in key_id:
                raise CryptoConfigError("FIELD_ENCRYPTION_KEYS 格式应为 keyid:base64key[,keyid:base64key]")
            try:
                raw = _b64decode(encoded)
            except ValueError as exc:
                raise CryptoConfigError(f"FIELD_ENCRYPTION_KEYS 中密钥 {key_id} 不是有效的 base64") from exc
            if len(raw) < 16:
                raise CryptoConfigError(f"FIELD_ENCRYPTION_KEYS 中密钥 {key_id} 太短(至少 16 字节)")
            if key_id in keys:
                raise CryptoConfigError(f"FIELD_ENCRYPTION_KEYS 中密钥编号 {key_id} 重复")
            if algorithm == "sm4-gcm":
                raw = hashlib.sha256(raw).digest()[:16] if len(raw) != 16 else raw
            elif len(raw) != 32:
                raw = hashlib.sha256(raw).digest()
            keys[key_id] = raw
            current = current or key_id
        if not current:
            raise CryptoConfigError("FIELD_ENCRYPTION_KEYS 未配置")
        return cls(keys=keys, current_key_id=current, algorithm=algorithm)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        key = self.keys[self.current_key_id]
        data = plaintext.encode("utf-8")
        aad = self.current_key_id.encode()
        if self.algorithm == "sm4-gcm":
            encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            body = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        else:
            body = AESGCM(key).encrypt(nonce, data, aad)
        token = base64.urlsafe_b64encode(nonce + body).decode().rstrip("=")
        return f"{PREFIX}${self.current_key_id}${token}"

    def decrypt(self, token: str) -> str:
        try:
            prefix, key_id, encoded = token.split("$", 2)
        except ValueError as exc:
            raise DecryptionError("密文格式错误") from exc
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptionError(f"未知的密钥编号 {key_id}")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError as exc:  # binascii.Error
            raise DecryptionError("密文格式错误") from exc
        nonce, body = raw[:12], raw[12:]
        key = self.keys[key_id]
        try:
            if self.algorithm == "sm4-gcm":
                ct, tag = body[:-16], body[-16:]
                decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
                decryptor.authenticate_additional_data(key_id.encode())
                data = decryptor.update(ct) + decryptor.finalize()
            else:
                data = AESGCM(key).decrypt(nonce, body, key_id.encode())
        except Exception as exc:  # InvalidTag and friends
            raise DecryptionError("密文校验失败") from exc
        return data.decode("utf-8")

    def key_id_of(self, token: str) -> str:
        return token.split("$", 2)[1]


def blind_index(value: str, key: bytes, *, kind: str) -> str:
    """Keyed hash for exact lookup; ``kind`` separates ID numbers from phones."""
    normalised = "".join(value.split()).upper()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _cipher_for(spec: str, algorithm: str) -> FieldCipher:
    return FieldCipher.from_config(spec, algorithm)


def default_cipher() -> FieldCipher:
    from django.conf import settings

    return _cipher_for(settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_ENCRYPTION_ALGORITHM)


def default_blind_index(value: str, *, kind: str) -> str:
    from django.conf import settings

    return blind_index(value, _b64decode(settings.BLIND_INDEX_KEY), kind=kind)
