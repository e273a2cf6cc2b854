"""JSON API of dashboards and annual statistics: the same services and access functions as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["统计报表"])
