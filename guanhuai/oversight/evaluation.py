"""The annual evaluation report (年度考评报告) of a region as xlsx and PDF.

Sections: the region ranking with its breakdown, the contact-person awards ranking, trainings, and the
year's sample-survey results — the same selectors as the pages, so the report says what the pages say.
"""

from __future__ import annotations

from django.utils import timezone

from guanhuai.community.selectors import training_list, untrained_contacts
from guanhuai.lib.excel import write_xlsx
from guanhuai.lib.pdf_tables import tables_pdf
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.models import Region

from .assessment import INDICATORS, scores_for
from .awards import HEADERS as AWARD_HEADERS
from .awards import contact_ranking, ranking_rows
from .selectors_survey import survey_list, survey_results, user_part

PDF_CONTACT_ROWS = 100


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def report_sections(user, region: Region, year: int) -> list[tuple[str, list[str], list[list], str]]:
    scores, weights, source = scores_for(user, region, year)
    score_header = ["名次", "区划", "在册户数", *INDICATORS.values(), "虚报", "瞒报", "迟报扣分", "基础分", "扣分",
                    "得分"]
    score_rows = [[s.rank, s.region.name, s.families, *(_pct(s.indicators.get(k)) for k in INDICATORS),
                   s.counts.get("false_report", 0), s.counts.get("hidden_report", 0),
                   s.penalties.get("late_report", 0), s.base, s.penalty, s.score] for s in scores]
    weight_note = ("权重:" + ("系统默认" if not weights or not weights.version else
                             f"{weights.year} 年第 {weights.version} 版") + "。" if weights else "")
    basis = "按生成当日数据实时计算" if source == "live" else "年度存档结果"
    contacts = ranking_rows(contact_ranking(user, region, year))
    trainings = list(training_list(user, year=year).order_by("held_on", "id"))
    training_rows = [[t.held_on.isoformat(), t.title, t.get_kind_display(), t.region.name, t.n_attended]
                     for t in trainings]
    untrained = untrained_contacts(user, year, region_prefix=region.prefix)
    survey_rows = []
    for survey in survey_list(user, year=year):
        part = max(user_part(user, survey), region.prefix, key=len)
        for r in survey_results(survey, part, COUNTY):
            survey_rows.append([survey.title, r.name, r.sampled, r.recorded, r.reached, _pct(r.reach_rate)])
    return [
        ("一、区域考核排名", score_header, score_rows,
         f"{basis}。{weight_note}得分 = 100 × Σ(权重 × 指标) ÷ Σ权重 − 扣分;虚报为抽查中被家庭否认的走访次数,"
         "瞒报为超过上门期限才录入的重大事件件数,迟报按走访迟报率每个百分点扣分。"),
        ("二、联系人评选表彰参考排名", AWARD_HEADERS, contacts,
         "先可推荐(无疑似虚报、本年度参加过培训),再按所联系家庭的按期率、上门走访和走访次数排序。"),
        ("三、联系人培训", ["日期", "培训主题", "形式", "组织单位", "本辖区参训人数"], training_rows,
         f"本辖区在岗联系人中 {untrained.count()} 人本年度尚未参加培训(每年至少 1 次)。"),
        ("四、抽样调查结果(分县)", ["调查", "县(市、区)", "抽中户数", "已录入", "联系上", "联系率"], survey_rows, ""),
    ]


def evaluation_xlsx(user, region: Region, year: int) -> bytes:
    sections = report_sections(user, region, year)
    names = ["区域考核", "联系人评选", "培训", "抽样调查"]
    sheets = [(name, header, rows) for name, (_, header, rows, _) in zip(names, sections, strict=True)]
    untrained = [[c.region.name, c.name, c.get_kind_display(), c.post]
                 for c in untrained_contacts(user, year, region_prefix=region.prefix).iterator(chunk_size=1000)]
    sheets.append(("未参训联系人", ["所在区划", "姓名", "类别", "职务"], untrained))
    return write_xlsx(sheets)


def evaluation_pdf(user, region: Region, year: int) -> bytes:
    sections = report_sections(user, region, year)
    heading, header, rows, note = sections[1]
    if len(rows) > PDF_CONTACT_ROWS:
        note = f"前 {PDF_CONTACT_ROWS} 名(共 {len(rows)} 人,完整名单见 Excel)。" + note
        sections[1] = (heading, header, rows[:PDF_CONTACT_ROWS], note)
    subtitle = f"{region.name} · 生成于 {timezone.localtime():%Y-%m-%d %H:%M} · 生成人 {user.full_name or user.username}"
    return tables_pdf(f"{region.name}{year}年度计划生育特殊家庭扶助关怀工作考评报告", subtitle, sections)
