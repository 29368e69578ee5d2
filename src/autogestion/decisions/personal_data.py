"""One person's data in the decisions (GDPR art. 15 and 20): every row of a model with a
foreign key to them, under the model's name: the proposals they wrote or that concern
them, the history of proposals where they acted, the rounds they closed, their
positions and every change of them, their comments, their star debate groups (as a
member or as spokesperson), the proxies they gave or held in legal votes (for one vote or a whole
meeting), and the
e-mails sent to them about proposals."""

from autogestion.core.personal_data import rows_of

from .models import (
    Comment,
    MeetingProxy,
    Notice,
    Position,
    PositionLog,
    Proposal,
    ProposalEvent,
    Proxy,
    Round,
    StarGroup,
    StarGroupMember,
)


def export(person) -> dict:
    return {
        "proposal": rows_of(Proposal.objects.all(), person, "author", "concerned_person"),
        "proposalevent": rows_of(ProposalEvent.objects.all(), person, "actor"),
        "round": rows_of(Round.objects.all(), person, "closed_by"),
        "position": rows_of(Position.objects.all(), person, "person", "proxy_holder"),
        "positionlog": rows_of(PositionLog.objects.all(), person, "person"),
        "comment": rows_of(Comment.objects.all(), person, "author"),
        "stargroup": rows_of(StarGroup.objects.all(), person, "spokesperson"),
        "stargroupmember": rows_of(StarGroupMember.objects.all(), person, "person"),
        "proxy": rows_of(Proxy.objects.all(), person, "giver", "holder"),
        "meetingproxy": rows_of(MeetingProxy.objects.all(), person, "giver", "holder"),
        "notice": rows_of(Notice.objects.all(), person, "person"),
    }
