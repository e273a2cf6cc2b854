"""Obligation specs: parsing and checking the JSON stored in profile versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

KINDS = {
    "contact": "联系(任何方式)",
    "face_to_face": "面见",
    "home_visit": "上门走访",
    "festival": "节日慰问",
    "emergency": "重大事件及时上门",
    "entry_deadline": "信息录入时限",
    "confirmation_deadline": "资格确认结束后录入时限",
}
PERIODS = {"week": "每周", "month": "每月", "quarter": "每季度", "year": "每年(按季度累计考核)",
           "festival": "节日窗口", "event": "事件发生后"}
CHANNELS = {"phone", "online", "meeting", "home", "festival", "emergency"}


@dataclass(frozen=True)
class Obligation:
    key: str
    kind: str
    label: str
    count: int = 1
    period: str = ""
    channels: tuple[str, ...] = field(default_factory=tuple)
    window_before: int = 15
    window_after: int = 5
    days: int = 3
    working_days: int = 5

    @property
    def periodic(self) -> bool:
        return self.period in {"week", "month", "quarter", "year", "festival"}


def parse_obligations(raw: list[dict]) -> list[Obligation]:
    """Validate a version's obligation list; raises ValidationError in Chinese."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError("义务清单不能为空")
    out, keys, errors = [], set(), []
    for index, item in enumerate(raw, start=1):
        try:
            ob = Obligation(
                key=str(item["key"]), kind=str(item["kind"]), label=str(item.get("label") or KINDS.get(item["kind"], "")),
                count=int(item.get("count", 1)), period=str(item.get("period", "")),
                channels=tuple(item.get("channels") or ()), window_before=int(item.get("window_before", 15)),
                window_after=int(item.get("window_after", 5)), days=int(item.get("days", 3)),
                working_days=int(item.get("working_days", 5)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"第 {index} 项格式错误:{exc}")
            continue
        if ob.key in keys:
            errors.append(f"第 {index} 项:代码 {ob.key} 重复")
        keys.add(ob.key)
        if ob.kind not in KINDS:
            errors.append(f"第 {index} 项:未知的义务类型 {ob.kind}")
        if ob.kind in {"contact", "face_to_face", "home_visit"} and ob.period not in {"week", "month", "quarter", "year"}:
            errors.append(f"第 {index} 项:周期应为 week/month/quarter/year")
        if ob.kind == "festival" and ob.period != "festival":
            errors.append(f"第 {index} 项:节日慰问的周期应为 festival")
        if ob.kind == "emergency" and ob.period != "event":
            errors.append(f"第 {index} 项:重大事件的周期应为 event")
        if ob.kind in {"contact", "face_to_face", "home_visit", "festival", "emergency"}:
            if not ob.channels or set(ob.channels) - CHANNELS:
                errors.append(f"第 {index} 项:计入的走访方式无效")
            if ob.count < 1:
                errors.append(f"第 {index} 项:次数至少为 1")
        if ob.window_before < 0 or ob.window_after < 0 or ob.days < 0 or ob.working_days < 0:
            errors.append(f"第 {index} 项:天数不能为负")
        out.append(ob)
    if errors:
        raise ValidationError(errors)
    return out
