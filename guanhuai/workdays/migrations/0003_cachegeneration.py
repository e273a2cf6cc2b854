"""Per-cache generation counters (cross-process invalidation of the calendar and profile caches)."""

from django.db import migrations, models

NAMES = ("workdays.calendar", "compliance.profiles")


def seed(apps, schema_editor):
    CacheGeneration = apps.get_model("workdays", "CacheGeneration")
    CacheGeneration.objects.bulk_create([CacheGeneration(name=n, value=0) for n in NAMES], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_chinesecalendar")]

    operations = [
        migrations.CreateModel(
            name="CacheGeneration",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="缓存")),
                ("value", models.BigIntegerField(default=0, verbose_name="版本号")),
            ],
            options={"verbose_name": "缓存版本", "verbose_name_plural": "缓存版本"},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
