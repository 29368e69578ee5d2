""""À faire": what waits for a signed-in person, gathered from every capability.

Each app may have a `todo` module (core/registry.todo_providers finds them) with
- `SECTIONS`: the `Section`s its items go under, and
- `items(person, today) -> list[TodoItem]`: what waits for `person` there now, each item
  one tap from the page where one acts on it.
A provider asks the database a fixed number of times whatever the person holds (the home
page's query count is asserted), and shows at most `LIMIT` items of a kind: the page
where one acts lists the rest.

The kernel imports no app: the sections are declared by the apps themselves.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import clock, registry

# At most this many items of one kind on the home page.
LIMIT = 8

# How pressing an item is: the most pressing comes first and carries the page's primary
# action.
LATER, SOON, NOW = 0, 1, 2


@dataclass(frozen=True)
class Section:
    """A heading of the page. `order` places it when urgencies tie; `everyone`: a
    section anybody may have items in (those of stewards and coordinators only are not
    listed as empty to the others)."""

    key: str
    heading: object  # a lazy translation
    order: int
    everyone: bool = True


@dataclass
class TodoItem:
    section: Section
    title: str
    url: str
    action: str  # the link's words: what one does there ("Take a position", "Pay")
    detail: str = ""
    when: datetime | date | None = None  # the deadline or the moment, for the order
    urgency: int = LATER

    @property
    def sort_key(self) -> tuple:
        moment = self.when
        if isinstance(moment, datetime):
            moment = clock.local(moment).replace(tzinfo=None)
        elif isinstance(moment, date):
            moment = datetime.combine(moment, datetime.min.time())
        return (-self.urgency, moment is None, moment or datetime.max)


@dataclass(frozen=True)
class OfflinePage:
    """A page of the person's kept on their device for reading without a network (the
    service worker's copy, refreshed each time they open their "À faire" connected).
    `shown`: listed among the home page's shortcuts (an alias such as the menu's
    /economy/, which leads to one of them, is not)."""

    label: str
    url: str
    shown: bool = True


@dataclass
class SectionView:
    section: Section
    items: list[TodoItem] = field(default_factory=list)


@dataclass
class TodoPage:
    sections: list[SectionView]  # those with items, the most pressing first
    empty: list[Section]  # those anybody may have items in, with none now
    offline: list[OfflinePage] = field(default_factory=list)  # with_offline only

    @property
    def primary(self) -> TodoItem | None:
        return self.sections[0].items[0] if self.sections else None

    @property
    def count(self) -> int:
        return sum(len(view.items) for view in self.sections)


def _modules() -> list:
    """The apps' `todo` modules (this one, core's own, found among them, is left out)."""
    return [module for module in (sys.modules[function.__module__]
                                  for function in registry.todo_providers())
            if module is not sys.modules[__name__]]


def providers() -> list[tuple[list[Section], object]]:
    """(sections, items function) of each app that has a `todo` module."""
    return [(list(getattr(module, "SECTIONS", [])), module.items) for module in _modules()]


# What a provider's `items` and `offline_pages` both read (the coming meetings, say) is
# read once per gathering: `shared()` keeps it for the length of one `gather()` or
# `kept_offline()` call, never longer (the next request reads afresh).
_memo: ContextVar[dict | None] = ContextVar("autogestion_todo_memo", default=None)


@contextmanager
def _gathering():
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(key, compute):
    """`compute()`, once per gathering for `key` (outside one: every time)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def kept_offline(person, today: date | None = None) -> list[OfflinePage]:
    """The pages each app keeps readable offline for `person` (its `todo` module's
    `offline_pages(person, today)`, where it has one), without repeats."""
    today = today or clock.today()
    pages: dict[str, OfflinePage] = {}
    with _gathering():
        for module in _modules():
            for page in getattr(module, "offline_pages", lambda *_args: [])(person, today):
                pages.setdefault(page.url, page)
    return list(pages.values())


def gather(person, today: date | None = None, *, with_offline: bool = False) -> TodoPage:
    """Every provider's items for `person`, grouped by section; sections ordered by their
    most pressing item, then by their own order. `with_offline`: the pages kept offline
    too, read in the same gathering."""
    today = today or clock.today()
    declared: dict[str, Section] = {}
    views: dict[str, SectionView] = {}
    with _gathering():
        for sections, items in providers():
            declared.update({section.key: section for section in sections})
            for item in items(person, today):
                declared.setdefault(item.section.key, item.section)
                views.setdefault(item.section.key, SectionView(item.section)).items.append(item)
        offline = kept_offline(person, today) if with_offline else []
    for view in views.values():
        view.items.sort(key=lambda item: item.sort_key)
    shown = sorted(views.values(), key=lambda v: (-v.items[0].urgency, v.section.order))
    empty = sorted((s for key, s in declared.items() if key not in views and s.everyone),
                   key=lambda s: s.order)
    return TodoPage(sections=shown, empty=empty, offline=offline)


# Words shared by the providers ------------------------------------------------------------

def urgency_of(moment: datetime | None, now: datetime | None = None) -> int:
    """NOW within a day, SOON within three, LATER otherwise (or without a deadline)."""
    if moment is None:
        return LATER
    left = moment - (now or clock.now())
    if left <= timedelta(days=1):
        return NOW
    return SOON if left <= timedelta(days=3) else LATER


def day_text(day: date, today: date | None = None) -> str:
    """"today", "tomorrow", or the day in running text ("samedi 28 novembre": French
    days and months are lower case)."""
    today = today or clock.today()
    if day == today:
        return pgettext("in running text", "today")
    if day == today + timedelta(days=1):
        return pgettext("in running text", "tomorrow")
    if day.year != today.year:
        return dateformat.format(day, "l j F Y")
    return dateformat.format(day, "l j F")


def moment_text(moment: datetime, today: date | None = None) -> str:
    """A moment in the platform's zone: "today at 18:00", "samedi 28 novembre at 10:30"."""
    local = clock.local(moment)
    # Translators: a day ("today", "samedi 28 novembre") and a time ("18:00").
    return _("%(day)s at %(time)s") % {"day": day_text(local.date(), today),
                                       "time": dateformat.format(local, "H:i")}
