"""The demo's work: the farm (the SCIC "Les Champs Communs") lists its posts — milking,
cheese dairy, the Saturday market, bookkeeping, the welcome desk — and who can hold
them (some confirmed; bookkeeping at risk with one capable person; learners and
teachers), a few days away, a published rotation for this week and a proposal for next
week. At the CIT, members' teach/learn lists with free topics make pairs appear, and one
training session is on the calendar. Built by calling services, as the members would.

The daily plan reads the published rotation from the database: nothing is returned."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from autogestion.core import clock

from . import services

# (name, description, people at a time, ISO weekdays)
POSTS = [
    ("Traite", "La traite des chèvres, matin et soir.", 1, "1234567"),
    ("Fromagerie", "Caillage, moulage et affinage des fromages.", 1, "12345"),
    ("Marché du samedi", "Le stand au marché de Saint-Aubin.", 2, "6"),
    ("Comptabilité", "La saisie de la semaine et le suivi de la trésorerie.", 1, "1"),
    ("Accueil", "L'accueil des visiteurs et des woofeurs à la ferme.", 1, "36"),
]

# (index in people, post, level, confirmed by the farm's coordinator)
SKILLS = [
    (1, "Traite", "teaching", True), (2, "Traite", "capable", True),
    (3, "Traite", "capable", False), (4, "Traite", "learning", False),
    (5, "Fromagerie", "teaching", True), (6, "Fromagerie", "capable", True),
    (7, "Fromagerie", "capable", False), (8, "Fromagerie", "learning", False),
    (0, "Marché du samedi", "capable", True), (9, "Marché du samedi", "capable", False),
    (10, "Marché du samedi", "capable", False), (2, "Marché du samedi", "capable", False),
    (11, "Marché du samedi", "learning", False),
    # Only Raphaël keeps the books: the post is at risk, Manon learns it.
    (10, "Comptabilité", "teaching", True), (9, "Comptabilité", "learning", False),
    (0, "Accueil", "capable", True), (11, "Accueil", "capable", False),
    (8, "Accueil", "capable", False), (3, "Accueil", "capable", False),
]

# (index in people, kind, topic) at the CIT
KNOWLEDGE = [
    (4, "teach", "Boulangerie"), (8, "teach", "Réparation de vélos"),
    (16, "teach", "réparation de vélos"), (10, "teach", "Comptabilité"),
    (15, "teach", "Couture"), (5, "teach", "Fromage de chèvre"),
    (11, "learn", "boulangerie"), (21, "learn", "Boulangerie"),
    (12, "learn", "Réparation de vélos"), (14, "learn", "reparation de velos"),
    (13, "learn", "comptabilité"), (20, "learn", "Couture"),
    (17, "learn", "Fromage de chèvre"), (12, "learn", "Couture"),
]


def load(bodies: dict, people: list) -> None:
    farm, coordinator = bodies["champs-communs"], people[1]
    posts = {name: services.create_post(actor=coordinator, body=farm, name=name,
                                        description=text, holders=holders, weekdays=days)
             for name, text, holders, days in POSTS}
    for index, post, level, confirmed in SKILLS:
        skill = services.declare_skill(actor=people[index], post_id=posts[post].pk,
                                       level=level)
        if confirmed:
            services.confirm_skill(actor=coordinator, skill_id=skill.pk)

    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    next_monday = monday + timedelta(days=7)
    for index, first, last, note in (
        (2, next_monday, next_monday + timedelta(days=1), "Rendez-vous médical"),
        (6, next_monday + timedelta(days=3), next_monday + timedelta(days=4), ""),
        (0, next_monday + timedelta(days=14), next_monday + timedelta(days=20), "Vacances"),
    ):
        services.declare_unavailability(actor=people[index], body=farm, first_day=first,
                                        last_day=last, note=note)
    this_week = services.propose_rotation(actor=coordinator, body=farm, first_day=monday,
                                          period="week", max_streak=2)
    services.publish_rotation(actor=coordinator, rotation_id=this_week.pk)
    services.propose_rotation(actor=coordinator, body=farm, first_day=next_monday,
                              period="week", max_streak=2)

    cit = bodies["cit"]
    for index, kind, topic in KNOWLEDGE:
        services.add_knowledge(actor=people[index], cooperative=cit, kind=kind, topic=topic)
    zone = ZoneInfo(settings.TIME_ZONE)
    saturday = next_monday + timedelta(days=5)
    services.schedule_training(
        actor=people[12], cooperative=cit, teacher_id=people[8].pk, learner_id=people[12].pk,
        topic="Réparation de vélos", place="Atelier vélo du local de la CIT",
        starts_at=datetime.combine(saturday, time(10, 0), tzinfo=zone),
        ends_at=datetime.combine(saturday, time(12, 0), tzinfo=zone))
