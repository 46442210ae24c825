"""Identity numbers, birth dates, ages, names and phones look like the real thing."""
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from riskrules.sim import is_valid_id_number
from riskrules.sim.identity import age_on, birth_from_id, id_check_char
from riskrules.sim.reference import MOBILE_PREFIXES, REGIONS


@pytest.mark.parametrize("number, valid", [
    ("11010519491231002X", True),       # the standard's worked example
    ("110105194912310021", False),
    ("11010519491231002", False),
    ("1101051949123100AX", False),
])
def test_checksum_examples(number, valid):
    assert is_valid_id_number(number) is valid


def test_check_char_of_example():
    assert id_check_char("11010519491231002") == "X"


def applicants(book) -> pl.DataFrame:
    return book["applications"].select(
        pl.col("applicant").struct.unnest(),
        submitted=pl.col("application").struct.field("submitted_at"),
    )


def test_id_numbers_valid_unique_and_consistent(big_book):
    a = applicants(big_book)
    ids = a["id_number"].to_list()
    assert all(is_valid_id_number(x) for x in ids)
    assert len(set(ids)) == len(ids)
    assert [birth_from_id(x) for x in ids] == [d.isoformat() for d in a["birth_date"]]
    districts = {str(r[2]) for r in REGIONS}
    assert {x[:6] for x in ids} <= districts


def test_age_matches_birth_date_in_utc_and_beijing(big_book):
    a = applicants(big_book)
    birth = a["birth_date"].to_numpy().astype("M8[D]")
    utc_day = a["submitted"].dt.date().to_numpy().astype("M8[D]")
    local_day = (a["submitted"] + timedelta(hours=8)).dt.date().to_numpy().astype("M8[D]")
    assert np.array_equal(age_on(birth, utc_day), a["age"].to_numpy())
    assert np.array_equal(age_on(birth, local_day), a["age"].to_numpy())


def test_age_on_handles_birthdays():
    birth = np.array(["2000-02-29", "2000-03-01", "2000-03-01"], dtype="M8[D]")
    on = np.array(["2018-02-28", "2018-03-01", "2018-02-28"], dtype="M8[D]")
    assert age_on(birth, on).tolist() == [17, 18, 17]


def test_names_are_chinese(book):
    names = applicants(book)["name"].to_list()
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)


def test_phones_are_mainland_mobiles(book):
    a = applicants(book)
    prefixes = {str(p) for p in MOBILE_PREFIXES}
    phones = a["phone"].to_list() + book["applications"]["contacts"].struct.field("emergency_phone").to_list()
    assert all(len(p) == 11 and p.isdigit() and p[:3] in prefixes for p in phones)
    assert a["phone"].n_unique() == a.height


def test_ips_are_dotted_quads(book):
    ips = book["applications"]["device"].struct.field("ip").to_list()
    assert all(len(parts := ip.split(".")) == 4 and all(0 <= int(x) <= 255 for x in parts) for ip in ips)


def test_birth_date_type_is_date(book):
    assert isinstance(applicants(book)["birth_date"][0], date)
