"""Password-protected .xlsx (the ECMA-376 "agile" encryption Excel uses), via msoffcrypto-tool.

The password is generated here and handed to the caller once; callers keep at most a hash of it.
"""

from __future__ import annotations

import io
import secrets

import msoffcrypto
from msoffcrypto.format.ooxml import OOXMLFile

from .excel import OLE_MAGIC, SheetError

# No 0/O, 1/l/I: the password is read off a screen and typed into Excel by someone else.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def encrypt_xlsx(data: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def is_encrypted(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


def decrypt_xlsx(data: bytes, password: str) -> bytes:
    """The plain workbook; a wrong or missing password raises SheetError with a Chinese message."""
    if not password:
        raise SheetError("文件设有打开密码,请同时填写文件密码")
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception:
        raise SheetError("文件密码不正确或文件已损坏,无法解密") from None
    return out.getvalue()
