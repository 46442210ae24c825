from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from riskrules.text import promised_amount, promised_date
from riskrules.text.normalize import fold
from riskrules.text.train import load_corpus

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text("utf-8"))
NOW = datetime(2026, 12, 2, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", CASES["dates"])
def test_promised_date(text, expected):
    assert promised_date(text, NOW) == (date.fromisoformat(str(expected)) if expected else None)


@pytest.mark.parametrize("text, expected", CASES["amounts"])
def test_promised_amount(text, expected):
    found = promised_amount(text)
    assert found == (Decimal(expected) if expected else None)
    assert found is None or isinstance(found, Decimal)


def test_naive_now_is_utc_and_an_offset_is_kept():
    assert promised_date("明天", datetime(2026, 12, 2, 23)) == date(2026, 12, 3)
    shanghai = timezone(timedelta(hours=8))
    # 23:00 UTC on the 1st is already the 2nd in Shanghai: "明天" is the 3rd there.
    assert promised_date("明天", datetime(2026, 12, 2, 7, tzinfo=shanghai)) == date(2026, 12, 3)


def test_the_corpus_promise_labels_agree_with_extraction():
    """Every promise row's labelled amount and date phrase is what extraction reads."""
    wrong = []
    for row in load_corpus():
        if row["intent"] != "promise_to_pay":
            continue
        text = fold(row["text"])
        expected_amount = Decimal(row["amount"]) if row.get("amount") else None
        if promised_amount(text) != expected_amount:
            wrong.append(("amount", row["text"]))
        phrase = row.get("date_phrase")
        expected_date = promised_date(fold(phrase), NOW) if phrase else None
        if promised_date(text, NOW) != expected_date:
            wrong.append(("date", row["text"]))
    assert wrong == []
