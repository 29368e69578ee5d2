"""The demo's invitations: a link Camille made for the CIT's next welcome evening, still
open, so that the coordinator's invitations page shows what an invitation looks like."""

from . import services
from .models import Invitation


def load(bodies: dict, people: list) -> dict:
    camille = people[0]
    invitation, _raw = services.create_invitation(
        actor=camille, body=bodies["cit"], kind=Invitation.Kind.LINK, max_uses=10,
        valid_days=30)
    return {"invitation": invitation}
