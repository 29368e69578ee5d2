"""Speech statistics (DOMAIN.md R14): who spoke, how often and how long, per meeting and
per body over a period, and how concentrated the speech is.

Everything is read in a fixed number of queries, whatever the number of turns: the
durations are summed in SQL (an unfinished turn counts up to now), the pure measures
(Gini coefficient, share of the most talkative fifth, categories) come from `rules`.

Process points (a technical point, a clarifying question, a direct response) are
counted apart: they are not turns and their time is not speaking time.

Self-described categories are only ever returned aggregated, and only those that at
least `CATEGORY_MINIMUM` people share; a smaller category is left out entirely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from autogestion.core import clock
from autogestion.core.formats import number_text, percent_text

from . import rules
from .models import HandKindChoice, Participant, Room, SelfDescription

CATEGORY_MINIMUM = 5
SPEAK = HandKindChoice.SPEAK.value
PROCESS_KINDS = (HandKindChoice.TECHNICAL.value, HandKindChoice.CLARIFYING.value,
                 HandKindChoice.DIRECT.value)


def format_duration(seconds: float) -> str:
    """A readable length of time: "45 s", "3 min 05 s", "1 h 02 min"."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


@dataclass
class PersonLine:
    """One person's speech: ordinary turns and speaking time, and apart from them the
    process points they asked (counted per kind) and the time these took."""

    key: str                       # "p:<person id>" or "n:<name>"
    name: str
    person_id: int | None = None
    turns: int = 0
    seconds: float = 0.0
    process: dict[str, int] = field(default_factory=dict)
    process_seconds: float = 0.0
    top_fifth: bool = False

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)

    @property
    def process_duration(self) -> str:
        return format_duration(self.process_seconds)

    @property
    def process_count(self) -> int:
        return sum(self.process.values())

    @property
    def process_rows(self) -> list[tuple[str, int]]:
        labels = dict(HandKindChoice.choices)
        return [(labels[kind], self.process[kind]) for kind in PROCESS_KINDS
                if self.process.get(kind)]


@dataclass
class CategoryLine:
    category: str
    people: int
    seconds: float

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)


@dataclass
class MeetingLine:
    """One meeting of a body in the period, for the view over time."""

    room: Room
    people: int
    turns: int
    seconds: float
    top_fifth_share: float
    gini: float

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)

    @property
    def top_fifth_percent(self) -> float:
        return round(self.top_fifth_share * 100, 1)

    @property
    def day(self) -> str:
        """The meeting's address (the local day its rule gives it)."""
        meeting = self.room.meeting
        return meeting.original_start.astimezone(ZoneInfo(meeting.series.timezone)) \
            .date().isoformat()


@dataclass
class Speech:
    """The statistics of one meeting or of a body's meetings over a period."""

    people: list[PersonLine]            # everyone on the list, most speaking time first
    categories: list[CategoryLine]      # only those shared by at least 5 people
    meetings: list[MeetingLine] = field(default_factory=list)
    now: datetime | None = None

    @property
    def speakers(self) -> list[PersonLine]:
        return [p for p in self.people if p.turns]

    @property
    def process_people(self) -> list[PersonLine]:
        return sorted((p for p in self.people if p.process_count),
                      key=lambda p: (-p.process_count, -p.process_seconds, p.name.casefold()))

    @property
    def turns(self) -> int:
        return sum(p.turns for p in self.people)

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.people)

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)

    @property
    def process_count(self) -> int:
        return sum(p.process_count for p in self.people)

    @property
    def top_fifth_share(self) -> float:
        return rules.top_fifth_share([p.seconds for p in self.people])

    @property
    def top_fifth_percent(self) -> float:
        return round(self.top_fifth_share * 100, 1)

    @property
    def top_fifth_count(self) -> int:
        return top_fifth_size(len(self.people)) if self.seconds > 0 else 0

    @property
    def gini(self) -> float:
        return rules.gini([p.seconds for p in self.people])


def top_fifth_size(people: int) -> int:
    """How many people make the most talkative fifth: the same count as
    `rules.top_fifth_share` uses (at least one)."""
    return max(1, round(people / 5)) if people else 0


# Queries --------------------------------------------------------------------------------

def _turn_length(now: datetime):
    """A turn's length; an unfinished one runs up to now (never below zero)."""
    end = Coalesce(F("turns__ended_at"), Value(now, output_field=DateTimeField()),
                   output_field=DateTimeField())
    return Greatest(
        ExpressionWrapper(end - F("turns__started_at"), output_field=DurationField()),
        Value(timedelta(0), output_field=DurationField()), output_field=DurationField())


