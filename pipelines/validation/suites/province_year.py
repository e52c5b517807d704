"""staging.province_year: the panel analysts query (31 provinces x year x metric)."""

from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import metrics_in_unit, province_codes
from pipelines.validation.suite import TableSuite

TABLE = "province_year"
# R&D intensity (R&D expenditure / GDP, %) is below 7 in every province so far; above 10 is
# a unit slip (a share written as a percentage of a percentage, or 万元 read as 亿元).
RD_INTENSITY_MAX_PERCENT = 10

# Every (metric, year) with data should have all 31 provinces: a gap makes national sums and
# rankings silently wrong. Warn only: real NBS tables do lack provinces (Tibet has no
# technology-market figure for 2011-2016), and a person may load one province's table.
MISSING_PROVINCES = """
with present as (select distinct metric, year from {batch})
select p.metric, p.year, a.area_code as missing_province_code, a.name_zh as missing_province_zh
from present p
cross join reference.area a
where a.area_level = 'province'
  and not exists (
      select 1 from {batch} b
      where b.metric = p.metric and b.year = p.year and b.province_code = a.area_code
  )
order by p.metric, p.year, a.area_code
"""


def suite() -> TableSuite:
    return TableSuite(
        schema="staging",
        table=TABLE,
        description="one current figure per province, year and metric",
        blocking=[
            *e.primary_key("province_code", "year", "metric"),
            *e.not_null("value", "unit", "source_file"),
            e.in_set("province_code", province_codes()),
            *e.within_data_years("year"),
            *e.at_or_above_metric_minimum("value"),
            e.between("value", 0, RD_INTENSITY_MAX_PERCENT, where_metric=["rd_intensity"]),
            e.between("value", 0, 100, where_metric=metrics_in_unit("%")),
        ],
        warn=[e.no_rows("every (metric, year) has all 31 provinces", MISSING_PROVINCES)],
    )
