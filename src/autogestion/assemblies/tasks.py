from django_tasks import task


@task()
def notify_members_task(meeting_id: int, kind: str) -> int:
    from .rules import ReminderKind
    from .services import notify_members

    return notify_members(meeting_id, ReminderKind(kind))
