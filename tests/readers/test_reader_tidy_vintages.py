"""Tidy files holding two releases (vintages) of the same figures.

The R&D communiqué of 2024 restates the 2023 intensities, so a tidy table may carry a revised
and a first-published column side by side (WIDE, suffixes of tidy.VINTAGE_SUFFIXES) or one
row per release (LONG, a vintage and release_date column). Expected values are worked out by
hand from the fixture text next to each test. The revised figures and the 2025 release date
are illustrative; the first-published ones are those of the 2023 communiqué
(../shared/realdata/rd_communique/rd_communique_2023.csv).
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.readers import SourceError, read_province_year_file

RELEASE_2023 = "https://www.stats.gov.cn/sj/zxfb/202410/t20241002_1956810.html"
RELEASE_2023_VINTAGE = "NBS release 2024-10-02 (t20241002_1956810)"

WIDE_TWO_VINTAGES = (
    "province_zh,province_en,year,rd_expenditure_100m_yuan,rd_intensity_pct_revised,"
    "rd_intensity_pct_as_first_published,vintage,release_date,"
    "vintage_as_first_published,release_date_as_first_published\n"
    "辽宁,Liaoning,2023,676.4,2.15,2.24,R&D communique 2024,2025-09-30,"
    "R&D communique 2023,2024-10-02\n"  # line 2
    "吉林,Jilin,2023,210.2,1.52,1.55,R&D communique 2024,2025-09-30,"
    "R&D communique 2023,2024-10-02\n"  # line 3
    "辽宁,Liaoning,2022,620.9,2.14,,R&D communique 2024,2025-09-30,,\n"  # line 4: no restatement
)

# The reader's fields a figure's identity and release come down to.
FIELDS = ["area_code", "year", "metric", "vintage", "value", "release_date", "source_column"]


def rows(read) -> list[tuple]:
    return sorted(read.observations[FIELDS].itertuples(index=False, name=None))


def by_column(read, field: str) -> dict[str, object]:
    """source_column -> field, for files with one row."""
    return {r.source_column: getattr(r, field) for r in read.observations.itertuples()}


def test_wide_file_gives_one_observation_per_vintage(write_file):
    read = read_province_year_file(write_file("rd_2023_restated.csv", WIDE_TWO_VINTAGES))
    assert read.reader == "tidy_csv"
    revised, first = date(2025, 9, 30), date(2024, 10, 2)
    assert rows(read) == [
        ("210000", 2022, "rd_expenditure", "R&D communique 2024", 620.9, revised,
         "rd_expenditure_100m_yuan"),
        ("210000", 2022, "rd_intensity", "R&D communique 2024", 2.14, revised,
         "rd_intensity_pct_revised"),
        ("210000", 2023, "rd_expenditure", "R&D communique 2024", 676.4, revised,
         "rd_expenditure_100m_yuan"),
        ("210000", 2023, "rd_intensity", "R&D communique 2023", 2.24, first,
         "rd_intensity_pct_as_first_published"),
        ("210000", 2023, "rd_intensity", "R&D communique 2024", 2.15, revised,
         "rd_intensity_pct_revised"),
        ("220000", 2023, "rd_expenditure", "R&D communique 2024", 210.2, revised,
         "rd_expenditure_100m_yuan"),
        ("220000", 2023, "rd_intensity", "R&D communique 2023", 1.55, first,
         "rd_intensity_pct_as_first_published"),
        ("220000", 2023, "rd_intensity", "R&D communique 2024", 1.52, revised,
         "rd_intensity_pct_revised"),
    ]  # fmt: skip
    obs = read.observations
    assert not obs.duplicated(["area_code", "year", "metric", "vintage"]).any()
    # The first-published facts are the figures' own, not columns the reader ignored.
    assert not any(note.startswith("ignored") and "first_published" in note for note in read.notes)


def test_first_published_release_from_its_citation_url(write_file):
    """source_as_first_published dates and labels the earlier release like any NBS URL, so it
    is the very vintage the 2023 communiqué file gets: loading both stores the figure once."""
    content = (
        "province,year,rd_intensity_pct,rd_intensity_pct_as_first_published,"
        "release_date,source,source_as_first_published\n"
        f"辽宁,2023,2.15,2.24,2025-09-30,R&D communique 2024 table 2,{RELEASE_2023}\n"
    )
    read = read_province_year_file(write_file("restated.csv", content))
    by_column = {r.source_column: r for r in read.observations.itertuples()}
    first = by_column["rd_intensity_pct_as_first_published"]
    assert (first.vintage, first.release_date, first.citation, first.value) == (
        RELEASE_2023_VINTAGE,
        date(2024, 10, 2),
        RELEASE_2023,
        2.24,
    )
    own = by_column["rd_intensity_pct"]
    assert own.vintage.startswith("restated.csv sha256:")  # no vintage column, no NBS URL
    assert (own.release_date, own.citation) == (date(2025, 9, 30), "R&D communique 2024 table 2")

    communique_2023 = f"province,year,rd_intensity_pct,source_url\n辽宁,2023,2.24,{RELEASE_2023}\n"
    communique = read_province_year_file(write_file("rd_2023.csv", communique_2023))
    assert communique.observations["vintage"].tolist() == [RELEASE_2023_VINTAGE]


def test_first_published_vintage_from_its_date_alone(write_file):
    content = (
        "province,year,rd_intensity_pct_revised,rd_intensity_pct_as_first_published,"
        "release_date_as_first_published\n"
        "辽宁,2023,2.15,2.24,2024-10-02\n"
    )
    read = read_province_year_file(write_file("restated.csv", content))
    vintages = by_column(read, "vintage")
    assert vintages["rd_intensity_pct_as_first_published"] == "as first published 2024-10-02"
    assert vintages["rd_intensity_pct_revised"].startswith("restated.csv sha256:")
    # The revision has no date of its own: staging ranks it by the date it infers.
    assert by_column(read, "release_date") == {
        "rd_intensity_pct_revised": None,
        "rd_intensity_pct_as_first_published": date(2024, 10, 2),
    }


def test_mapping_file_facts_are_the_revisions_only(write_file, mapping_file):
    mapping = mapping_file("restated*.csv,,,R&D communique 2024,2025-09-30,communique 2024 p.3")
    content = (
        "province,year,rd_intensity_pct,rd_intensity_pct_as_first_published,"
        "release_date_as_first_published\n"
        "辽宁,2023,2.15,2.24,2024-10-02\n"
    )
    read = read_province_year_file(write_file("restated_2023.csv", content), file_metrics=mapping)
    facts = {
        r.source_column: (r.vintage, r.release_date, r.citation)
        for r in read.observations.itertuples()
    }
    assert facts == {
        "rd_intensity_pct": ("R&D communique 2024", date(2025, 9, 30), "communique 2024 p.3"),
        "rd_intensity_pct_as_first_published": (
            "as first published 2024-10-02",
            date(2024, 10, 2),
            None,
        ),
    }


def test_first_published_without_any_date_column_refuses_the_file(write_file):
    content = (
        "province,year,rd_intensity_pct_revised,rd_intensity_pct_as_first_published,"
        "vintage_as_first_published\n"
        "辽宁,2023,2.15,2.24,R&D communique 2023\n"
    )
    path = write_file("restated_2023.csv", content)
    for mode in ("raise", "reject"):  # a file problem, not a row to quarantine
        with pytest.raises(SourceError) as refused:
            read_province_year_file(path, bad_cells=mode)
        message = str(refused.value)
        assert message.startswith(
            "restated_2023.csv: row 1, column 'rd_intensity_pct_as_first_published'"
        )
        assert "add a column release_date_as_first_published" in message
        assert "YYYY-MM-DD" in message
        assert refused.value.column == "rd_intensity_pct_as_first_published"


def test_row_without_a_first_published_date_withholds_only_those_figures(write_file):
    content = (
        "province,year,rd_expenditure_100m_yuan,rd_intensity_pct_revised,"
        "rd_intensity_pct_as_first_published,release_date_as_first_published\n"
        "辽宁,2023,676.4,2.15,2.24,2024-10-02\n"
        "吉林,2023,210.2,1.52,1.55,\n"  # line 3: first-published figure, no date
    )
    path = write_file("restated_2023.csv", content)
    with pytest.raises(SourceError) as refused:
        read_province_year_file(path)
    assert str(refused.value).startswith(
        "restated_2023.csv: row 3, column 'release_date_as_first_published', value '': "
        "no release date for the figures as first published"
    )
    read = read_province_year_file(path, bad_cells="reject")
    kept = read.observations[read.observations["area_code"] == "220000"]
    assert sorted(kept["source_column"]) == ["rd_expenditure_100m_yuan", "rd_intensity_pct_revised"]
    rejected = read.rejected[["source_row", "source_column", "rule", "values_withheld"]]
    assert rejected.values.tolist() == [
        [3, "release_date_as_first_published", "required_missing", 1]
    ]


@pytest.mark.parametrize(
    ("first_published_facts", "column", "value", "reason"),
    [
        (
            "2024/10/02,",
            "release_date_as_first_published",
            "2024/10/02",
            "not a date (expected YYYY-MM-DD)",
        ),
        (
            "2024-10-02,R&D communique 2024",
            "vintage_as_first_published",
            "R&D communique 2024",
            "the figures as first published would have the file's own vintage",
        ),
        (
            "2025-09-30,R&D communique 2023",
            "release_date_as_first_published",
            "2025-09-30",
            "the figures as first published are dated 2025-09-30, not before the file's own "
            "release of 2025-09-30",
        ),
    ],
)
def test_first_published_facts_that_cannot_be_told_apart_are_refused(
    write_file, first_published_facts, column, value, reason
):
    content = (
        "province,year,rd_intensity_pct_revised,rd_intensity_pct_as_first_published,"
        "vintage,release_date,release_date_as_first_published,vintage_as_first_published\n"
        f"辽宁,2023,2.15,2.24,R&D communique 2024,2025-09-30,{first_published_facts}\n"
    )
    read = read_province_year_file(write_file("restated_2023.csv", content), bad_cells="reject")
    assert read.observations["source_column"].tolist() == ["rd_intensity_pct_revised"]
    rejected = read.rejected.iloc[0]
    assert (rejected.source_row, rejected.source_column, rejected.value_raw) == (2, column, value)
    assert rejected.reason.startswith(reason)
    assert rejected.values_withheld == 1


def test_first_published_citing_the_files_own_release_is_refused(write_file):
    content = (
        "province,year,rd_intensity_pct,rd_intensity_pct_as_first_published,"
        "source_url,source_as_first_published\n"
        f"辽宁,2023,2.15,2.24,{RELEASE_2023},{RELEASE_2023}\n"
    )
    read = read_province_year_file(write_file("restated_2023.csv", content), bad_cells="reject")
    assert read.observations["source_column"].tolist() == ["rd_intensity_pct"]
    rejected = read.rejected.iloc[0]
    assert (rejected.source_column, rejected.value_raw) == (
        "source_as_first_published",
        RELEASE_2023_VINTAGE,
    )
    assert rejected.reason.startswith(
        "the figures as first published would have the file's own vintage"
    )


def test_two_columns_for_the_same_release_of_a_figure_refuse_the_file(write_file):
    content = "province,year,rd_intensity_pct,rd_intensity_pct_revised\n辽宁,2023,2.24,2.15\n"
    with pytest.raises(SourceError) as refused:
        read_province_year_file(write_file("restated_2023.csv", content))
    assert str(refused.value).startswith(
        "restated_2023.csv: row 1, column 'rd_intensity_pct_revised', "
        "value 'rd_intensity_pct_revised': a second column for metric rd_intensity (own release), "
        "after 'rd_intensity_pct'"
    )


def test_first_published_fact_columns_without_such_figures_are_noted_as_ignored(write_file):
    content = (
        "province,year,rd_intensity_pct,release_date_as_first_published\n"
        "辽宁,2023,2.24,2024-10-02\n"
    )
    read = read_province_year_file(write_file("rd_2023.csv", content))
    assert read.observations["value"].tolist() == [2.24]
    ignored = "ignored column(s) the reader does not use: release_date_as_first_published"
    assert ignored in read.notes


def test_long_file_with_two_vintages_of_one_figure(write_file):
    content = (
        "province,year,metric,value,unit,vintage,release_date,source\n"
        f"辽宁,2023,rd_intensity,2.24,%,R&D communique 2023,2024-10-02,{RELEASE_2023}\n"
        "辽宁,2023,rd_intensity,2.15,%,R&D communique 2024,2025-09-30,communique 2024 table 2\n"
        "吉林,2023,rd_intensity,1.55,%,R&D communique 2023,2024-10-02,\n"
    )
    read = read_province_year_file(write_file("rd_intensity_vintages.csv", content))
    assert read.reader == "tidy_long_csv"
    assert rows(read) == [
        ("210000", 2023, "rd_intensity", "R&D communique 2023", 2.24, date(2024, 10, 2), "value"),
        ("210000", 2023, "rd_intensity", "R&D communique 2024", 2.15, date(2025, 9, 30), "value"),
        ("220000", 2023, "rd_intensity", "R&D communique 2023", 1.55, date(2024, 10, 2), "value"),
    ]
    revision = read.observations[read.observations["vintage"] == "R&D communique 2024"]
    assert revision["citation"].tolist() == ["communique 2024 table 2"]
    assert read.notes == []


def test_unsuffixed_wide_file_reads_as_before(write_file):
    """Every field of every observation, for a communiqué table with no vintage suffix."""
    content = (
        "province_zh,province_en,year,rd_expenditure_100m_yuan,rd_intensity_pct,source_url\n"
        f"辽宁,Liaoning,2023,676.4,2.24,{RELEASE_2023}\n"
    )
    read = read_province_year_file(write_file("rd_communique_2023.csv", content))
    assert read.reader == "tidy_csv"
    common = {
        "source_row": 2,
        "area_raw": "辽宁",
        "area_code": "210000",
        "area_level": "province",
        "year": 2023,
        "vintage": RELEASE_2023_VINTAGE,
        "release_date": date(2024, 10, 2),
        "citation": RELEASE_2023,
        "is_synthetic": False,
        "source_sheet": None,
        "release_date_basis": "stated",  # the date is the source URL's: the file states it
    }
    assert read.observations.to_dict("records") == [
        common | {"source_column": "rd_expenditure_100m_yuan", "metric": "rd_expenditure",
                  "value": 676.4, "unit": "亿元", "value_raw": "676.4", "unit_raw": "100m_yuan"},
        common | {"source_column": "rd_intensity_pct", "metric": "rd_intensity",
                  "value": 2.24, "unit": "%", "value_raw": "2.24", "unit_raw": "pct"},
    ]  # fmt: skip
    assert read.notes == ["ignored column(s) the reader does not use: province_en"]
    assert read.rejected.empty
