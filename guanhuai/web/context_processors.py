from django.urls import reverse

from guanhuai.accounts.roles import has_perm


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("首页", reverse("web:home"), "home")]
    if has_perm(user, "visit.record"):
        items.append(("走访待办", reverse("compliance:mine"), "mine"))
    if has_perm(user, "family.view"):
        items.append(("家庭档案", reverse("families:list"), "families"))
        items.append(("走访记录", reverse("visits:list"), "visits"))
        items.append(("重大事件", reverse("visits:events"), "events"))
        items.append(("合规", reverse("compliance:region"), "compliance"))
        items.append(("区划导航", reverse("regions:browse"), "regions"))
        items.append(("双岗联系", reverse("contacts:coverage"), "contacts"))
    if has_perm(user, "dashboard.view"):
        items.append(("统计看板", reverse("reports:dashboard"), "dashboard"))
    if has_perm(user, "oversight.view"):
        items.append(("抽查", reverse("oversight:spotchecks"), "oversight"))
    if has_perm(user, "relief.view"):
        items.append(("救助", reverse("relief:list"), "relief"))
    if has_perm(user, "confirmation.view"):
        items.append(("资格确认", reverse("confirmations:windows"), "confirmations"))
    if has_perm(user, "oversight.view") or has_perm(user, "assessment.manage"):
        target = "oversight:assessment" if has_perm(user, "oversight.view") else "oversight:assessment_weights"
        items.append(("考核", reverse(target), "assessment"))
    if has_perm(user, "training.manage") and not has_perm(user, "oversight.view"):
        items.append(("培训", reverse("community:trainings"), "trainings"))
    if has_perm(user, "returns.view"):
        items.append(("统计上报", reverse("reports:returns"), "returns"))
    if has_perm(user, "family.import"):
        items.append(("批量导入", reverse("families:import"), "import"))
    if has_perm(user, "audit.view"):
        items.append(("审计日志", reverse("audit:search"), "audit"))
    if has_perm(user, "users.manage"):
        items.append(("用户管理", reverse("accounts:user_list"), "users"))
        items.append(("区划管理", reverse("regions:import"), "region_import"))
        items.append(("工作日历", reverse("workdays:calendar"), "workdays"))
    if has_perm(user, "profiles.manage"):
        items.append(("政策配置", reverse("compliance:profiles"), "profiles"))
    return {"nav_items": items}
