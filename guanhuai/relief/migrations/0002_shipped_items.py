"""The relief items of the seed county's plan (seed 004, 第五篇), with their amounts as policy data.

特别扶助: the plan doubles the national/provincial standard; shipped here as 680 yuan per person per month
for death households and 540 for disability households (twice 340 / 270), editable like any policy data.
"""

from decimal import Decimal

from django.db import migrations

BASE = ["id_card", "hukou", "certificate", "death_disability", "bank_card"]
ITEMS = [
    dict(code="insurance", name="平安保障", rule="insurance", basis="fixed", amount=Decimal("100.00"),
         cover=Decimal("100000.00"), frequency="yearly", payee="insurer", documents=["id_card", "hukou",
                                                                                      "certificate"],
         notice_days=0, rule_note="为特别扶助对象家庭(不含手术并发症人员)以户为单位购买综合保险,保费100元/份,保额10万元"),
    dict(code="emergency-comfort", name="紧急慰藉", rule="emergency_comfort", basis="fixed",
         amount=Decimal("3000.00"), frequency="once_family", payee="household", documents=BASE, notice_days=7,
         rule_note="领取独生子女父母光荣证、当年新发生独生子女死亡的家庭,每户一次性3000元抚慰金(表五)"),
    dict(code="reproduction", name="圆梦行动", rule="reproduction", basis="fixed", amount=Decimal("3000.00"),
         frequency="once_family", payee="household", documents=BASE, notice_days=7,
         rule_note="领取光荣证、独生子女死亡后需实施再生育辅助技术的育龄夫妻,一次性3000元再生育补助"),
    dict(code="special-assistance", name="特别扶助", rule="special_assistance", basis="monthly_person",
         amount=Decimal("680.00"), amount_disabled=Decimal("540.00"), frequency="monthly", payee="household",
         documents=BASE, notice_days=7, mother_min_age=49,
         rule_note="独生子女死亡、伤残家庭,女方年满49周岁,夫妻每人按月发放;标准在国家省市基础上提高一倍"),
    dict(code="pension", name="养老保险代缴", rule="pension", basis="yearly_person", amount=Decimal("1000.00"),
         frequency="yearly", payee="pension_fund", documents=["id_card", "hukou"], notice_days=0,
         rule_note="特别扶助对象按每人每年1000元的缴费标准由县财政代缴养老保险费"),
    dict(code="hardship", name="特困救助", rule="hardship", basis="fixed", amount=Decimal("5000.00"),
         frequency="once_event", payee="household",
         documents=[*BASE, "medical", "income", "minutes"], notice_days=7,
         rule_note="计划生育家庭遇意外死亡、伤残、大病、大灾等困难,每户每次事件一次性5000元(表七)"),
]


def ship(apps, schema_editor):
    ReliefItem = apps.get_model("relief", "ReliefItem")
    for position, fields in enumerate(ITEMS):
        ReliefItem.objects.update_or_create(code=fields["code"], defaults={**fields, "position": position})


def unship(apps, schema_editor):
    apps.get_model("relief", "ReliefItem").objects.filter(code__in=[i["code"] for i in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("relief", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
