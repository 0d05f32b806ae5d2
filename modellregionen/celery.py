import os

from celery import Celery
from celery.signals import worker_ready

from modellregionen import broker_loss

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")

broker_loss.install()
app = Celery("modellregionen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The figures' tasks live in their package; their names stay "funding.tasks.*", which the
# beat schedule, queued messages and operators' scripts use.
app.autodiscover_tasks(["funding.figures"])


@app.task(name="modellregionen.ping")
def ping() -> str:
    """Answer "pong": lets tests and operators check that a worker executes tasks."""
    return "pong"


@worker_ready.connect
def catch_up_figures(sender, **kwargs) -> None:
    """A worker that starts (after a crash, a deploy) first checks that the figures are current."""
    sender.app.send_task("funding.tasks.refresh_figures_if_behind")
