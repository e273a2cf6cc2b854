"""Bad rows are reported with their row number and a Chinese reason; good rows still go in."""

import datetime as dt

from conftest import login, member_data
from guanhuai.families.models import Family, ImportJob

from .import_files import HEADER, confirm, errors_of, family_row, ref, roster, upload, xlsx


def _bad_checksum(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def test_a_bad_checksum_is_an_error_on_its_row_and_the_other_rows_are_valid(county_officer,
                                                                          django_capture_on_commit_callbacks):
    father = member_data("father", name="孙强")
    father["id_number"] = _bad_checksum(father["id_number"])
    data = roster([family_row(1), family_row(2, head="孙强", father=father)])
    upload(login(county_officer), django_capture_on_commit_callbacks, data)
    job = ImportJob.objects.get()
    assert (job.valid_rows, job.error_rows) == (1, 1)
    assert errors_of(job, 4) == "父亲:身份证号校验位错误"
    assert not Family.objects.exists()


def test_an_id_mangled_into_scientific_notation_is_rejected_with_that_reason(county_officer,
                                                                           django_capture_on_commit_callbacks):
    # As a number cell (Excel kept 15 digits) and as the text Excel shows.
    rows = [family_row(1, head="甲"), family_row(2, head="乙")]
    rows[0][8] = 5.10104196205170e17
    rows[1][10] = "5.10104E+17"
    upload(login(county_officer), django_capture_on_commit_callbacks, roster(rows))
    job = ImportJob.objects.get()
    assert job.error_rows == 2
    assert "父亲:身份证号被 Excel 转成了科学计数法" in errors_of(job, 3)
    assert "母亲:身份证号被 Excel 转成了科学计数法" in errors_of(job, 4)


def test_a_number_cell_that_lost_its_last_digits_says_why(county_officer, django_capture_on_commit_callbacks):
    from guanhuai.lib.idnumber import check_digit

    father = member_data("father")
    while check_digit(father["id_number"][:15] + "00") == "0":  # keep the truncated number invalid
        father = member_data("father")
    truncated = father["id_number"][:15] + "000"
    data = xlsx([HEADER, family_row(1, father={"name": "张建国", "id_number": "N"})], exact={ref(2, 9): truncated})
    upload(login(county_officer), django_capture_on_commit_callbacks, data)
    reason = errors_of(ImportJob.objects.get(), 2)
    assert reason.startswith("父亲:身份证号校验位错误") and "数字格式" in reason and "文本" in reason


def test_unreadable_dates_unknown_villages_and_bad_categories_are_named(county_officer,
                                                                      django_capture_on_commit_callbacks):
    rows = [
        family_row(1, registered="2020年13月1日"),
        family_row(2, village="不存在村"),
        family_row(3, category="离异"),
        family_row(4, category="伤残", grade="五级"),
        family_row(5, registered="去年"),
        family_row(6, head=""),
        family_row(7, village="柳树村"),  # exists, but in another county
    ]
    upload(login(county_officer), django_capture_on_commit_callbacks, roster(rows))
    job = ImportJob.objects.get()
    assert job.error_rows == 7 and job.valid_rows == 0
    assert "日期不存在" in errors_of(job, 3)
    assert "找不到村(居)“不存在村”" in errors_of(job, 4)
    assert "家庭类别“离异”无法识别" in errors_of(job, 5)
    assert "伤残等级“五级”无法识别" in errors_of(job, 6)
    assert "无法识别的日期格式" in errors_of(job, 7)
    assert "户主姓名不能为空" in errors_of(job, 8)
    assert "找不到村(居)“柳树村”" in errors_of(job, 9)


def test_a_village_name_found_in_two_townships_names_both_and_the_township_column_settles_it(
        county_officer, regions, django_capture_on_commit_callbacks):
    from guanhuai.regions.models import Region

    Region.objects.create(code="510104002002", name="桃园村", level=5, parent=regions["510104002000"])
    header = ["乡镇(街道)", *HEADER]
    rows = [[""] + family_row(1), ["西山乡"] + family_row(2)]
    upload(login(county_officer), django_capture_on_commit_callbacks, roster(rows, header=header))
    job = ImportJob.objects.get()
    assert errors_of(job, 3) == "村(居)“桃园村”在东城县有重名,分别属于:东城镇、西山乡;请填写“乡镇(街道)”列或村级区划代码"
    assert job.valid_rows == 1
    confirm(login(county_officer), django_capture_on_commit_callbacks, job)
    assert Family.objects.get().region_id == "510104002002"


def test_a_village_code_column_is_used_and_must_lie_inside_the_chosen_region(township_officer,
                                                                           django_capture_on_commit_callbacks):
    header = ["村级区划代码", *HEADER[:1], *HEADER[2:]]
    good = family_row(1)
    other = family_row(2)
    rows = [["510104001002", *good[:1], *good[2:]], ["510104002001", *other[:1], *other[2:]]]
    upload(login(township_officer), django_capture_on_commit_callbacks, roster(rows, header=header),
           region="510104001000")
    job = ImportJob.objects.get()
    assert job.valid_rows == 1
    assert errors_of(job, 4) == "区划代码 510104002001 不在导入范围(东城镇)内"


def test_an_unknown_area_code_is_a_warning_and_the_row_is_still_valid(county_officer,
                                                                     django_capture_on_commit_callbacks):
    from guanhuai.lib.idnumber import make_id_number

    father = {"name": "张建国", "id_number": make_id_number("990101", dt.date(1962, 5, 17), 11, "M")}
    upload(login(county_officer), django_capture_on_commit_callbacks, roster([family_row(1, father=father)]))
    job = ImportJob.objects.get()
    assert job.valid_rows == 1 and job.warning_rows == 1
    assert "地区码 990101" in job.report[0]["warnings"][0]


def test_a_father_whose_id_says_female_is_refused(county_officer, django_capture_on_commit_callbacks):
    father = member_data("mother", sex="F", name="张建国")
    upload(login(county_officer), django_capture_on_commit_callbacks, roster([family_row(1, father=father)]))
    job = ImportJob.objects.get()
    assert "父亲:身份证号中的性别码与填写的性别不一致" in errors_of(job, 3)


def test_a_deceased_childs_family_needs_the_date_of_death(county_officer, django_capture_on_commit_callbacks):
    child = member_data("child", birth=dt.date(1990, 1, 1), name="张小明")
    row = family_row(1, child_id=child["id_number"], child_death="")
    upload(login(county_officer), django_capture_on_commit_callbacks, roster([row]))
    assert "独生子女死亡家庭须填写子女死亡日期" in errors_of(ImportJob.objects.get(), 3)
