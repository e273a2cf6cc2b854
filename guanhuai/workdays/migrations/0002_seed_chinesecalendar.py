"""Seed the official calendar 2004–2026 from the chinesecalendar package."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    rows = [CalendarDay(date=d, kind="holiday", name=NAMES.get(str(n), str(n)))
            for d, n in constants.holidays.items()]
    rows += [CalendarDay(date=d, kind="workday", name=NAMES.get(str(n), str(n)))
             for d, n in constants.workdays.items()]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    years = sorted({d.year for d in constants.holidays})
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinesecalendar(国务院办公厅公布)") for y in years], ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
