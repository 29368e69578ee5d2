from .models import Notification


def recent_for(person, limit: int = 100):
    return Notification.objects.filter(person=person)[:limit]
