"""What every page says about who publishes it: one publisher name and one contact, everywhere."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from modellregionen.api.licence import publisher_name


def publisher(request) -> dict:
    return {"publisher": SimpleLazyObject(publisher_name), "contact_email": settings.DATA_CONTACT_EMAIL}
