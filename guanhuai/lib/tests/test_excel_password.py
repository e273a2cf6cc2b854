import pytest
from openpyxl import load_workbook

from guanhuai.lib.excel import SheetError, write_xlsx
from guanhuai.lib.excel_password import decrypt_xlsx, encrypt_xlsx, generate_password, is_encrypted


def test_an_encrypted_workbook_opens_only_with_its_password():
    import io

    plain = write_xlsx([("明细", ["户名", "金额"], [["张三", 3000]])])
    password = generate_password()
    locked = encrypt_xlsx(plain, password)
    assert is_encrypted(locked) and not is_encrypted(plain)
    sheet = load_workbook(io.BytesIO(decrypt_xlsx(locked, password))).active
    assert [c.value for c in sheet[2]] == ["张三", 3000]
    with pytest.raises(SheetError, match="密码不正确"):
        decrypt_xlsx(locked, password + "x")


def test_generated_passwords_are_long_and_unambiguous():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 12 and not set(p) & set("0O1lI") for p in passwords)


def test_a_changed_byte_is_refused_not_read():
    from guanhuai.lib.excel_password import Tampered

    password = generate_password()
    locked = bytearray(encrypt_xlsx(write_xlsx([("明细", ["金额"], [[1]])]), password))
    locked[len(locked) * 3 // 4] ^= 0xFF  # inside the encrypted package (after the OLE headers)
    with pytest.raises(Tampered, match="完整性"):
        decrypt_xlsx(bytes(locked), password)


def test_grouped_passwords_read_out_in_fives():
    password = generate_password(20, group=5)
    assert len(password) == 23 and [len(part) for part in password.split("-")] == [5, 5, 5, 5]
