"""Encrypted transfer of returns (统计表要加密处理, seed 001).

Export: a version becomes an xlsx workbook (one sheet per table, a cover
sheet, and a 数据 sheet carrying the frozen snapshot as JSON with its
SHA-256), then either

* an Excel-compatible password-encrypted workbook (ECMA-376 agile
  encryption, AES-256, via msoffcrypto-tool), or
* for 国密 deployments an SM4-GCM package: ``GHSM4v1\\n`` + a JSON header line
  (PBKDF2-HMAC-SM3 salt and iterations, GCM nonce, a password check value) +
  ciphertext and tag, the header authenticated as associated data.

The password is generated here, returned once to the caller to show, and never
stored. A manifest in ``sha256sum`` format accompanies the file.

Import (the upper level): manifest (when given) → password → integrity →
snapshot digest → jurisdiction, each failure a Chinese message, and nothing is
written unless every check passed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.lib import excel_password
from guanhuai.lib.excel import OLE_MAGIC, SheetError, SheetSpec, write_xlsx
from guanhuai.lib.excel_password import encrypt_xlsx
from guanhuai.regions.codes import CodeError, level_of, parent_code_of
from guanhuai.regions.models import Region

from .models import ReturnExport, ReturnImport, ReturnVersion
from .selectors import is_reviewer_of, is_submitter_for, snapshot_digest

SM4_MAGIC = b"GHSM4v1\n"
SM4_ITERATIONS = 100_000
DATA_SHEET = "数据"
CHUNK = 30_000  # an xlsx cell holds at most 32,767 characters
_HEX64 = re.compile(r"[0-9a-f]{64}")


def generate_password() -> str:
    """20 random characters (≈ 115 bits) in groups of five, easy to read out over the phone."""
    return excel_password.generate_password(20, group=5)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the workbook ------------------------------------------------------------------------------------------

def return_workbook(version: ReturnVersion) -> bytes:
    """The plain workbook of a version: cover, one sheet per table, and the snapshot as data."""
    snap = version.snapshot
    region = snap["region"]
    caption = f"{region['name']} {snap['year']} 年度"
    cover = SheetSpec("说明", ["项目", "内容"], [
        ["报送单位", f"{region['name']}({region['code']})"], ["统计年度", snap["year"]],
        ["统计截至", snap["as_of"]], ["版本", version.number],
        ["报送时间", version.submitted_at.isoformat(timespec="seconds")],
        ["快照 SHA-256", version.digest], ["说明", f"“{DATA_SHEET}”工作表为系统导入用数据,请勿修改"]],
        caption=f"{caption}统计表", widths={0: 16, 1: 70})
    sheets = [cover]
    for table in snap["tables"]:
        headers = ["区划代码", "单位", *(c["label"] for c in table["columns"])]
        rows = [[r["code"], r["name"], *r["values"]] for r in table["rows"]]
        rows.append(["", "合计", *table["total"]])
        sheets.append(SheetSpec(table["title"].split(" ")[0], headers, rows, caption=f"{caption}{table['title']}",
                                text_columns=[0], widths={0: 15, 1: 16}))
    text = json.dumps(snap, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data_rows = [["digest", version.digest], ["version", str(version.number)]]
    data_rows += [["json", text[i:i + CHUNK]] for i in range(0, len(text), CHUNK)]
    sheets.append(SheetSpec(DATA_SHEET, ["key", "value"], data_rows))
    return write_xlsx(sheets)


def _read_workbook(plain: bytes) -> tuple[dict, str, int]:
    """(snapshot, recorded digest, source version number) from a decrypted workbook."""
    try:
        workbook = load_workbook(io.BytesIO(plain), read_only=True, data_only=True)
        sheet = workbook[DATA_SHEET]
        rows = [(str(r[0] or ""), str(r[1] or "")) for r in sheet.iter_rows(min_row=2, max_col=2, values_only=True)]
        workbook.close()
        values = {k: v for k, v in rows if k != "json"}
        snapshot = json.loads("".join(v for k, v in rows if k == "json"))
        return snapshot, values["digest"], int(values["version"])
    except Exception:
        raise ValidationError("文件中没有可识别的统计表数据,不是本系统导出的统计表或已被改动") from None


# --- encryption --------------------------------------------------------------------------------------------

def decrypt_xlsx(data: bytes, password: str) -> bytes:
    try:
        return excel_password.decrypt_xlsx(data, password)
    except excel_password.WrongPassword:
        raise ValidationError("密码错误,无法打开该统计表") from None
    except excel_password.Tampered:
        raise ValidationError("文件完整性校验失败:内容已被修改,已拒绝导入") from None
    except SheetError:
        raise ValidationError("文件已损坏或被修改,无法读取") from None


def _sm4_keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, str]:
    derived = PBKDF2HMAC(hashes.SM3(), 32, salt, iterations).derive(password.encode("utf-8"))
    check = hashes.Hash(hashes.SM3())
    check.update(derived[16:])
    return derived[:16], check.finalize().hex()


def encrypt_sm4(plain: bytes, password: str, meta: dict) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check = _sm4_keys(password, salt, SM4_ITERATIONS)
    header = {**meta, "alg": "SM4-GCM", "kdf": "PBKDF2-HMAC-SM3", "iterations": SM4_ITERATIONS,
              "salt": salt.hex(), "nonce": nonce.hex(), "check": check}
    line = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(SM4_MAGIC + line)
    body = encryptor.update(plain) + encryptor.finalize()
    return SM4_MAGIC + line + body + encryptor.tag


def decrypt_sm4(data: bytes, password: str) -> bytes:
    try:
        end = data.index(b"\n", len(SM4_MAGIC))
        line = data[len(SM4_MAGIC):end + 1]
        header = json.loads(line)
        salt, nonce = bytes.fromhex(header["salt"]), bytes.fromhex(header["nonce"])
        iterations = int(header["iterations"])
        if not 1000 <= iterations <= 10_000_000 or len(nonce) != 12:
            raise ValueError
        body, tag = data[end + 1:-16], data[-16:]
        if len(tag) != 16:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValidationError("文件已损坏或被修改,无法读取") from None
    key, check = _sm4_keys(password, salt, iterations)
    if not secrets.compare_digest(check, str(header.get("check", ""))):
        raise ValidationError("密码错误,无法打开该统计表")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(SM4_MAGIC + line)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise ValidationError("文件完整性校验失败:内容已被修改,已拒绝导入") from None


# --- export ------------------------------------------------------------------------------------------------

def return_export(*, acting_user, version: ReturnVersion, fmt: str = "xlsx") -> tuple[ReturnExport, str]:
    """Encrypt a version with a new random password; returns the export and the password (show it once)."""
    region = version.stat_return.region
    if not (is_submitter_for(acting_user, region) or is_reviewer_of(acting_user, region)):
        raise ValidationError("只有报送单位或其上一级审核单位可以导出加密统计表")
    if fmt not in ReturnExport.Format.values:
        raise ValidationError({"format": ["导出格式应为 xlsx 或 sm4"]})
    password = generate_password()
    plain = return_workbook(version)
    ret = version.stat_return
    stem = f"return_{region.code}_{ret.year}_v{version.number}"
    if fmt == ReturnExport.Format.XLSX:
        data, filename = encrypt_xlsx(plain, password), f"{stem}.xlsx"
    else:
        data, filename = encrypt_sm4(plain, password, {"region": region.code, "year": ret.year,
                                                       "version": version.number}), f"{stem}.sm4"
    with transaction.atomic():
        export = ReturnExport.objects.create(version=version, region=region, format=fmt, filename=filename,
                                             data=data, sha256=sha256_hex(data), created_by=acting_user)
        audit_record(actor=acting_user, action="return.exported", obj=ret,
                     changes={"version": version.number, "format": fmt, "file_sha256": export.sha256,
                              "digest": version.digest})
    return export, password


def manifest_text(export: ReturnExport) -> str:
    """``sha256sum -c`` checks the first line; the comment lines say what the file is."""
    version = export.version
    snap = version.snapshot
    return (f"{export.sha256}  {export.filename}\n"
            f"# 关怀系统年度统计表加密文件校验清单\n"
            f"# 报送单位: {snap['region']['name']} ({snap['region']['code']})\n"
            f"# 统计年度: {snap['year']}  统计截至: {snap['as_of']}  版本: {version.number}\n"
            f"# 加密方式: {export.get_format_display()}\n"
            f"# 报表快照 SHA-256: {version.digest}\n")


def _manifest_hash(manifest: bytes, filename: str) -> str:
    try:
        text = manifest.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("校验清单不是文本文件") from None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest = line.split()[0].lower()
        if _HEX64.fullmatch(digest):
            return digest
        break
    raise ValidationError("校验清单格式不正确(应为“SHA-256 值  文件名”)")


# --- import ------------------------------------------------------------------------------------------------

def return_import(*, acting_user, data: bytes, filename: str, password: str,
                  manifest: bytes | None = None) -> ReturnImport:
    """Read an encrypted return from a lower level.

    Refused (nothing written) for a file that does not match its manifest, a
    wrong password, a changed byte, a snapshot whose digest does not match, or
    a region that is not directly below the user's own. A file equal to a
    stored version is recorded as received; otherwise it becomes a new
    version awaiting review.
    """
    from .services import OPEN_STATES, _add_version, _lock_return

    if not has_perm(acting_user, "returns.review") or acting_user.region_id is None:
        raise ValidationError("只有上级审核人员可以导入下级的加密统计表")
    if not data:
        raise ValidationError("文件为空")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationError("文件太大")
    if not password:
        raise ValidationError({"password": ["请输入解密密码"]})
    file_hash = sha256_hex(data)
    if manifest is not None and _manifest_hash(manifest, filename) != file_hash:
        raise ValidationError("文件的 SHA-256 与校验清单不符:文件在传输中被修改或不是清单所列文件,已拒绝导入")
    if data.startswith(OLE_MAGIC):
        fmt, plain = ReturnExport.Format.XLSX, decrypt_xlsx(data, password)
    elif data.startswith(SM4_MAGIC):
        fmt, plain = ReturnExport.Format.SM4, decrypt_sm4(data, password)
    else:
        raise ValidationError("不是本系统导出的加密统计表(应为加密 .xlsx 或 SM4 加密包)")
    snapshot, recorded, number = _read_workbook(plain)
    if snapshot_digest(snapshot) != recorded:
        raise ValidationError("报表数据的 SHA-256 与文件中记录的不一致,内容已被修改,已拒绝导入")
    code = str(snapshot.get("region", {}).get("code", ""))
    year = snapshot.get("year")
    try:
        level_of(code)
    except CodeError:
        raise ValidationError("文件中的区划代码无效") from None
    region = Region.objects.filter(code=code).first()
    name = region.name if region else snapshot["region"].get("name", "")
    if region is None or parent_code_of(code) != acting_user.region_id:
        raise ValidationError(f"该统计表属于{name}({code}),不是本单位直接下级报送的统计表,已拒绝导入")
    if not isinstance(year, int):
        raise ValidationError("文件中的统计年度无效")
    with transaction.atomic():
        ret = _lock_return(region, year)
        version = ret.versions.filter(digest=recorded).order_by("-number").first()
        created = version is None
        if created:
            if ret.state not in OPEN_STATES:
                raise ValidationError(f"{name} {year} 年度统计表{ret.get_state_display()},不能导入新的版本")
            version = _add_version(acting_user=acting_user, ret=ret, snapshot=snapshot,
                                   source=ReturnVersion.Source.IMPORTED,
                                   note=f"由加密文件 {filename} 导入(原第 {number} 版)")
        record = ReturnImport.objects.create(stat_return=ret, version=version, region=region, format=fmt,
                                             filename=filename[:200], sha256=file_hash, created_version=created,
                                             imported_by=acting_user)
        audit_record(actor=acting_user, action="return.imported", obj=ret,
                     changes={"version": version.number, "created_version": created, "format": fmt,
                              "file_sha256": file_hash, "digest": recorded})
    return record
