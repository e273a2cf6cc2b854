"""The menu: what each role may open, grouped so that a county officer's menu fits one row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from guanhuai.accounts.roles import has_perm


@dataclass
class NavItem:
    label: str
    url: str
    key: str


@dataclass
class NavGroup:
    label: str
    children: list[NavItem] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {child.key for child in self.children}


def _group(label: str, children: list[NavItem]) -> NavItem | NavGroup | None:
    """A dropdown; a group with one entry is shown as that entry, an empty one not at all."""
    if not children:
        return None
    return children[0] if len(children) == 1 else NavGroup(label, children)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}

    def can(perm: str) -> bool:
        return has_perm(user, perm)

    def item(label: str, name: str, key: str) -> NavItem:
        return NavItem(label, reverse(name), key)

    entries: list[NavItem | NavGroup | None] = [item("首页", "web:home", "home")]
    if can("visit.record"):
        entries.append(item("走访待办", "compliance:mine", "mine"))
    archive = []
    if can("family.view"):
        archive.append(item("家庭档案", "families:list", "families"))
    if can("confirmation.view"):
        archive.append(item("资格确认", "confirmations:windows", "confirmations"))
    if can("family.import"):
        archive.append(item("批量导入", "families:import", "import"))
    if can("family.view"):
        archive.append(item("区划导航", "regions:browse", "regions"))
    entries.append(_group("档案", archive))
    if can("family.view"):
        entries.append(_group("走访联系", [
            item("走访记录", "visits:list", "visits"), item("重大事件", "visits:events", "events"),
            item("合规", "compliance:region", "compliance"), item("双岗联系", "contacts:coverage", "contacts")]))
    if can("relief.view"):
        entries.append(item("救助", "relief:list", "relief"))
    oversight = []
    if can("dashboard.view"):
        oversight.append(item("统计看板", "reports:dashboard", "dashboard"))
    if can("returns.view"):
        oversight.append(item("统计上报", "reports:returns", "returns"))
    if can("oversight.view"):
        oversight.append(item("抽查与抽样调查", "oversight:spotchecks", "oversight"))
    if can("oversight.view"):
        oversight.append(item("考核评比", "oversight:assessment", "assessment"))
    elif can("assessment.manage"):
        oversight.append(item("考核权重", "oversight:assessment_weights", "assessment"))
    if can("training.manage"):
        oversight.append(item("培训", "community:trainings", "trainings"))
    entries.append(_group("监督考核", oversight))
    system = []
    if can("audit.view"):
        system.append(item("审计日志", "audit:search", "audit"))
    if can("users.manage"):
        system += [item("用户管理", "accounts:user_list", "users"), item("区划管理", "regions:import", "region_import"),
                   item("工作日历", "workdays:calendar", "workdays")]
    if can("profiles.manage"):
        system.append(item("政策配置", "compliance:profiles", "profiles"))
    entries.append(_group("系统", system))
    return {"nav_items": [e for e in entries if e is not None]}
