"""The two shipped policy profiles (DOMAIN.md §3; seeds 000 and 001)."""

import datetime as dt

from django.db import migrations

ALL = ["phone", "online", "meeting", "home", "festival", "emergency"]
FACE = ["meeting", "home", "festival", "emergency"]
HOME = ["home", "festival", "emergency"]

SICHUAN_2018 = [
    {"key": "weekly_contact", "kind": "contact", "label": "每周联系", "count": 1, "period": "week", "channels": ALL},
    {"key": "monthly_meeting", "kind": "face_to_face", "label": "每月面见", "count": 1, "period": "month",
     "channels": FACE},
    {"key": "home_visits", "kind": "home_visit", "label": "每年上门走访不少于4次", "count": 4, "period": "year",
     "channels": HOME},
    {"key": "festival_visit", "kind": "festival", "label": "春节、端午、中秋慰问", "count": 1, "period": "festival",
     "channels": FACE, "window_before": 15, "window_after": 5},
    {"key": "emergency_visit", "kind": "emergency", "label": "重大情况及时上门(3日内)", "count": 1, "period": "event",
     "channels": FACE, "days": 3},
    {"key": "entry_deadline", "kind": "entry_deadline", "label": "走访、联系人变更5个工作日内录入", "working_days": 5},
]
HUBEI_2016 = [
    {"key": "monthly_home_visit", "kind": "home_visit", "label": "每月上门走访", "count": 1, "period": "month",
     "channels": HOME},
    {"key": "monthly_contact", "kind": "contact", "label": "定期电话联系(每月)", "count": 1, "period": "month",
     "channels": ALL},
    {"key": "festival_visit", "kind": "festival", "label": "春节、端午、中秋慰问", "count": 1, "period": "festival",
     "channels": FACE, "window_before": 15, "window_after": 5},
    {"key": "emergency_visit", "kind": "emergency", "label": "重大情况及时上门", "count": 1, "period": "event",
     "channels": FACE, "days": 3},
    {"key": "entry_deadline", "kind": "entry_deadline", "label": "信息5个工作日内录入", "working_days": 5},
]


def create(apps, schema_editor):
    Profile = apps.get_model("compliance", "PolicyProfile")
    Version = apps.get_model("compliance", "ProfileVersion")
    for code, name, source, start, obligations in [
        ("sichuan-2018", "四川省 2018(“双岗”联系人制度)", "四川省卫生计生委关于进一步完善计划生育特殊家庭扶助关怀联系人制度的通知(2018)",
         dt.date(2018, 1, 1), SICHUAN_2018),
        ("hubei-2016", "湖北省 2016", "湖北省计划生育特殊家庭扶助关怀联系人制度(2016)", dt.date(2016, 1, 1), HUBEI_2016),
    ]:
        profile, _ = Profile.objects.get_or_create(code=code, defaults={"name": name, "source": source})
        Version.objects.get_or_create(profile=profile, effective_from=start,
                                      defaults={"obligations": obligations, "note": "随系统发布"})


def remove(apps, schema_editor):
    apps.get_model("compliance", "PolicyProfile").objects.filter(code__in=["sichuan-2018", "hubei-2016"]).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
