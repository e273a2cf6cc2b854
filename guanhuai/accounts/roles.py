"""Roles and what each may do. The README's role table is written from this."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VILLAGE = "village", "村级联系人"
    TOWNSHIP = "township", "乡镇干部"
    COUNTY = "county", "县级卫健干部"
    CITY = "city", "市级卫健干部"
    PROVINCE = "province", "省级卫健干部"
    ASSOCIATION = "association", "计生协工作人员"
    AUDITOR = "auditor", "审计员"
    ADMIN = "admin", "系统管理员"


CASE_READERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.ASSOCIATION, Role.AUDITOR}

PERMISSIONS: dict[str, set[str]] = {
    "family.view": CASE_READERS,
    "family.edit": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY},
    "family.import": {Role.TOWNSHIP, Role.COUNTY},
    "family.export": {Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR},
    "sensitive.reveal": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.AUDITOR},
    "contacts.manage": {Role.TOWNSHIP, Role.COUNTY},
    "visit.record": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ASSOCIATION},
    "event.close": {Role.TOWNSHIP, Role.COUNTY},
    "audit.view": {Role.AUDITOR, Role.ADMIN},
    "users.manage": {Role.ADMIN},
    "profiles.manage": {Role.ADMIN},
    "regions.manage": {Role.ADMIN},
    "oversight.view": {Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR},
    "spotcheck.manage": {Role.COUNTY},
    "dashboard.view": {Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR},
}

PERMISSION_LABELS = {
    "family.view": "查看辖区家庭档案",
    "family.edit": "新建、修改、退出家庭档案",
    "family.import": "Excel 批量导入家庭档案",
    "family.export": "导出家庭名单(脱敏)",
    "sensitive.reveal": "填写理由后查看完整身份证号/电话/银行账号(留痕)",
    "contacts.manage": "维护双岗联系人名册、分工和交接",
    "visit.record": "记录走访、上报重大事件",
    "event.close": "办结重大事件",
    "audit.view": "查询审计日志",
    "users.manage": "管理辖区内用户账号",
    "profiles.manage": "编辑联系走访政策配置(版本化)",
    "regions.manage": "导入行政区划",
    "oversight.view": "查看抽查、抽样调查和考核结果",
    "spotcheck.manage": "安排本县双岗联系制度抽查并记录结果",
    "dashboard.view": "查看本辖区统计看板并逐级下钻,下载图表数据",
}

# Which region level each role is normally bound to (a hint for the admin form).
ROLE_LEVEL = {
    Role.VILLAGE: 5,
    Role.TOWNSHIP: 4,
    Role.COUNTY: 3,
    Role.CITY: 2,
    Role.PROVINCE: 1,
}


def has_perm(user, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in PERMISSIONS.get(perm, set())
