"""The README's role table must say exactly what accounts/roles.py enforces."""

import re
from pathlib import Path

from guanhuai.accounts.roles import PERMISSIONS, Role

README = Path(__file__).resolve().parents[3] / "README.md"
COLUMN_ORDER = [Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.ASSOCIATION, Role.AUDITOR,
                Role.ADMIN]


def test_the_readme_role_table_matches_the_permissions_in_code():
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([a-z_]+\.[a-z_]+)` ", line)
        if match:
            cells = [c.strip() for c in line.strip().strip("|").split("|")][1:]
            rows[match.group(1)] = {role for role, cell in zip(COLUMN_ORDER, cells, strict=True) if cell.startswith("✓")}
    assert set(rows) == set(PERMISSIONS)
    for perm, roles in PERMISSIONS.items():
        assert rows[perm] == set(roles), perm
