"""Form settings shared by the staff forms and the admin."""

from django.db import models

# A web address typed without a scheme ("example.org") means https: public bodies publish
# over https, and it is what Django 6 will assume.
URL_FORM_FIELD = {"assume_scheme": "https"}
ADMIN_FORMFIELD_OVERRIDES = {models.URLField: URL_FORM_FIELD}


def formfield_with_https_urls(db_field: models.Field, **kwargs):
    """A ModelForm's formfield_callback: every URL field assumes https."""
    if isinstance(db_field, models.URLField):
        kwargs = {**URL_FORM_FIELD, **kwargs}
    return db_field.formfield(**kwargs)
