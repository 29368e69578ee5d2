"""The demo cooperative: the Coopérative Intégrale Toulousaine (CIT) inside its
networks, with its autonomous groups and members (one founded by its members), a SCIC
with its colleges and a SCOP with its partners' capital, to show legal forms.
Built by calling services, as a real cooperative would be."""

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import Body, LegalForm
from .rules import Kind, Role

DEMO_PASSWORD = "autogestion-demo"
ADMIN_EMAIL = "admin@demo.autogestion.coop"

PEOPLE = [
    # (first name, last name) — the first of each group below is its coordinator.
    ("Camille", "Durand"), ("Louise", "Martin"), ("Hugo", "Bernard"), ("Inès", "Petit"),
    ("Jules", "Robert"), ("Léa", "Richard"), ("Nathan", "Moreau"), ("Chloé", "Simon"),
    ("Gabriel", "Laurent"), ("Manon", "Lefebvre"), ("Raphaël", "Michel"), ("Zoé", "Garcia"),
    ("Arthur", "David"), ("Jeanne", "Bertrand"), ("Louis", "Roux"), ("Alice", "Vincent"),
    ("Paul", "Fournier"), ("Rose", "Morel"), ("Émile", "Girard"), ("Lina", "André"),
    ("Sacha", "Mercier"), ("Anaïs", "Blanc"),
]

GROUPS = [
    ("Accueil", "accueil", "Accueille les nouvelles et nouveaux, tient la permanence et "
     "présente le fonctionnement de la coopérative.", "Local de la CIT, 12 rue des Lois",
     "Chaque mardi à 18 h", True, 0),
    ("Foire Cuisa", "foire-cuisa", "Organise la foire de la cuisine et les repas partagés "
     "(auberge espagnole) des Agoras.", "Jardin partagé des Amidonniers",
     "Un jeudi sur deux à 19 h", True, 4),
    ("Monnaie Oseille", "monnaie-oseille", "Fait vivre l'Oseille, notre monnaie sociale en "
     "crédit mutuel : comptes, limites, adhésion des prestataires.",
     "Café associatif La Chope", "Premier lundi du mois à 19 h", True, 8),
    ("Comité éditorial", "comite-editorial", "Rédige la lettre mensuelle et tient à jour "
     "le site et l'avancement des groupes.", "En ligne et au local", "Chaque mercredi à 20 h",
     True, 12),
    ("Recherche d'un local", "recherche-local", "Cherche un lieu pérenne pour la "
     "coopérative : visites, montage juridique, budget.", "Au local actuel",
     "Deuxième samedi du mois à 14 h", True, 15),
    ("Caisse commune", "caisse-commune", "Tient la trésorerie en euros de la coopérative.",
     "", "", False, 18),
]


def demo_exists() -> bool:
    return get_user_model().objects.filter(email=ADMIN_EMAIL).exists()


