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
    "relief.view": CASE_READERS,
    "relief.apply": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY},
    "relief.review_village": {Role.VILLAGE},
    "relief.review_township": {Role.TOWNSHIP},
    "relief.review_county": {Role.COUNTY},
    "relief.pay": {Role.COUNTY},
    "confirmation.view": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR},
    "confirmation.record": {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY},
    "confirmation.manage": {Role.COUNTY},
    "survey.manage": {Role.PROVINCE},
    "assessment.manage": {Role.PROVINCE, Role.ADMIN},
    "training.manage": {Role.TOWNSHIP, Role.COUNTY},
    "returns.view": {Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR},
    "returns.submit": {Role.TOWNSHIP, Role.COUNTY, Role.CITY},
    "returns.review": {Role.COUNTY, Role.CITY, Role.PROVINCE},
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
    "relief.view": "查看辖区关怀救助申请、发放和追回",
    "relief.apply": "代家庭提出救助申请、上传材料、补正后重新提交",
    "relief.review_village": "村(居)调查并签署意见",
    "relief.review_township": "乡镇审查",
    "relief.review_county": "县审核认定、公示异议处理、撤销资格",
    "relief.pay": "编制发放批次、导出银行文件、导入回盘、登记追回款",
    "confirmation.view": "查看年度资格确认进度和结果",
    "confirmation.record": "对辖区家庭做年度资格确认(无变化、变更或退出)",
    "confirmation.manage": "开启、结束本县年度资格确认",
    "survey.manage": "安排全省 1% 抽样调查、编辑问卷并录入调查结果",
    "assessment.manage": "编辑年度考核权重(按年度版本化)",
    "training.manage": "登记联系人培训和参训情况",
    "returns.view": "查看年度统计表和逐级上报情况",
    "returns.submit": "向上级报送本级年度统计表、导出加密统计表",
    "returns.review": "审核下级报送的统计表(通过或退回)、导入加密统计表",
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
