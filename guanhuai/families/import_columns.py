"""The roster (表一) columns: header synonyms, accepted cell values and the blank template.

Kept apart from the import service so the words townships actually write can
grow without touching the logic.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from guanhuai.lib.excel import SheetSpec, write_xlsx
from guanhuai.lib.idnumber import make_id_number

from .models import NEEDS, Category, Health, Housing, Income, Living, Medical, Mental, Pension, RiskFlag

ROLE_WORDS = {
    "father": ["父亲", "男方", "丈夫"],
    "mother": ["母亲", "女方", "妻子"],
    "child": ["子女", "独生子女", "孩子"],
}
MEMBER_WORDS = {
    "name": ["姓名", "名字"],
    "id": ["身份证号", "身份证号码", "公民身份号码", "公民身份证号", "身份证", "证件号码"],
    "birth": ["出生日期", "出生年月日", "出生年月"],
    "phone": ["联系电话", "电话", "手机", "手机号码"],
    "death": ["死亡日期", "死亡时间", "亡故日期", "去世日期", "死亡年月"],
}

SYNONYMS: dict[str, list[str]] = {
    "seq": ["序号", "编号", "序"],
    "township": ["乡镇(街道)", "乡镇", "乡(镇)", "镇(乡)", "乡镇街道", "街道", "所在乡镇", "乡镇名称"],
    "village": ["村(居)", "村居", "所在村", "村名", "村(社区)", "村/社区", "社区", "村(居)委会", "村居委会",
                "所在村(居)", "村(居)名称", "村委会", "村"],
    "village_code": ["村级区划代码", "村(居)代码", "村居代码", "村代码", "区划代码", "村(居)区划代码",
                     "统计用区划代码", "行政区划代码"],
    "head_name": ["户主姓名", "户主", "户主名"],
    "category": ["家庭类别", "类别", "家庭类型", "特殊家庭类别", "特殊家庭类型", "类型", "扶助类别"],
    "disability_grade": ["伤残等级", "残疾等级", "伤残级别", "残疾级别", "子女伤残等级", "等级"],
    "certificate_no": ["光荣证号", "独生子女父母光荣证号", "光荣证编号", "光荣证号码", "独生子女父母光荣证编号",
                       "独生子女证号", "光荣证"],
    "registered_on": ["纳入登记日期", "登记日期", "纳入日期", "纳入时间", "登记时间", "纳入登记时间", "建档日期"],
    "address": ["住址", "家庭住址", "现住址", "居住地址", "地址", "详细地址", "家庭地址"],
    "phone": ["联系电话", "电话", "手机", "手机号码", "联系方式", "电话号码", "家庭电话"],
    "health": ["身体状况", "健康状况", "身体健康状况"],
    "mental": ["精神状态", "心理状况", "精神状况", "心理状态"],
    "living": ["居住情况", "居住状况", "居住方式"],
    "income": ["收入水平", "收入情况", "经济状况", "家庭经济状况"],
    "housing": ["住房情况", "住房状况", "住房"],
    "pension": ["养老保险", "养老保险情况", "参加养老保险"],
    "medical": ["医疗保险", "医保", "医疗保险情况", "参加医疗保险"],
    "needs": ["利益诉求", "诉求", "主要诉求", "需求", "主要需求"],
    "needs_note": ["诉求说明", "诉求详情", "需求说明"],
    "risk_flags": ["风险标记", "风险", "风险情况"],
    "bank_name": ["开户银行", "开户行", "银行"],
    "account_holder": ["账户户名", "户名", "开户人", "账户名"],
    "bank_account": ["银行账号", "银行卡号", "账号", "卡号", "一卡通账号"],
}
for _role, _role_words in ROLE_WORDS.items():
    for _key, _words in MEMBER_WORDS.items():
        SYNONYMS[f"{_role}_{_key}"] = [r + w for r in _role_words for w in _words]
SYNONYMS["child_sex"] = ["子女性别", "独生子女性别", "孩子性别"]
SYNONYMS["child_death"] += ["死亡日期", "死亡时间"]

REQUIRED = ["head_name", "category", "registered_on"]
# Columns whose digits must survive as text (in the template and the error workbook).
TEXT_KEYS = ["village_code", "certificate_no", "phone", "bank_account",
             *[f"{role}_{key}" for role in ROLE_WORDS for key in ("id", "phone")]]

FIELD_LABELS = {"health": "身体状况", "mental": "精神状态", "living": "居住情况", "income": "收入水平",
                "housing": "住房情况", "pension": "养老保险", "medical": "医疗保险"}
_CHOICES = {"health": Health, "mental": Mental, "living": Living, "income": Income, "housing": Housing,
            "pension": Pension, "medical": Medical}
_EXTRA_WORDS = {
    "health": {"健康": Health.GOOD, "好": Health.GOOD, "正常": Health.GOOD, "慢性疾病": Health.CHRONIC,
               "患慢性病": Health.CHRONIC, "大病": Health.SERIOUS, "重大疾病": Health.SERIOUS, "重症": Health.SERIOUS,
               "失能": Health.BEDRIDDEN, "卧床": Health.BEDRIDDEN, "半失能": Health.BEDRIDDEN,
               "失能半失能": Health.BEDRIDDEN},
    "mental": {"良好": Mental.STABLE, "正常": Mental.STABLE, "低落": Mental.LOW, "抑郁": Mental.DEPRESSED,
               "危机": Mental.CRISIS},
    "living": {"一人居住": Living.ALONE, "夫妻同住": Living.WITH_SPOUSE, "配偶同住": Living.WITH_SPOUSE,
               "与配偶居住": Living.WITH_SPOUSE, "夫妻共同居住": Living.WITH_SPOUSE, "敬老院": Living.INSTITUTION,
               "养老院": Living.INSTITUTION, "福利院": Living.INSTITUTION, "与子女同住": Living.OTHER,
               "与亲属同住": Living.OTHER},
    "income": {"低保户": Income.DIBAO, "困难": Income.LOW, "中等": Income.MIDDLE, "良好": Income.GOOD},
    "housing": {"自有": Housing.OWN, "自建房": Housing.OWN, "租房": Housing.RENTED, "借住": Housing.LIVING_WITH_RELATIVES},
    "pension": {"城镇职工": Pension.EMPLOYEE, "职工养老保险": Pension.EMPLOYEE, "城乡居民": Pension.RESIDENT,
                "居民养老保险": Pension.RESIDENT, "新农保": Pension.RESIDENT, "无": Pension.NONE, "没有": Pension.NONE},
    "medical": {"城镇职工医保": Medical.EMPLOYEE, "居民医保": Medical.RESIDENT, "新农合": Medical.RESIDENT,
                "无": Medical.NONE, "没有": Medical.NONE},
}


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


CHOICE_FIELDS: dict[str, dict[str, str]] = {}
CHOICE_LABELS: dict[str, list[str]] = {}
for _key, _enum in _CHOICES.items():
    _map = {fold(label): value for value, label in _enum.choices} | {fold(value): value for value in _enum.values}
    _map |= {fold(word): str(value) for word, value in _EXTRA_WORDS.get(_key, {}).items()}
    CHOICE_FIELDS[_key] = _map
    CHOICE_LABELS[_key] = [label for _, label in _enum.choices]

_CATEGORY_WORDS = {
    "独生子女死亡": Category.CHILD_DECEASED, "死亡": Category.CHILD_DECEASED, "失独": Category.CHILD_DECEASED,
    "独生子女伤残": Category.CHILD_DISABLED, "伤残": Category.CHILD_DISABLED, "残疾": Category.CHILD_DISABLED,
    "独生子女残疾": Category.CHILD_DISABLED,
    "计划生育手术并发症": Category.COMPLICATION, "手术并发症": Category.COMPLICATION,
    "并发症": Category.COMPLICATION, "计生手术并发症": Category.COMPLICATION,
}


def category_of(text: str) -> str | None:
    """独生子女死亡 / 死亡 / 失独 → deceased; 伤残(二级) → disabled; 手术并发症 → complication."""
    word = fold(text)
    if not word:
        return None
    if word in Category.values:
        return word
    word = re.sub(r"(家庭|人员|户)$", "", word)
    if word in _CATEGORY_WORDS:
        return _CATEGORY_WORDS[word]
    if "并发症" in word:
        return Category.COMPLICATION
    if "死亡" in word or "失独" in word:
        return Category.CHILD_DECEASED
    if "伤残" in word or "残疾" in word:
        return Category.CHILD_DISABLED
    return None


_GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4,
                "i": 1, "ii": 2, "iii": 3, "iv": 4}


def grade_of(text: str) -> int | None:
    """一级 / 1级 / 1 / 三级伤残 / Ⅱ级 → 1–4; anything else None."""
    word = fold(text)
    if not word:
        return None
    roman = re.fullmatch(r"(iv|iii|ii|i)(级|等)?", word)
    if roman:
        return _GRADE_WORDS[roman.group(1)]
    match = re.search(r"(\d+(?:\.0+)?|[一二三四五六七八九十壹贰叁肆])", word)
    if match is None:
        return None
    token = match.group(1)
    if token[0].isdigit():
        number = int(float(token))
        return number if 1 <= number <= 4 else None
    return _GRADE_WORDS.get(token)


_NEED_WORDS = {fold(label): name for name, label in NEEDS} | {
    "生活照顾": "need_daily_care", "照料": "need_daily_care", "养老": "need_pension", "大病": "need_medical",
    "医疗": "need_medical", "看病": "need_medical", "精神": "need_comfort", "心理慰藉": "need_comfort",
    "经济": "need_economic", "经济帮扶": "need_economic",
}
_SPLIT = re.compile(r"[、,,;;/\s]+")


def needs_of(text: str) -> tuple[set[str], list[str]]:
    """Need flags from 生活照料、大病治疗 …; unknown words become 其他 (returned for the note)."""
    needs: set[str] = set()
    unknown: list[str] = []
    for word in filter(None, _SPLIT.split(text or "")):
        name = _NEED_WORDS.get(fold(word))
        if name is None:
            unknown.append(word)
            needs.add("need_other")
        else:
            needs.add(name)
    return needs, unknown


RISK_LABELS = [label for _, label in RiskFlag.choices]
_RISK_WORDS = {fold(label): value for value, label in RiskFlag.choices} | {v: v for v in RiskFlag.values}


def flags_of(text: str) -> tuple[list[str], list[str]]:
    flags: list[str] = []
    unknown: list[str] = []
    for word in filter(None, _SPLIT.split(text or "")):
        if fold(word) in ("无", "没有", "否"):
            continue
        code = _RISK_WORDS.get(fold(word))
        if code is None:
            unknown.append(word)
        elif code not in flags:
            flags.append(code)
    return flags, unknown


def sex_of(text: str) -> str | None:
    word = fold(text)
    return {"男": "M", "m": "M", "女": "F", "f": "F"}.get(word[:1] if word else "")


# ---------------------------------------------------------------- the blank template

TEMPLATE: list[tuple[str, str, bool, str]] = [
    # (header, field, required, how to fill it)
    ("序号", "seq", False, "任意;填“示例”的行导入时跳过"),
    ("乡镇(街道)", "township", False, "村名有重名时用来区分"),
    ("村(居)", "village", True, "本辖区内的村(居)名称;或改填“村级区划代码”"),
    ("村级区划代码", "village_code", False, "12 位统计用区划代码,填写后以代码为准"),
    ("户主姓名", "head_name", True, ""),
    ("家庭类别", "category", True, "独生子女死亡、独生子女伤残、计划生育手术并发症"),
    ("伤残等级", "disability_grade", False, "伤残家庭必填:一级、二级、三级、四级(或 1–4)"),
    ("光荣证号", "certificate_no", False, "独生子女父母光荣证号"),
    ("纳入登记日期", "registered_on", True, "如 2020-1-5、2020/01/05、2020年1月5日"),
    ("父亲姓名", "father_name", False, "父亲、母亲、子女至少填一人"),
    ("父亲身份证号", "father_id", False, "18 位,以文本格式填写"),
    ("母亲姓名", "mother_name", False, ""),
    ("母亲身份证号", "mother_id", False, "18 位,以文本格式填写"),
    ("子女姓名", "child_name", False, ""),
    ("子女身份证号", "child_id", False, "没有身份证号时填写性别和出生日期"),
    ("子女性别", "child_sex", False, "男、女"),
    ("子女出生日期", "child_birth", False, ""),
    ("子女死亡日期", "child_death", False, "独生子女死亡家庭必填"),
    ("联系电话", "phone", False, "记在户主(或父亲/母亲)名下"),
    ("住址", "address", False, ""),
    ("身体状况", "health", False, "、".join(CHOICE_LABELS["health"])),
    ("精神状态", "mental", False, "、".join(CHOICE_LABELS["mental"])),
    ("居住情况", "living", False, "、".join(CHOICE_LABELS["living"])),
    ("收入水平", "income", False, "、".join(CHOICE_LABELS["income"])),
    ("住房情况", "housing", False, "、".join(CHOICE_LABELS["housing"])),
    ("养老保险", "pension", False, "、".join(CHOICE_LABELS["pension"])),
    ("医疗保险", "medical", False, "、".join(CHOICE_LABELS["medical"])),
    ("利益诉求", "needs", False, "可多项,用顿号分隔:" + "、".join(label for _, label in NEEDS)),
    ("诉求说明", "needs_note", False, ""),
    ("风险标记", "risk_flags", False, "可多项:" + "、".join(RISK_LABELS)),
    ("开户银行", "bank_name", False, ""),
    ("账户户名", "account_holder", False, ""),
    ("银行账号", "bank_account", False, "以文本格式填写"),
]
TEMPLATE_TITLE = "计划生育特殊家庭花名册(表一)"


def _example_row() -> list[object]:
    # Obviously made up (示例 names, round dates) but checksum-valid, so the row
    # shows the format that passes.
    father = make_id_number("110101", dt.date(1960, 1, 1), 1, "M")
    mother = make_id_number("110101", dt.date(1962, 2, 2), 2, "F")
    child = make_id_number("110101", dt.date(1985, 3, 3), 3, "M")
    values = {
        "seq": "示例", "township": "示例镇", "village": "示例村", "village_code": "", "head_name": "张示例",
        "category": "独生子女死亡", "disability_grade": "", "certificate_no": "示例-000001",
        "registered_on": "2020-01-05", "father_name": "张示例", "father_id": father, "mother_name": "李示例",
        "mother_id": mother, "child_name": "张小例", "child_id": child, "child_sex": "男",
        "child_birth": "1985-03-03", "child_death": "2010年5月5日", "phone": "13800000000",
        "address": "示例村1组1号", "health": "慢性病", "mental": "情绪低落", "living": "与配偶同住",
        "income": "低收入", "housing": "自有住房", "pension": "城乡居民养老保险", "medical": "城乡居民医保",
        "needs": "精神慰藉、大病治疗", "needs_note": "", "risk_flags": "", "bank_name": "", "account_holder": "",
        "bank_account": "",
    }
    return [values[key] for _, key, _, _ in TEMPLATE]


def template_xlsx() -> bytes:
    """The blank roster: a title row, the header (required columns marked *), one 示例 row."""
    headers = [f"{header}*" if required else header for header, _, required, _ in TEMPLATE]
    keys = [key for _, key, _, _ in TEMPLATE]
    text_columns = [keys.index(key) for key in TEXT_KEYS if key in keys]
    caption = f"{TEMPLATE_TITLE}  带 * 的列必填;身份证号等列为文本格式;“示例”行导入时自动跳过,可删除"
    guide = [[header, "是" if required else "", note] for header, _, required, note in TEMPLATE]
    return write_xlsx([
        SheetSpec("花名册", headers, [_example_row()], caption=caption, text_columns=text_columns,
                  widths={keys.index("father_id"): 22, keys.index("mother_id"): 22, keys.index("child_id"): 22}),
        SheetSpec("填写说明", ["列名", "必填", "填写说明"], guide, widths={0: 16, 1: 8, 2: 70}),
    ])