def _person(first: str, last: str, *, superuser: bool = False):
    from allauth.account.models import EmailAddress

    User = get_user_model()
    email = (f"{first}.{last}@demo.autogestion.coop".lower()
             .translate(str.maketrans("éèêëïîôöàâçù", "eeeeiiooaacu")))
    if superuser:
        email = ADMIN_EMAIL
        user = User.objects.create_superuser(email=email, password=DEMO_PASSWORD,
                                             display_name="Admin démo")
    else:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first,
                                        last_name=last, display_name=f"{first} {last[0]}.",
                                        # Reminders reach the demo's coordinators only,
                                        # so a first `make run` does not flood the console.
                                        email_reminders=first in {"Camille", "Louise"})
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def load_demo() -> dict:
    admin = _person("Admin", "Démo", superuser=True)
    people = [_person(first, last) for first, last in PEOPLE]

    reseau = services.create_body(
        actor=admin, kind=Kind.NETWORK, name="Réseau des coopératives intégrales",
        slug="reseau-ci", description="Réseau de réseaux des coopératives intégrales et des "
        "écoréseaux.", rhythm="Rencontre deux fois par an")
    ecoreseau = services.create_body(
        actor=admin, kind=Kind.NETWORK, name="ÉcoRéseau Toulousain", slug="ecoreseau-toulouse",
        parent=reseau, description="Les initiatives écologiques et solidaires du territoire "
        "toulousain qui échangent en Oseille.", rhythm="Tous les trimestres")
    cit = services.create_body(
        actor=admin, kind=Kind.COOPERATIVE, name="Coopérative Intégrale Toulousaine",
        slug="cit", parent=ecoreseau, legal_form=LegalForm.INTEGRAL,
        description="Une coopérative intégrale : des groupes autonomes qui s'organisent en "
        "assemblée, une Agora mensuelle libre et ouverte à toutes et tous, une caisse commune "
        "et une monnaie sociale, l'Oseille.",
        place="Salle des fêtes de Saint-Cyprien, Toulouse",
        rhythm="Agora chaque dernier samedi du mois, 10 h 30 – 19 h")
    for person in people:
        services.join_body(person=person, body=cit)
    services.set_member_role(actor=admin, body=cit, person=people[0], role=Role.COORDINATOR)

    for name, slug, description, place, rhythm, is_open, first in GROUPS:
        coordinator = people[first]
        group = services.create_body(actor=admin, kind=Kind.GROUP, name=name, slug=slug,
                                     parent=cit, description=description, place=place,
                                     rhythm=rhythm, is_open=is_open)
        if is_open:
            services.join_body(person=coordinator, body=group)
        else:
            request = services.join_body(person=coordinator, body=group)
            services.accept_membership_request(actor=admin, membership_id=request.pk)
        services.set_member_role(actor=admin, body=group, person=coordinator,
                                 role=Role.COORDINATOR)
        services.leave_body(person=admin, body=group)
        for offset in (1, 2, 3, 5):
            member = people[(first + offset) % len(people)]
            membership = services.join_body(person=member, body=group)
            if not is_open:
                services.accept_membership_request(actor=coordinator,
                                                   membership_id=membership.pk)
        services.post_progress_update(
            actor=coordinator, body=group,
            text=f"{name} : compte rendu de la dernière réunion publié, prochaines étapes "
            "fixées ensemble.")
    # A nested group, and a request waiting for the Accueil coordinator.
    accueil = Body.objects.get(slug="accueil")
    services.create_body(actor=people[0], kind=Kind.GROUP, name="Permanence du samedi",
                         slug="permanence-samedi", parent=accueil,
                         description="Tient l'accueil du local le samedi matin.",
                         place="Local de la CIT", rhythm="Chaque samedi, 10 h – 12 h")
    caisse = Body.objects.get(slug="caisse-commune")
    services.join_body(person=people[10], body=caisse,
                       message="Je peux aider pour la comptabilité.")
    services.post_progress_update(
        actor=people[0], body=cit,
        text="La dernière Agora a validé le principe d'une recherche de local commun.")
    # A group founded by its members (R17): Inès founds it, the CIT's log of progress
    # says so, and others join it.
    jardin = services.create_body(
        actor=people[3], kind=Kind.GROUP, name="Jardin partagé", slug="jardin-partage",
        parent=cit, description="Cultive les parcelles prêtées par la mairie et partage "
        "les récoltes à l'Agora.", place="Parcelles des Argoulets",
        rhythm="Chaque dimanche à 10 h")
    for member in (people[6], people[9], people[17]):
        services.join_body(person=member, body=jardin)
    services.leave_body(person=admin, body=cit)

    scic = services.create_body(
        actor=admin, kind=Kind.COOPERATIVE, name="Les Champs Communs", slug="champs-communs",
        parent=ecoreseau, legal_form=LegalForm.SCIC,
        description="Une SCIC maraîchère : salariés, consommateurs et soutiens décident "
        "ensemble.", place="Ferme de la Ramée, Tournefeuille",
        rhythm="Réunion hebdomadaire le lundi, point quotidien à 18 h")
    colleges = [services.add_college(actor=admin, cooperative=scic, name=n, weight_percent=w)
                for n, w in (("Salariés", 40), ("Consommateurs", 35), ("Soutiens", 25))]
    for i, person in enumerate(people[:12]):
        services.join_body(person=person, body=scic, college=colleges[i % 3])
    services.set_member_role(actor=admin, body=scic, person=people[1], role=Role.COORDINATOR)
    services.leave_body(person=admin, body=scic)

    # A SCOP beside the SCIC: one person one vote, the capital each partner holds, and
    # who works in it (the employee shares of DOMAIN.md R5).
    scop = services.create_body(
        actor=admin, kind=Kind.COOPERATIVE, name="L'Atelier du Vélo", slug="atelier-velo",
        parent=ecoreseau, legal_form=LegalForm.SCOP,
        description="Une SCOP de réparation et de recyclage de vélos : les salariés en "
        "sont les associés.", place="Quai de Tounis, Toulouse",
        rhythm="Assemblée des associés chaque premier mardi du mois à 18 h")
    partners = people[12:20]
    for person in partners:
        services.join_body(person=person, body=scop)
    services.set_member_role(actor=admin, body=scop, person=partners[0],
                             role=Role.COORDINATOR)
    # Six employees of eight partners (75 % of the votes), 3,000 € of 4,200 € (71 %).
    for i, person in enumerate(partners):
        employee = i < 6
        services.set_member_capital(actor=admin, body=scop, person=person,
                                    capital_cents=(50_000 if employee else 60_000),
                                    is_employee=employee)
    services.leave_body(person=admin, body=scop)
    services.leave_body(person=admin, body=ecoreseau)
    services.leave_body(person=admin, body=reseau)
    return {"admin": admin, "people": people, "cooperative": cit, "scop": scop,
            "founded_group": jardin}


def demo_accounts() -> list[tuple[str, str]]:
    User = get_user_model()
    rows = [(ADMIN_EMAIL, "operator (Django admin)")]
    for m in (Body.objects.get(slug="cit").memberships.filter(status="active")
              .select_related("person").order_by("pk")[:3]):
        rows.append((m.person.email, f"{m.role} of the CIT"))
    rows.append((User.objects.get(email__startswith="louise.martin").email,
                 "coordinator of Les Champs Communs (SCIC)"))
    return rows
