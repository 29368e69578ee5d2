"""The demo's economy: the Oseille of the CIT (1 Os = 1 €) with accounts for the members
and for Foire Cuisa, a month of payments between them (and one paid back), a payment
request waiting for its buyer, offers and needs, and the common fund with its
contributions and two expenses, each linked to an adopted decision. Built by calling
services, as the cooperative would."""

from datetime import timedelta

from django.utils import timezone

from autogestion.core import clock
from autogestion.decisions.models import Decision

from . import services
from .models import AccountKind, FundCategory, Offer, OfferCategory

# (days ago, payer, payee, amount in cents of an Oseille, description); a payer or payee
# given as None is the Foire Cuisa group's account, run by its coordinator (people[4]).
PAYMENTS = [
    (28, 0, 2, 1200, "Panier de légumes de saison"),
    (25, 1, 3, 600, "Prêt de la perceuse, deux jours"),
    (21, 2, 5, 1000, "Covoiturage vers l'Ariège"),
    (18, 6, 1, 3000, "Deux heures d'aide à la comptabilité"),
    (15, 3, None, 800, "Repas partagé de l'Agora"),
    (15, 5, None, 800, "Repas partagé de l'Agora"),
    (12, 7, 2, 2400, "Deux paniers de légumes"),
    (9, 9, 8, 1500, "Réparation de vélo"),
    (8, None, 4, 1200, "Ingrédients avancés par Jules pour la foire"),
    (6, 10, 0, 4500, "Traduction de la lettre mensuelle"),
    (4, 11, 6, 2000, "Aide au jardin partagé"),
    (2, 1, 2, 1200, "Panier de légumes"),
    (2, 1, 2, 1200, "Panier de légumes"),  # paid twice by mistake: Hugo pays it back
]

# (author, kind, title, category, place, price in euros (cents), price in Os (cents),
#  description, for Foire Cuisa)
OFFERS = [
    (2, "offer", "Paniers de légumes de saison", OfferCategory.FOOD,
     "Jardin partagé des Amidonniers", None, 1200,
     "Un panier par semaine, récolté le matin même.", False),
    (3, "offer", "Prêt d'une perceuse-visseuse", OfferCategory.TOOLS, "Saint-Cyprien", None,
     300, "Par jour, avec un jeu de mèches.", False),
    (5, "offer", "Covoiturage Toulouse – Ariège le samedi", OfferCategory.TRANSPORT,
     "Départ métro Saint-Cyprien", 500, 500, "Trois places, retour le dimanche soir.", False),
    (1, "offer", "Aide à la comptabilité des groupes", OfferCategory.SERVICES, "Au local",
     None, 1500, "L'heure : tenue de caisse, budget, bilan.", False),
    (4, "offer", "Repas partagé de l'Agora", OfferCategory.FOOD,
     "Salle des fêtes de Saint-Cyprien", None, 800, "Le repas du midi de l'Agora.", True),
    (6, "need", "Aide pour un déménagement", OfferCategory.SERVICES, "Minimes", None, None,
     "Samedi prochain, deux ou trois paires de bras.", False),
    (7, "need", "Cherche une bétonnière", OfferCategory.TOOLS, "Blagnac", None, 2000,
     "Pour une semaine, pour la dalle de l'atelier.", False),
]

# (days ago, amount in cents (expenses negative), category, description); expenses are
# linked to the CIT's adopted decisions.
FUND = [
    (400, 42_000, FundCategory.CONTRIBUTION, "Cotisations libres de l'Agora"),
    (330, 80_000, FundCategory.SUBSIDY, "Subvention de la mairie pour les Agoras"),
    (60, 38_000, FundCategory.CONTRIBUTION, "Cotisations libres de l'Agora"),
    (45, 15_000, FundCategory.SALE, "Vente de confitures à la Foire Cuisa"),
    (20, -6_500, FundCategory.PURCHASE, "Serrure et doubles des clés du local"),
    (10, -12_000, FundCategory.RENT, "Location de la salle pour les permanences du samedi"),
]


def load(bodies: dict, people: list) -> dict:
    cit = bodies["cit"]
    camille, jules = people[0], people[4]
    oseille = services.create_currency(
        actor=camille, cooperative=cit, code="oseille", name="Oseille", symbol="Os",
        decimals=2, euro_rate="1", default_debit_limit=10_000)
    accounts = [services.account_of(person, oseille) for person in people]
    foire = services.open_body_account(actor=jules, currency=oseille,
                                       body=bodies["foire-cuisa"], kind=AccountKind.GROUP)

    def account(index):
        return foire if index is None else accounts[index]

    def actor(index):
        return jules if index is None else people[index]

    now = clock.now()
    paid = []
    try:
        for days, payer, payee, amount, description in PAYMENTS:
            clock.freeze(now - timedelta(days=days) + timedelta(minutes=7 * len(paid)))
            paid.append(services.pay(actor=actor(payer), payer_id=account(payer).pk,
                                     payee_id=account(payee).pk, amount=amount,
                                     description=description))
        clock.freeze(now - timedelta(days=1))
        services.reverse_payment(actor=people[2], payment_id=paid[-1].pk,
                                 reason="payé deux fois")
        # An offer that has expired: published six weeks ago, until ten days ago.
        clock.freeze(now - timedelta(days=42))
        services.publish_offer(
            actor=people[8], cooperative=cit, kind="offer",
            title="Atelier de réparation de vélos", category=OfferCategory.SERVICES,
            place="Café associatif La Chope", price_units=500, currency=oseille,
            expires_on=timezone.localdate(now) - timedelta(days=10))
    finally:
        clock.freeze(None)

    today = timezone.localdate(clock.now())
    offers = []
    for index, (author, kind, title, category, place, euros, units, description,
                for_group) in enumerate(OFFERS):
        offers.append(services.publish_offer(
            actor=people[author], cooperative=cit, kind=kind, title=title, category=category,
            place=place, description=description, price_euros=euros, price_units=units,
            currency=oseille if units is not None else None,
            expires_on=today + timedelta(days=20 + 7 * index),
            on_behalf_of=bodies["foire-cuisa"] if for_group else None))
    meal = next(o for o in offers if o.kind == Offer.Kind.OFFER and o.on_behalf_of_id)
    services.request_payment(actor=jules, seller_id=foire.pk, buyer_id=accounts[2].pk,
                             amount=800, description="Repas partagé de l'Agora", offer=meal,
                             auto_accept_after=timedelta(days=7))
    services.request_payment(actor=people[2], seller_id=accounts[2].pk,
                             buyer_id=accounts[0].pk, amount=1200,
                             description="Panier de légumes de la semaine", offer=offers[0])

    decisions = list(Decision.objects.filter(body=cit, outcome="adopted")
                     .order_by("decided_at", "pk"))
    spent = 0
    for days, amount, category, description in FUND:
        decision = None
        if amount < 0:
            if not decisions:
                continue
            decision = decisions[spent % len(decisions)]
            spent += 1
        services.record_fund_movement(actor=camille, body=cit, amount=amount,
                                      category=category, description=description,
                                      happened_on=today - timedelta(days=days),
                                      decision=decision)
    return {"oseille": oseille, "accounts": accounts, "foire": foire}
