"""The demo's calendar: the CIT's monthly Agora ("chaque dernier samedi du mois") with its
preparation meeting, last month's minutes, the next Agora's fixed agenda and the program
of 31 October 2015 from the source document (one workshop full, with a waiting list), the
following Agora's open agenda, a group's weekly meeting and the farm's daily evening
planning meeting."""

from datetime import date, time, timedelta

from autogestion.core import clock

from . import queries, rules, services
from .models import SeriesKind, SessionKind

PROGRAM = [
    # (start, end, title, kind, place, capacity)
    (time(10, 30), time(12, 0), "Accueil et discussion informelle", SessionKind.PLENARY,
     "Grande salle", None),
    (time(12, 0), time(12, 45), "Tribune des groupes autonomes", SessionKind.PLENARY,
     "Grande salle", None),
    (time(12, 45), time(13, 0), "Présentation des ateliers", SessionKind.PLENARY,
     "Grande salle", None),
    (time(13, 0), time(14, 0), "Repas partagé (auberge espagnole)", SessionKind.MEAL,
     "Jardin", None),
    (time(14, 0), time(17, 30), "Atelier : monnaie sociale et Oseille", SessionKind.WORKSHOP,
     "Salle 1", 12),
    (time(14, 0), time(17, 30), "Atelier : recherche d'un local commun", SessionKind.WORKSHOP,
     "Salle 2", 12),
    (time(14, 0), time(17, 30), "Atelier : communication et accueil", SessionKind.WORKSHOP,
     "Salle 3", 10),
    (time(18, 0), time(18, 45), "Assemblée de décision sur les communs", SessionKind.PLENARY,
     "Grande salle", None),
    (time(18, 45), time(19, 0), "Point météo", SessionKind.PLENARY, "Grande salle", None),
]

ITEMS = [
    ("Bilan de la foire Cuisa", "information", 15),
    ("Achat groupé de matériel pour le local", "decision", 30),
    ("Charte d'accueil des nouvelles et nouveaux", "discussion", 25),
]


def _at(occurrence, clock_time):
    return rules.at_time(occurrence.starts_at.astimezone(occurrence.tz), clock_time)


def load(bodies: dict, people: list) -> None:
    cit, coordinator = bodies["cit"], people[0]
    now = clock.now()
    agora = services.create_series(
        actor=coordinator, body=cit, kind=SeriesKind.AGORA, title="Agora",
        rrule=rules.DEFAULT_AGORA_RULE, first_day=date(2015, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), place=cit.place, preparation_time=time(18, 30))
    for title, minutes in (("Nouvelles des groupes autonomes", 20), ("Point trésorerie", 10)):
        services.add_permanent_item(actor=coordinator, series=agora, title=title,
                                    duration_minutes=minutes)

    last, coming, following = _three_agoras(agora, now)
    _past_agora(last, coordinator, people)
    _coming_agora(coming, coordinator, people)
    _workshop_sign_ups(coming, people)
    # The following Agora's agenda is still open: members add items until its deadline.
    services.add_agenda_item(actor=people[4], occurrence=following,
                             title="Calendrier des chantiers participatifs", kind="discussion",
                             duration_minutes=20)

    accueil = bodies["accueil"]
    services.create_series(actor=people[0], body=accueil, title="Réunion de l'accueil",
                           rrule="FREQ=WEEKLY;BYDAY=TU", first_day=date(2024, 1, 2),
                           start_time=time(18, 0), end_time=time(19, 30),
                           place=accueil.place)
    farm, farm_coordinator = bodies["champs-communs"], people[1]
    services.create_series(actor=farm_coordinator, body=farm, title="Réunion hebdomadaire",
                           rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2024, 1, 1),
                           start_time=time(9, 0), end_time=time(11, 0), place=farm.place,
                           preparation_offset_days=2)
    services.create_series(actor=farm_coordinator, body=farm, kind=SeriesKind.DAILY_PLANNING,
                           title="Point du soir : planning du lendemain", rrule="FREQ=DAILY",
                           first_day=date(2024, 1, 1), start_time=time(18, 0),
                           end_time=time(18, 30), place=farm.place)


