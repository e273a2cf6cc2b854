"""Contact cards (联系卡): what each family's card says, drawn by ``lib.pdf``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from guanhuai.families.models import Family
from guanhuai.lib.pdf import Card, CardContact, card_pdf, cards_sheet_pdf
from guanhuai.regions.codes import COUNTY, ancestor_code
from guanhuai.regions.models import Region

from .models import Assignment, Slot


def cards_for(families: Iterable[Family], *, issued_on: dt.date) -> list[Card]:
    """One card per family, in the order given: three queries however many families."""
    families = list(families)
    ids = [f.pk for f in families]
    contacts: dict[tuple[int, str], CardContact] = {}
    active = (Assignment.objects.filter(family_id__in=ids, end_date__isnull=True, slot__in=[Slot.FIRST, Slot.SECOND])
              .select_related("contact"))
    for a in active:
        contacts[(a.family_id, a.slot)] = CardContact(a.contact.name, a.contact.post, a.contact.phone)
    county_codes = {ancestor_code(f.region_id, COUNTY) for f in families}
    counties = {r.code: r for r in Region.objects.filter(code__in=county_codes)}
    cards = []
    for f in families:
        county = counties.get(ancestor_code(f.region_id, COUNTY))
        township = f.region.parent.name if f.region.parent_id else ""
        cards.append(Card(
            family=f"{f.head_name}家", village=f"{township} {f.region.name}".strip(),
            first=contacts.get((f.pk, Slot.FIRST)), second=contacts.get((f.pk, Slot.SECOND)),
            county=county.name if county else "", hotline=county.hotline if county else "", issued_on=issued_on,
        ))
    return cards


def family_card_pdf(family: Family, *, issued_on: dt.date) -> bytes:
    return card_pdf(cards_for([family], issued_on=issued_on)[0])


def families_cards_pdf(families: Iterable[Family], *, issued_on: dt.date, title: str = "联系卡") -> tuple[bytes, int]:
    """Cards eight to an A4 sheet; returns the PDF and how many cards it holds."""
    cards = cards_for(families, issued_on=issued_on)
    return cards_sheet_pdf(cards, title=title), len(cards)


def missing_hotlines(families: Iterable[Family]) -> list[Region]:
    """Counties of these families whose service hotline is not set (their cards print without one)."""
    codes = {ancestor_code(f.region_id, COUNTY) for f in families}
    return list(Region.objects.filter(code__in=codes, hotline="").order_by("code"))
