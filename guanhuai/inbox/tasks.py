from huey.contrib.djhuey import db_task

from .models import Notification


@db_task()
def deliver_notifications(ids: list[int], *, email: bool, sms: bool) -> None:
    from .services import deliver

    for note in Notification.objects.filter(pk__in=ids).select_related("user"):
        deliver(note, email=email, sms=sms)
