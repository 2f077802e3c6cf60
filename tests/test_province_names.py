"""Province names as publishers write them -> DOPA codes."""

import csv

import pytest

from extract.errors import ParseError
from extract.thai import province_names


def code(name):
    return province_names.province_code(name, source_id="demo", field="จังหวัด", row=7)


def seed_rows():
    with province_names.seed_path().open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_seed_name_in_thai_and_english_maps_to_its_code():
    rows = seed_rows()
    assert len(rows) == 77
    for row in rows:
        assert code(row["name_th"]) == row["area_code"]
        assert code(row["name_en"]) == row["area_code"]
        assert code(f"จังหวัด{row['name_th']}") == row["area_code"]
        assert code(f"  {row['name_en'].upper()}  ") == row["area_code"]


@pytest.mark.parametrize(("name", "expected"), [
    ("กรุงเทพฯ", "10"), ("กทม.", "10"), ("กทม", "10"), ("ส่วนกลาง", "10"), ("Bangkok", "10"),
    ("Lop Buri", "16"), ("Lopburi", "16"), ("Loburi", "16"), ("Prachin Buri", "25"), ("Prachinburi", "25"),
    ("Nong Bua Lam Phu", "39"), ("Nongbua Lamphu", "39"), ("NONG BUA LAMPHU", "39"),
    ("Buri Ram", "31"), ("Buriram", "31"), ("Si Sa Ket", "33"), ("Sisaket", "33"),
    ("Chon Buri", "20"), ("Chonburi", "20"), ("Phang Nga", "82"), ("Phangnga", "82"),
    ("Bueng Kan", "38"), ("Buengkan", "38"), ("Bungkan", "38"), ("Phattalung", "93"),
    ("จังหวัด สตูล", "91"), ("จ.สตูล", "91"), ("satun province", "91"), ("พระนครศรีอยุธยา", "14"),
    ("ลำปาง".replace("ำ", "\u0e4d\u0e32"), "52"),
])
def test_variants_spacing_case_and_prefixes(name, expected):
    assert code(name) == expected


def test_unknown_name_is_a_parse_error_quoting_the_exact_name():
    with pytest.raises(ParseError, match=r"demo: field 'จังหวัด' in row 7: is not a known province name \(value 'เมืองพัทยา '\)"):
        code("เมืองพัทยา ")


def test_variants_table_has_provenance_and_valid_codes():
    codes = {row["area_code"] for row in seed_rows()}
    with province_names.VARIANTS_PATH.open(encoding="utf-8") as handle:
        variants = list(csv.DictReader(handle))
    assert variants and all(row["source"].strip() for row in variants)
    assert {row["area_code"] for row in variants} <= codes


def test_seed_is_read_from_the_dbt_project_directory(monkeypatch, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ref_provinces.csv").write_text("area_code,name_th,name_en,region_code\n91,สตูล,Satun,6\n", encoding="utf-8")
    monkeypatch.setenv("SMARTCITY_DBT_PROJECT_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="unknown code"):  # the variants name codes this seed lacks
        province_names.lookup_table()


def test_province_codes_are_the_seed_codes_not_a_list_in_code(monkeypatch, tmp_path):
    from extract import catalogue

    seed_codes = tuple(row["area_code"] for row in seed_rows())
    assert catalogue.PROVINCE_CODES == province_names.province_codes() == seed_codes
    assert catalogue.load_catalogue()["dopa_population"].default_provinces == seed_codes
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ref_provinces.csv").write_text("area_code,name_th,name_en,region_code\n91,สตูล,Satun,6\n", encoding="utf-8")
    monkeypatch.setenv("SMARTCITY_DBT_PROJECT_DIR", str(tmp_path))
    assert province_names.province_codes() == ("91",)
