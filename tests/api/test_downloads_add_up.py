"""The downloads add up to the headline (issue 27): summed with pandas the way the data page says.

On the programme data: the decisions CSV of the programme up to 06.12.2019 gives the published
56.6 M€ and the dashboard's figure to the cent; without the programme filter the file mixes in
the separate Gewerbe-Service-Portal line, which is why every row names its programme.
"""

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest

from funding.figures.selectors import default_programme, figures_for

pytestmark = pytest.mark.django_db


def _csv(client, url: str) -> pd.DataFrame:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)


def _cents(column) -> int:
    return sum(int((Decimal(value or "0") * 100).to_integral_value()) for value in column)


def test_the_decisions_csv_of_the_programme_sums_to_the_headline_and_the_published_record(client, programme_data):
    """Loading the programme data takes a while, so one test walks both published dates."""
    programme = default_programme()
    whole = _csv(client, "/api/v1/decisions/?format=csv")
    assert set(whole["programme.slug"]) >= {programme.slug}
    assert (whole["programme.name"] != "").all()

    for day in (dt.date(2019, 12, 6), dt.date(2020, 10, 26)):
        headline = figures_for(as_of=day, programme=programme).rows[0].values
        mine = whole[(whole["programme.slug"] == programme.slug) & (whole["decision_date"] <= day.isoformat())]
        filtered = _csv(client, f"/api/v1/decisions/?format=csv&programme={programme.slug}&date_to={day.isoformat()}")
        for column, figure in (
            ("amount", "funding_granted"),
            ("private_investment", "private_investment"),
            ("eligible_costs", "eligible_investment"),
            ("own_share", "own_share"),
        ):
            assert _cents(mine[column]) == int(headline[figure] * 100), (day, column)
            assert _cents(filtered[column]) == int(headline[figure] * 100), (day, column)

    first = _csv(client, f"/api/v1/decisions/?format=csv&programme={programme.slug}&date_to=2019-12-06")
    granted = Decimal(_cents(first["amount"])) / 100
    assert Decimal("56550000") <= granted <= Decimal("56650000")  # "56,6 Mio. Euro" (Kommune21, 06.12.2019)
