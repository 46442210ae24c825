"""riskrules model train: a scorecard from the German credit CSV (data we did not generate),
through the one reader and label convention, written where riskrules loads it."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskrules.cli import app

pytest.importorskip("optbinning")
GERMAN = Path(__file__).parents[1] / "modeling" / "data" / "germancredit.csv.gz"


def _csv(tmp_path: Path) -> Path:
    p = tmp_path / "german.csv"
    p.write_bytes(gzip.decompress(GERMAN.read_bytes()))
    return p


def test_train_writes_a_card_riskrules_loads(tmp_path):
    from riskrules.engine.providers.scorecard import ScorecardFile

    out = tmp_path / "card.yaml"
    r = CliRunner().invoke(app, ["model", "train", str(_csv(tmp_path)), "--label", "creditability", "--out", str(out),
                                 "--features", "duration_in_month,credit_amount,purpose,personal_status_and_sex",
                                 "--protected", "personal_status_and_sex", "--allow-protected",
                                 "--trend", "duration_in_month=ascending", "--format", "json"])
    assert r.exit_code == 0, r.output
    spec = ScorecardFile.model_validate(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert [f.name for f in spec.features] == ["duration_in_month", "credit_amount", "purpose",
                                                "personal_status_and_sex"]  # the documented exception
    assert '"auc"' in r.output


@pytest.mark.parametrize("args, code, message", [
    (["--label", "purpose"], 1, "purpose"),  # not a label: refused, never guessed
    (["--label", "creditability", "--trend", "sideways"], 2, "COLUMN=TREND"),
    (["--label", "creditability", "--features", "nope"], 1, "no column 'nope'"),
    (["--label", "creditability", "--features", "duration_in_month,personal_status_and_sex",
      "--protected", "personal_status_and_sex"], 1, "protected attribute"),
])
def test_bad_requests_are_one_line(tmp_path, args, code, message):
    r = CliRunner().invoke(app, ["model", "train", str(_csv(tmp_path)), "--out", str(tmp_path / "c.yaml"), *args])
    assert r.exit_code == code, r.output
    assert message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "c.yaml").exists()
