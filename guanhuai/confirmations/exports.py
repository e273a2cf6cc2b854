"""xlsx export of a window's results: a summary sheet per township and one row per family.

No sensitive values are exported (no ID numbers, phones or accounts).
"""

from __future__ import annotations

from django.utils import timezone

from guanhuai.lib.excel import SheetSpec, write_xlsx

from .selectors import STATUS_LABELS, WindowProgress

SUMMARY = ["区划代码", "乡镇(街道)/村(居)", "名册户数", "确认无变化", "有变化", "退出", "待确认", "迟报", "完成率"]
ROWS = ["档案号", "乡镇(街道)", "村(居)", "区划代码", "户主姓名", "家庭类别", "确认结果", "变化内容", "退出原因",
        "说明", "录入日期", "录入期限", "迟报", "录入人"]


def _changes_text(changes: dict) -> str:
    parts = []
    for label, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2 and label != "成员":
            parts.append(f"{label}:{value[0]} → {value[1]}")
        elif isinstance(value, list):
            parts.append(f"{label}:{'、'.join(map(str, value))}")
        else:
            parts.append(f"{label}:{value}")
    return ";".join(parts)


def window_xlsx(window, progress: WindowProgress, items) -> tuple[bytes, int]:
    deadline = window.deadline
    caption = (f"{window.region.name} {window.year} 年度资格确认({window.start_date:%Y-%m-%d} 至 "
               f"{window.ends_on:%Y-%m-%d},录入期限 {deadline.date:%Y-%m-%d}"
               f"{'(暂定)' if deadline.provisional else ''};导出于 {timezone.localtime():%Y-%m-%d %H:%M})")
    summary = [[p.code, p.name, p.total, p.confirmed, p.changed, p.exited, p.pending, p.late, f"{p.percent}%"]
               for p in [*progress.rows, progress.total]]
    overdue = progress.overdue
    rows = []
    for item in items:
        status = item.status
        label = STATUS_LABELS[status]
        if status == "pending" and overdue:
            label = "逾期未确认"
        elif status == "exited" and not item.outcome:
            label = "退出(经档案办理)"
        family = item.family
        rows.append([
            family.pk, item.region.parent.name if item.region.parent else "", item.region.name, item.region_id,
            family.head_name, family.get_category_display(), label, _changes_text(item.changes),
            item.get_exit_reason_display() or (family.get_exit_reason_display() if status == "exited" else ""),
            item.note, item.entry_date.isoformat() if item.entry_date else "",
            item.entry_deadline.isoformat() if item.entry_deadline else "", "迟报" if item.is_late else "",
            item.recorded_by.full_name if item.recorded_by else "",
        ])
    data = write_xlsx([
        SheetSpec("进度汇总", SUMMARY, summary, caption=caption, text_columns=[0]),
        SheetSpec("家庭确认结果", ROWS, rows, caption=caption, text_columns=[3]),
    ])
    return data, len(rows)
