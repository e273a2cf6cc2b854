"""Password-protected .xlsx (the ECMA-376 "agile" encryption Excel uses), via msoffcrypto-tool.

The password is generated here and handed to the caller once; callers keep at most a hash of it.
Decryption checks the password and the file's integrity (HMAC), so a changed byte is refused, not read.
"""

from __future__ import annotations

import io
import secrets

import msoffcrypto
from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile

from .excel import OLE_MAGIC, SheetError

# No 0/O, 1/l/I: the password is read off a screen and typed into Excel by someone else.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class WrongPassword(SheetError):
    pass


class Tampered(SheetError):
    """The file decrypts but its integrity check fails: it was changed after encryption."""


def generate_password(length: int = 12, *, group: int = 0) -> str:
    """Random characters from ALPHABET; with ``group``, in dash-separated groups (easier to read out)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i:i + group] for i in range(0, length, group)) if group else raw


def encrypt_xlsx(data: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def is_encrypted(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


def decrypt_xlsx(data: bytes, password: str) -> bytes:
    """The plain workbook. Raises WrongPassword, Tampered, or SheetError (unreadable), with Chinese messages."""
    if not password:
        raise WrongPassword("文件设有打开密码,请同时填写文件密码")
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password, verify_password=True)
    except InvalidKeyError:
        raise WrongPassword("文件密码不正确,无法解密") from None
    except Exception:
        raise SheetError("文件已损坏或被修改,无法读取") from None
    out = io.BytesIO()
    try:
        office.decrypt(out, verify_integrity=True)
    except (InvalidKeyError, DecryptionError, FileFormatError):
        raise Tampered("文件完整性校验失败:内容已被修改") from None
    except Exception:
        raise SheetError("文件已损坏或被修改,无法读取") from None
    return out.getvalue()
