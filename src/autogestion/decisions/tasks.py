from django_tasks import task


@task()
def notify_round_task(round_id: int, kind: str) -> int:
    from .services import notify_round

    return notify_round(round_id, kind)
