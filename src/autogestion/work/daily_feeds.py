"""Temporary alias: the daily plan's feed moved to work/daily/feeds.py. Kept only until
assemblies/feeds.py imports `autogestion.work.daily.feeds`; then delete this file."""

from .daily.feeds import member_work_events, with_work_flags  # noqa: F401
