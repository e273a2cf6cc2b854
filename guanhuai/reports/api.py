"""JSON API of dashboards and annual statistics: the same services and access functions as the pages."""

from __future__ import annotations

from ninja import Router

from .dashboards_api import router as dashboards_router

router = Router(tags=["统计报表"])
router.add_router("/dashboards", dashboards_router)
