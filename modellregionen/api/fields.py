"""Fields and limits that every app's API shares: exact decimals and the largest id."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

DECIMAL_SCHEMA = {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


# Largest id a database integer column holds; bigger numbers are a 400, not a database error.
MAX_ID = 2**63 - 1


@extend_schema_field(DECIMAL_SCHEMA)
class ExactDecimalField(serializers.Field):
    """A Decimal as a string with all its digits: never a float, never rounded."""

    is_exact_decimal = True  # for the CSV decimal comma

    def to_representation(self, value):
        return format(value, "f")


class KnownKeyField(serializers.SlugRelatedField):
    """A record named by its key (programme=digitale-modellregionen) in a query.

    The schema lists the keys that exist (modellregionen.api.schema): any other is a 400, so a
    client must be able to know them.
    """
