"""JSON API of dashboards and annual statistics: the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.codes import PROVINCE

from . import services, transfer
from .dashboards_api import router as dashboards_router
from .models import ReturnVersion, StatReturn
from .selectors import (
    compiled_from_lower,
    deadline_for,
    export_get_for_user,
    is_reviewer_of,
    is_submitter_for,
    lower_returns,
    lower_totals_check,
    parse_year,
    return_of,
    return_region_get_for_user,
    version_get_for_user,
    versions_of,
)
from .statistics import statistics_compute

router = Router(tags=["统计报表"])
router.add_router("/dashboards", dashboards_router)


class VersionOut(Schema):
    id: int
    region_code: str
    year: int
    number: int
    digest: str
    as_of: dt.date
    source: str
    submitted_by: str | None
    submitted_at: dt.datetime
    deadline: dt.date
    is_late: bool
    note: str
    decision: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str


class VersionDetailOut(VersionOut):
    snapshot: dict[str, Any]


class LowerOut(Schema):
    region_code: str
    region_name: str
    state: str
    version: int | None
    submitted_at: dt.datetime | None
    is_late: bool


class CheckOut(Schema):
    consistent: bool
    missing: list[str]
    differences: list[str]


class ReturnOut(Schema):
    region_code: str
    region_name: str
    year: int
    state: str
    deadline: dt.date
    versions: list[VersionOut]
    lower: list[LowerOut]
    check: CheckOut | None
    tables: dict[str, Any]


class SubmitIn(Schema):
    year: int | None = None
    note: str = ""


class SendBackIn(Schema):
    reason: str = ""


class ExportIn(Schema):
    format: str = "xlsx"


class ExportOut(Schema):
    id: int
    version_id: int
    format: str
    filename: str
    sha256: str
    password: str
    file_url: str
    manifest_url: str


class ImportOut(Schema):
    region_code: str
    year: int
    version: int
    created_version: bool
    sha256: str


class DeadlineIn(Schema):
    year: int
    deadline: dt.date
    note: str = ""


class DeadlineOut(Schema):
    year: int
    deadline: dt.date


def _version_out(v: ReturnVersion) -> dict:
    return {"id": v.pk, "region_code": v.stat_return.region_id, "year": v.stat_return.year, "number": v.number,
            "digest": v.digest, "as_of": v.as_of, "source": v.source,
            "submitted_by": v.submitted_by.username if v.submitted_by else None, "submitted_at": v.submitted_at,
            "deadline": v.deadline, "is_late": v.is_late, "note": v.note, "decision": v.decision,
            "decided_by": v.decided_by.username if v.decided_by else None, "decided_at": v.decided_at,
            "reason": v.reason}


def _check_out(snapshot: dict, year: int) -> CheckOut:
    missing, differences = lower_totals_check(snapshot, year)
    return CheckOut(consistent=not missing and not differences, missing=missing,
                    differences=[d.message for d in differences[:200]])


@router.get("/statistics", response=dict[str, Any], summary="某区划某年度的标准统计表(实时计算,按下级区划分行)")
def get_statistics(request, region_code: str | None = None, year: int | None = None):
    user = request.auth
    region = return_region_get_for_user(user, region_code or user.region_id)
    year = parse_year(year)
    audit_sensitive_read(user, action="statistics.viewed", object_type="region", object_id=region.code,
                         object_repr=f"{region.name} {year} 年度统计表", region_code=region.code)
    return statistics_compute(region, year)


@router.get("/returns/{code}", response=ReturnOut, summary="某区划某年度统计表:状态、版本与审核记录、下级报送情况、合计核对(省级默认为已通过市级报表的汇总,live=true 按实时数据计算)")
def get_return(request, code: str, year: int | None = None, live: bool = False):
    user = request.auth
    region = return_region_get_for_user(user, code)
    year = parse_year(year)
    ret = return_of(region, year)
    versions = versions_of(ret)
    if versions:
        snapshot = versions[0].snapshot
    elif region.level == PROVINCE and not live:  # the accepted city returns, compiled (see the page)
        snapshot = compiled_from_lower(region, year)
    else:
        snapshot = statistics_compute(region, year)
    audit_sensitive_read(user, action="return.viewed", obj=ret or region, region_code=region.code,
                         changes={"year": year})
    for v in versions:
        v.stat_return = ret
    lower = [LowerOut(region_code=x.region.code, region_name=x.region.name, state=x.state,
                      version=x.latest.number if x.latest else None,
                      submitted_at=x.latest.submitted_at if x.latest else None,
                      is_late=bool(x.latest and x.latest.is_late)) for x in lower_returns(region, year)]
    return ReturnOut(region_code=region.code, region_name=region.name, year=year,
                     state=ret.state if ret else StatReturn.State.DRAFT, deadline=deadline_for(year),
                     versions=[VersionOut(**_version_out(v)) for v in versions], lower=lower,
                     check=_check_out(snapshot, year) if region.level < 4 else None, tables=snapshot)


@router.post("/returns/{code}/submit", response={201: VersionOut}, summary="冻结本级统计表并报送上一级(生成新版本)")
def submit_return(request, code: str, payload: SubmitIn):
    user = request.auth
    region = return_region_get_for_user(user, code)
    if not is_submitter_for(user, region):
        raise Http404
    version = services.return_submit(acting_user=user, region=region, year=parse_year(payload.year),
                                     note=payload.note)
    return Status(201, VersionOut(**_version_out(version)))


@router.get("/versions/{int:version_id}", response=VersionDetailOut, summary="统计表某一版本及其冻结的快照")
def get_version(request, version_id: int):
    user = request.auth
    version = version_get_for_user(user, version_id)
    audit_sensitive_read(user, action="return.version_viewed", obj=version.stat_return,
                         changes={"version": version.number})
    return VersionDetailOut(**_version_out(version), snapshot=version.snapshot)


@router.post("/versions/{int:version_id}/accept", response=VersionOut, summary="上一级审核通过")
def accept_version(request, version_id: int):
    version = version_get_for_user(request.auth, version_id, review=True)
    return VersionOut(**_version_out(services.return_accept(acting_user=request.auth, version=version)))


@router.post("/versions/{int:version_id}/send-back", response=VersionOut, summary="上一级退回(须填写原因)")
def send_back_version(request, version_id: int, payload: SendBackIn):
    version = version_get_for_user(request.auth, version_id, review=True)
    return VersionOut(**_version_out(services.return_send_back(acting_user=request.auth, version=version,
                                                               reason=payload.reason)))


@router.post("/versions/{int:version_id}/export", response={201: ExportOut},
             summary="导出加密统计表(xlsx 或 sm4);密码只在本次响应中返回,系统不保存")
def export_version(request, version_id: int, payload: ExportIn):
    user = request.auth
    version = version_get_for_user(user, version_id)
    region = version.stat_return.region
    if not (is_submitter_for(user, region) or is_reviewer_of(user, region)):
        raise Http404
    export, password = transfer.return_export(acting_user=user, version=version, fmt=payload.format)
    return Status(201, ExportOut(id=export.pk, version_id=version.pk, format=export.format, filename=export.filename,
                                 sha256=export.sha256, password=password,
                                 file_url=f"/api/reports/exports/{export.pk}/file",
                                 manifest_url=f"/api/reports/exports/{export.pk}/manifest"))


@router.get("/exports/{int:export_id}/file", summary="下载加密文件(仅导出人)")
def export_file(request, export_id: int):
    export = export_get_for_user(request.auth, export_id)
    response = HttpResponse(bytes(export.data), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@router.get("/exports/{int:export_id}/manifest", summary="下载 SHA-256 校验清单(sha256sum 格式)")
def export_manifest(request, export_id: int):
    export = export_get_for_user(request.auth, export_id)
    response = HttpResponse(transfer.manifest_text(export), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}.sha256"'
    return response


@router.post("/imports", response={201: ImportOut},
             summary="导入下级加密统计表(multipart:file、password,可选 manifest);任何校验失败都不写入")
def import_return(request, file: File[UploadedFile], password: Form[str] = ""):
    user = request.auth
    manifest = request.FILES.get("manifest")  # optional upload
    if not user.region_id:
        raise Http404
    record = transfer.return_import(acting_user=user, data=file.read(), filename=file.name or "", password=password,
                                    manifest=manifest.read() if manifest else None)
    return Status(201, ImportOut(region_code=record.region_id, year=record.stat_return.year,
                                 version=record.version.number, created_version=record.created_version,
                                 sha256=record.sha256))


@router.get("/deadlines", response=DeadlineOut, summary="某统计年度的上报截止日期(默认次年 5 月 15 日)")
def get_deadline(request, year: int):
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ["统计年度无效"]})
    return DeadlineOut(year=year, deadline=deadline_for(year))


@router.post("/deadlines", response=DeadlineOut, summary="设置某统计年度的上报截止日期(省级审核人员、系统管理员)")
def set_deadline(request, payload: DeadlineIn):
    row = services.schedule_set(acting_user=request.auth, year=payload.year, deadline=payload.deadline,
                                note=payload.note)
    return DeadlineOut(year=row.year, deadline=row.deadline)
