"""The Sichuan 2018 profile carries the confirmation entry deadline as data.

Seed 000 (the 2018 Sichuan notice the shipped profile transcribes) says data
must be entered "每年扶助对象资格确认结束10个工作日内". The shipped version
(effective 2018-01-01) already stood for that notice but lacked this rule, so
it is added to that version rather than as a new version dated today, which
would claim the rule changed now. The Hubei 2016 profile (seed 001) sets no
such deadline; windows there use the default of 10 working days (DOMAIN.md §1).
"""

import datetime as dt

from django.db import migrations

KEY = "confirmation_entry"
RULE = {"key": KEY, "kind": "confirmation_deadline", "label": "资格确认结束10个工作日内录入", "working_days": 10}


def add(apps, schema_editor):
    Version = apps.get_model("compliance", "ProfileVersion")
    for version in Version.objects.filter(profile__code="sichuan-2018", effective_from=dt.date(2018, 1, 1)):
        if not any(o.get("key") == KEY for o in version.obligations):
            version.obligations = [*version.obligations, RULE]
            version.save(update_fields=["obligations"])


def remove(apps, schema_editor):
    Version = apps.get_model("compliance", "ProfileVersion")
    for version in Version.objects.filter(profile__code="sichuan-2018", effective_from=dt.date(2018, 1, 1)):
        kept = [o for o in version.obligations if o.get("key") != KEY]
        if kept != version.obligations:
            version.obligations = kept
            version.save(update_fields=["obligations"])


class Migration(migrations.Migration):
    dependencies = [("confirmations", "0001_initial"), ("compliance", "0002_shipped_profiles")]
    operations = [migrations.RunPython(add, remove)]