def _participant_rows(participants, now: datetime) -> list[dict]:
    """One query: per participant (a person in one room), turns and time by kind."""
    length = _turn_length(now)
    speak = Q(turns__kind=SPEAK)
    annotations = {
        "turn_count": Count("turns", filter=speak),
        "speak_time": Sum(length, filter=speak),
        "process_time": Sum(length, filter=~speak & Q(turns__isnull=False)),
    }
    for kind in PROCESS_KINDS:
        annotations[f"kind_{kind}"] = Count("turns", filter=Q(turns__kind=kind))
    return list(participants.order_by().values("pk", "room_id", "key", "name", "person_id")
                .annotate(**annotations))


def _seconds(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # a backend that hands back microseconds


def _add(line: PersonLine, row: dict) -> None:
    line.turns += row["turn_count"]
    line.seconds += _seconds(row["speak_time"])
    line.process_seconds += _seconds(row["process_time"])
    for kind in PROCESS_KINDS:
        count = row[f"kind_{kind}"]
        if count:
            line.process[kind] = line.process.get(kind, 0) + count


def _people(rows: Iterable[dict], names: dict[int, str]) -> list[PersonLine]:
    """Merge the rows of a person over rooms (by key), name them as the minutes do, sort
    them (most speaking time first) and mark the most talkative fifth."""
    lines: dict[str, PersonLine] = {}
    for row in rows:
        line = lines.get(row["key"])
        if line is None:
            person_id = row["person_id"]
            name = names.get(person_id) if person_id is not None else None
            line = lines[row["key"]] = PersonLine(key=row["key"], name=name or row["name"],
                                                  person_id=person_id)
        _add(line, row)
    people = sorted(lines.values(), key=lambda p: (-p.seconds, -p.turns, p.name.casefold(),
                                                   p.key))
    if any(p.seconds > 0 for p in people):
        for line in people[:top_fifth_size(len(people))]:
            line.top_fifth = True
    return people


def _names(rows: list[dict]) -> dict[int, str]:
    """Members by the name others see (as in the minutes); one query."""
    ids = {row["person_id"] for row in rows if row["person_id"] is not None}
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).only(
        "pk", "display_name", "first_name", "last_name")
    return {user.pk: user.public_name for user in users}


def _categories(people: Sequence[PersonLine]) -> list[CategoryLine]:
    """Self-described categories, aggregated: people and speaking time per category,
    only for categories at least `CATEGORY_MINIMUM` people share. One query (none when
    fewer members than that are in the statistics)."""
    seconds = {p.person_id: p.seconds for p in people if p.person_id is not None}
    if len(seconds) < CATEGORY_MINIMUM:
        return []
    described = SelfDescription.objects.filter(person_id__in=seconds).values_list(
        "person_id", "category")
    spellings: dict[str, dict[str, int]] = {}
    rows = []
    for person_id, category in described:
        label = " ".join(category.split())
        folded = label.casefold()
        variants = spellings.setdefault(folded, {})
        variants[label] = variants.get(label, 0) + 1
        rows.append((folded, seconds[person_id]))
    result = []
    for folded, (count, total) in rules.aggregate_categories(rows, CATEGORY_MINIMUM).items():
        variants = spellings[folded]
        label = min(variants, key=lambda v: (-variants[v], v))
        result.append(CategoryLine(category=label, people=count, seconds=total))
    return sorted(result, key=lambda c: (-c.seconds, c.category.casefold()))


def room_speech(room: Room, now: datetime | None = None) -> Speech:
    """One meeting: three queries at most (turns, names, categories)."""
    now = now or clock.now()
    rows = _participant_rows(Participant.objects.filter(room=room), now)
    people = _people(rows, _names(rows))
    return Speech(people=people, categories=_categories(people), now=now)


def body_speech(body, since: datetime, now: datetime | None = None) -> Speech:
    """A body's meetings starting from `since` on (a room opened ahead of its meeting's
    start counts already): per person over all of them, and per meeting over time. Four
    queries at most (rooms, turns, names, categories)."""
    now = now or clock.now()
    rooms = list(Room.objects.filter(meeting__series__body=body, meeting__starts_at__gte=since)
                 .select_related("meeting__series").order_by("meeting__starts_at", "pk"))
    if not rooms:
        return Speech(people=[], categories=[], now=now)
    rows = _participant_rows(Participant.objects.filter(room__in=[r.pk for r in rooms]), now)
    names = _names(rows)
    people = _people(rows, names)
    by_room: dict[int, list[dict]] = {}
    for row in rows:
        by_room.setdefault(row["room_id"], []).append(row)
    meetings = []
    for room in rooms:
        in_room = _people(by_room.get(room.pk, []), names)
        values = [p.seconds for p in in_room]
        meetings.append(MeetingLine(
            room=room, people=len(in_room), turns=sum(p.turns for p in in_room),
            seconds=sum(values), top_fifth_share=rules.top_fifth_share(values),
            gini=rules.gini(values)))
    return Speech(people=people, categories=_categories(people), meetings=meetings, now=now)


