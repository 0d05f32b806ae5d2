"""The site addresses its readers as "Sie": no German message of any installed package says "du"."""

import re

from django.utils import translation
from django.utils.translation import trans_real

INFORMAL = re.compile(r"\b(du|Du|dein|deine|deinen|Dein|Deine|dir|dich|hast|bist|musst|kannst|Gib|gib)\b")


def test_no_german_message_says_du():
    catalog = trans_real.translation("de")._catalog
    # Every message any catalog knows, as Django resolves it (the site's own catalog first).
    msgids = {msgid for msgid, _message in catalog.items() if isinstance(msgid, str)}
    informal = {msgid: catalog[msgid] for msgid in msgids if INFORMAL.search(catalog[msgid])}
    assert informal == {}


def test_an_api_field_error_is_formal(client):
    from rest_framework import serializers

    class Contact(serializers.Serializer):
        email = serializers.EmailField()

    with translation.override("de"):
        form = Contact(data={"email": "kein-at-zeichen"})
        assert not form.is_valid()
        assert str(form.errors["email"][0]) == "Geben Sie eine gültige E-Mail-Adresse ein."
