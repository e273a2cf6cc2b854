"""xlsx export of a family list. Sensitive values are always masked here."""

from __future__ import annotations

from guanhuai.lib.excel import write_xlsx
from guanhuai.lib.masking import mask_phone

HEADERS = ["档案号", "村(居)", "区划代码", "户主姓名", "家庭类别", "伤残等级", "光荣证号", "纳入登记日期", "状态",
           "退出原因", "身体状况", "精神状态", "居住情况", "利益诉求", "风险标记", "成员(脱敏)", "联系电话(脱敏)", "住址"]


def family_rows(families):
    for f in families:
        members = list(f.members.all())
        yield [
            f.pk, f.region.name, f.region_id, f.head_name, f.get_category_display(), f.disability_grade or "",
            f.certificate_no, f.registered_on.isoformat(), f.get_status_display(), f.get_exit_reason_display() or "",
            f.get_health_display(), f.get_mental_display(), f.get_living_display(), "、".join(f.needs_labels),
            "、".join(f.risk_labels),
            ";".join(f"{m.name}({m.get_role_display()}) {m.id_number_masked}" for m in members),
            ";".join(mask_phone(m.phone) for m in members if m.phone),
            f.address,
        ]


def family_list_xlsx(queryset) -> tuple[bytes, int]:
    rows = list(family_rows(queryset.iterator(chunk_size=1000)))
    return write_xlsx([("特殊家庭名单", HEADERS, rows)]), len(rows)