# The chart ------------------------------------------------------------------------------

# Characters XML 1.0 does not allow, even escaped: a name with one would break the SVG.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

WIDTH = 720
LABEL_WIDTH = 210
BAR_START = LABEL_WIDTH + 10
BAR_MAX = 320
ROW = 26
BAR_HEIGHT = 18
TOP = 8
LEGEND = 34
TOP_COLOUR = "#b3441e"
OTHER_COLOUR = "#5b7f95"


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", str(value)))


def _short(name: str, length: int = 28) -> str:
    return name if len(name) <= length else name[:length - 1] + "…"


def chart_summary(speech: Speech) -> str:
    """The chart's text alternative: what a reader should take from it."""
    if not speech.people or speech.seconds <= 0:
        return _("No speaking time was recorded.")
    count = speech.top_fifth_count
    who = ngettext("%(people)d person on the speaking list spoke for %(time)s.",
                   "%(people)d people on the speaking list spoke for %(time)s.",
                   len(speech.people)) % {"people": len(speech.people),
                                          "time": speech.duration}
    top = ngettext("The most talkative fifth (%(count)d person) took %(share)s of the "
                   "speaking time; Gini coefficient %(gini)s.",
                   "The most talkative fifth (%(count)d people) took %(share)s of the "
                   "speaking time; Gini coefficient %(gini)s.",
                   count) % {"count": count, "share": percent_text(speech.top_fifth_percent, 1),
                             "gini": number_text(speech.gini, 2)}
    return f"{who} {top}"


def speech_chart(people: Sequence[PersonLine], *, title: str, summary: str,
                 id_prefix: str = "speech") -> str:
    """A horizontal bar chart (SVG, as a string) of speaking time per person, longest
    first, the most talkative fifth highlighted. Every piece of text is escaped: names
    are what people typed."""
    ordered = sorted(people, key=lambda p: (-p.seconds, -p.turns, p.name.casefold(), p.key))
    longest = max((p.seconds for p in ordered), default=0.0)
    rows = max(len(ordered), 1)
    height = TOP + rows * ROW + LEGEND
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="speech-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="13">',
        f'<title id="{title_id}">{_text(title)}</title>',
        f'<desc id="{desc_id}">{_text(summary)}</desc>',
    ]
    if not ordered:
        nothing = _text(_("No speaking turns recorded."))
        parts.append(f'<text x="10" y="{TOP + ROW // 2 + 4}">{nothing}</text>')
    for index, person in enumerate(ordered):
        y = TOP + index * ROW
        length = 0.0 if longest <= 0 else BAR_MAX * person.seconds / longest
        if person.seconds > 0:
            length = max(length, 1.0)
        colour = TOP_COLOUR if person.top_fifth else OTHER_COLOUR
        css = "bar top-fifth" if person.top_fifth else "bar"
        turns = ngettext("%(n)d turn", "%(n)d turns", person.turns) % {"n": person.turns}
        detail = f"{person.name}: {person.duration}, {turns}"
        if person.top_fifth:
            detail += " — " + _("most talkative fifth")
        middle = y + BAR_HEIGHT / 2 + 4.5
        parts.append(
            f'<g class="person"><title>{_text(detail)}</title>'
            f'<text x="{LABEL_WIDTH}" y="{middle:.1f}" text-anchor="end">'
            f'{_text(_short(person.name))}</text>'
            f'<rect class="{css}" x="{BAR_START}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{colour}"/>'
            f'<text x="{BAR_START + length + 6:.1f}" y="{middle:.1f}">'
            f'{_text(person.duration)} · {_text(turns)}</text></g>')
    legend_y = TOP + rows * ROW + 10
    # Translators: in the speech chart's legend, beside "most talkative fifth".
    others = pgettext("speech chart", "the other people")
    parts.append(
        f'<g class="legend" font-size="12">'
        f'<rect class="swatch" x="{BAR_START}" y="{legend_y}" width="14" height="14" '
        f'fill="{TOP_COLOUR}"/>'
        f'<text x="{BAR_START + 20}" y="{legend_y + 11}">{_text(_("most talkative fifth"))}'
        f'</text>'
        f'<rect class="swatch" x="{BAR_START + 200}" y="{legend_y}" width="14" height="14" '
        f'fill="{OTHER_COLOUR}"/>'
        f'<text x="{BAR_START + 220}" y="{legend_y + 11}">{_text(others)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def chart(speech: Speech, title: str, id_prefix: str = "speech") -> str:
    return speech_chart(speech.people, title=title, summary=chart_summary(speech),
                        id_prefix=id_prefix)


__all__ = ["CATEGORY_MINIMUM", "CategoryLine", "MeetingLine", "PersonLine", "Speech",
           "body_speech", "chart", "chart_summary", "format_duration", "room_speech",
           "speech_chart", "top_fifth_size"]
