"""The demo's pooled resources: the CIT's premises (booked at once by any member) and
its van (on approval, for a fee in Oseille), with a week of confirmed bookings that do
not overlap and a request waiting for the steward. Built by calling services, as the
cooperative would."""

from datetime import time, timedelta

from autogestion.core import clock
from autogestion.economy.models import Currency

from . import rules, services
from .models import Audience, FeePerChoice, ResourceKind

LOCAL_RULES = """- Laisser le local propre et rangé, fermer les fenêtres.
- Les clés sont à la permanence de l'Accueil ; les rendre le jour même.
- Pas de bruit dans la cour après 22 h."""

VAN_RULES = """- Permis B depuis plus de deux ans.
- Rendre le plein fait ; noter les kilomètres dans le carnet de bord.
- Participation : 10 Os par réservation, pour l'entretien et l'assurance."""

# (days from next Monday, start hour, end hour, booker, purpose, for Accueil)
LOCAL_BOOKINGS = [
    (1, 18, 21, 8, "Atelier de réparation de vélos", False),
    (3, 19, 22, 12, "Réunion du comité éditorial", False),
    (5, 10, 12, 1, "Permanence du samedi", True),
    (5, 14, 17, 3, "Atelier d'auto-formation : la comptabilité", False),
]


def load(bodies: dict, people: list) -> dict:
    cit = bodies["cit"]
    camille = people[0]
    oseille = Currency.objects.filter(code="oseille").first()
    local = services.create_resource(
        actor=camille, steward=cit, kind=ResourceKind.PREMISES, name="Local de la CIT",
        place="12 rue des Lois, Toulouse",
        description="Une grande salle de réunion (30 places), une cuisine et un coin "
        "bibliothèque, au rez-de-chaussée.",
        usage_rules=LOCAL_RULES, audience=Audience.COOPERATIVE, requires_approval=False,
        open_days=range(1, 8), opens_at=time(8), closes_at=time(23), longest_minutes=12 * 60,
        horizon_days=120)
    van_fee = {"fee_amount": 1000, "fee_currency": oseille,
               "fee_per": FeePerChoice.BOOKING} if oseille else {}
    van = services.create_resource(
        actor=camille, steward=cit, kind=ResourceKind.VEHICLE, name="Fourgon de la CIT",
        place="Parking du local, 12 rue des Lois",
        description="Un fourgon de 12 m³, trois places, pour les déménagements, les "
        "marchés et la Foire Cuisa.",
        usage_rules=VAN_RULES, audience=Audience.COOPERATIVE, requires_approval=True,
        open_days=range(1, 8), opens_at=time(8), closes_at=time(20), overnight=True,
        longest_minutes=3 * 24 * 60, notice_minutes=12 * 60, horizon_days=90, **van_fee)

    tz = clock.zone()
    today = clock.today()
    monday = rules.week_of(today) + timedelta(days=7)
    bookings = []
    for day, start, end, booker, purpose, for_accueil in LOCAL_BOOKINGS:
        on = monday + timedelta(days=day)
        bookings.append(services.book_resource(
            actor=people[booker], resource_id=local.pk,
            starts_at=rules.localize(on, time(start), tz),
            ends_at=rules.localize(on, time(end), tz), purpose=purpose,
            for_body=bodies["accueil"] if for_accueil else None))

    # The Foire Cuisa borrows the van for a market weekend: asked by Jules, confirmed by
    # Camille (the fee moves then); Hugo's move waits for her answer.
    friday = monday + timedelta(days=4)
    market = services.book_resource(
        actor=people[4], resource_id=van.pk, starts_at=rules.localize(friday, time(9), tz),
        ends_at=rules.localize(friday + timedelta(days=1), time(19), tz),
        purpose="Marché de producteurs et Foire Cuisa", for_body=bodies["foire-cuisa"])
    services.approve_booking(actor=camille, booking_id=market.pk)
    wednesday = monday + timedelta(days=2)
    request = services.book_resource(
        actor=people[2], resource_id=van.pk, starts_at=rules.localize(wednesday, time(8), tz),
        ends_at=rules.localize(wednesday, time(14), tz), purpose="Déménagement d'une amie")
    return {"local": local, "van": van, "bookings": bookings, "market": market,
            "request": request}
