"""What assemblies does when other capabilities tell it something (their signals)."""

import logging

from django.db import DatabaseError

from autogestion.core.errors import DomainError

from . import services

log = logging.getLogger(__name__)


def on_group_founded(sender, group, founder=None, **kwargs) -> None:
    """A group started to exist: its cooperative's next open Agora agenda tells it, under
    "News of the groups" (R17). Sent after the founding is committed: a failure here
    must not undo or break the founding, so it is logged and the group stays founded."""
    try:
        services.announce_group(group=group, founder=founder)
    except (DomainError, DatabaseError):
        log.exception("could not put the group %s on the next Agora's agenda", group.pk)
