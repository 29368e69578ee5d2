from django.utils.functional import SimpleLazyObject


def unread(request):
    """How many notifications the signed-in person has not read (the menu's counter);
    counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
