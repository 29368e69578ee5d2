"""The demo's proposals, one in each state: an open consent round, a consensus postponed
by a veto with its star debate, an adopted and a rejected proposal, a SCIC's legal
vote weighted by college, and a change of a group's rules made by its decision (R16):
the Accueil group decided by consensus that its executive decisions take consensus,
and the change applied itself when the proposal was adopted."""

from datetime import timedelta

from autogestion.assemblies.models import AgendaItem
from autogestion.cooperatives import selectors
from autogestion.cooperatives.rules import Role
from autogestion.core import clock

from . import services


def _round(proposal):
    return proposal.rounds.get(closed_at__isnull=True)


def _positions(proposal, people_and_stances):
    round_ = _round(proposal)
    for person, stance, extra in people_and_stances:
        services.take_position(person=person, round_id=round_.pk, stance=stance, **extra)
    return round_


def load(bodies: dict, people: list) -> None:
    cit, scic = bodies["cit"], bodies["champs-communs"]
    camille, louise = people[0], people[1]
    now = clock.now()

    # Adopted by consent, then rejected: decided last month.
    clock.freeze(now - timedelta(days=30))
    try:
        hours = services.create_proposal(
            actor=people[2], body=cit, title="Horaires d'ouverture du local",
            text="Le local est ouvert **le mardi soir et le samedi matin**, tenu par le groupe "
                 "Accueil.", decision_class="executive")
        _positions(hours, [(p, "fully_agree", {}) for p in people[3:12]]
                   + [(people[12], "slight_disagreement", {})])
        services.close_round(actor=camille, round_id=_round(hours).pk)

        fee = services.create_proposal(
            actor=people[5], body=cit, title="Cotisation annuelle à 50 €",
            text="Chaque membre verse 50 € par an à la caisse commune.",
            decision_class="executive")
        _positions(fee, [(p, "fully_agree", {}) for p in people[6:10]]
                   + [(people[10], "objection",
                       {"reason": "Trop cher pour les petits revenus : une cotisation libre."})])
        services.close_round(actor=camille, round_id=_round(fee).pk)

        _policy_changed_by_decision(bodies["accueil"])
    finally:
        clock.freeze(None)

    # A consensus postponed by a veto: the star debate is under way.
    network = services.create_proposal(
        actor=people[4], body=cit, title="Rejoindre le réseau des monnaies locales",
        text="La CIT adhère au réseau régional des monnaies locales complémentaires et y "
             "inscrit l'Oseille.", decision_class="orientation")
    _positions(network, [(p, "agree", {}) for p in people[5:15]]
               + [(people[15], "stand_aside", {}),
                  (people[16], "veto", {
                      "reason": "L'adhésion engage la CIT sur une charte que nous n'avons pas "
                                "discutée.",
                      "counter_proposal": "Un an d'observation au réseau avant d'adhérer."})])
    postponed = services.close_round(actor=camille, round_id=_round(network).pk)
    first_group = postponed.star_debate.groups.first()
    services.write_star_summary(person=first_group.spokesperson, group_id=first_group.pk,
                                summary="Le groupe propose d'adhérer en observateur un an, "
                                        "puis de décider à l'Agora.")

    # An open consent round, on the coming Agora's agenda.
    item = AgendaItem.objects.filter(title="Achat groupé de matériel pour le local",
                                     meeting__series__body=cit) \
        .order_by("-meeting__starts_at").first()
    van = services.create_proposal(
        actor=people[3], body=cit, title="Achat groupé de matériel pour le local",
        text="Acheter en commun une perceuse, une scie circulaire et un escabeau, "
             "**350 €** sur la caisse commune.", decision_class="executive",
        agenda_item=item, deadline=now + timedelta(days=10))
    _positions(van, [(people[6], "fully_agree", {}), (people[7], "fully_agree", {}),
                     (people[8], "slight_disagreement", {})])

    # The SCIC's general meeting: a legal act, weighted by college.
    accounts = services.create_proposal(
        actor=louise, body=scic, title="Approbation des comptes 2025",
        text="L'assemblée générale approuve les comptes de l'exercice 2025.",
        decision_class="legal_act")
    members = list(selectors.active_memberships(body=scic).filter(college__isnull=False)
                   .select_related("person").order_by("pk"))
    stances = ["yes", "yes", "no", "yes", "abstain", "yes", "no", "yes", "yes", "yes", "no",
               "yes"]
    _positions(accounts, [(m.person, stance, {}) for m, stance in zip(members, stances,
                                                                      strict=False)])
    services.close_round(actor=louise, round_id=_round(accounts).pk)


def _policy_changed_by_decision(group) -> None:
    """R16 in the demo: a member of the Accueil group proposes that its executive
    decisions take consensus; the proposal (class "statutes", decided by consensus as
    the policy says) is adopted by all and the change applies itself."""
    members = list(selectors.active_memberships(body=group).select_related("person")
                   .order_by("pk"))
    coordinator = next(m.person for m in members if m.role == Role.COORDINATOR)
    proposal = services.propose_change(
        actor=members[-1].person, body=group, kind="decisions.policy",
        params={"policy": {"executive": "consensus"}},
        text="Nous sommes peu nombreux et tenons le local ensemble : décidons de ce qui "
             "le concerne d'un commun accord, pas seulement sans objection.")
    _positions(proposal, [(m.person, "agree", {}) for m in members])
    services.close_round(actor=coordinator, round_id=_round(proposal).pk)