def _three_agoras(series, now):
    previous = queries.occurrences_of(series, now - timedelta(days=40), now)[-1]
    upcoming = queries.next_occurrences(series, 2, after=now)
    return previous, upcoming[0], upcoming[1]


def _with_items(occurrence, coordinator, people, offset: int) -> list:
    """Members add the items a week before the deadline; the coordinator accepts them."""
    clock.freeze((occurrence.deadline or occurrence.starts_at) - timedelta(days=7))
    try:
        items = [services.add_agenda_item(actor=people[(offset + i) % len(people)],
                                          occurrence=occurrence, title=title, kind=kind,
                                          duration_minutes=minutes)
                 for i, (title, kind, minutes) in enumerate(ITEMS)]
        late = services.add_agenda_item(actor=people[offset + 5], occurrence=occurrence,
                                        title="Sortie vélo du dimanche", kind="information",
                                        duration_minutes=5)
        for item in items:
            services.accept_agenda_item(actor=coordinator, item_id=item.pk)
        services.discard_agenda_item(actor=coordinator, item_id=late.pk,
                                     reason="À voir dans le groupe Accueil (subsidiarité).")
        clock.freeze(occurrence.deadline or occurrence.starts_at)
        services.fix_agenda(actor=coordinator, occurrence=occurrence)
        for start, end, title, kind, place, capacity in PROGRAM:
            services.add_session(actor=coordinator, occurrence=occurrence, title=title,
                                 kind=kind, starts_at=_at(occurrence, start),
                                 ends_at=_at(occurrence, end), place=place, capacity=capacity)
    finally:
        clock.freeze(None)
    return items


def _past_agora(occurrence, coordinator, people) -> None:
    items = _with_items(occurrence, coordinator, people, offset=2)
    clock.freeze(occurrence.ends_at)
    try:
        services.record_attendance(actor=coordinator, occurrence=occurrence,
                                   people=people[:14])
        services.write_minutes(actor=coordinator, occurrence=occurrence,
                               notes="Quatorze personnes présentes, trois ateliers tenus.",
                               presented_by="Camille D.")
        services.write_minutes(actor=coordinator, occurrence=occurrence, item_id=items[1].pk,
                               notes="Devis comparés ; le groupe Recherche d'un local suit.",
                               presented_by="Hugo B.",
                               decisions="Accord de principe pour l'achat groupé, budget à "
                                         "présenter à la prochaine Agora.")
        services.publish_minutes(actor=coordinator, occurrence=occurrence)
    finally:
        clock.freeze(None)


def _coming_agora(occurrence, coordinator, people) -> None:
    if occurrence.deadline and clock.now() < occurrence.deadline:
        # Before its preparation meeting: the agenda is still open, items wait.
        services.add_agenda_item(actor=people[3], occurrence=occurrence,
                                 title="Bilan de la foire Cuisa", kind="information",
                                 duration_minutes=15)
        for start, end, title, kind, place, capacity in PROGRAM:
            services.add_session(actor=coordinator, occurrence=occurrence, title=title,
                                 kind=kind, starts_at=_at(occurrence, start),
                                 ends_at=_at(occurrence, end), place=place, capacity=capacity)
        return
    _with_items(occurrence, coordinator, people, offset=6)


# Who chose which workshop of the coming Agora: the welcome workshop fills up, and Louise
# (a demo account) is second on its waiting list, after Jeanne; Hugo has a place in the
# social currency one.
FULL_WORKSHOP = "Atelier : communication et accueil"


def _workshop_sign_ups(occurrence, people) -> None:
    meeting = services.ensure_meeting(occurrence)
    full = meeting.sessions.get(title=FULL_WORKSHOP)
    for person in people[3:3 + full.capacity]:
        services.sign_up(person=person, session_id=full.pk)
    for person in (people[13], people[1]):  # Jeanne, then Louise: the waiting list
        services.sign_up(person=person, session_id=full.pk)
    currency = meeting.sessions.get(title="Atelier : monnaie sociale et Oseille")
    services.sign_up(person=people[2], session_id=currency.pk)
