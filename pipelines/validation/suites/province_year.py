"""staging.province_year: the panel analysts query (31 provinces x year x metric)."""

from pipelines.readers.catalog import CATALOGUE_HINT, CATALOGUED, UNCATALOGUED
from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import metrics_in_unit, province_codes
from pipelines.validation.suite import PANEL_EXAMPLE_COLUMNS, TableSuite

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

# Metrics of an NBS export whose 指标 no metric knew, loaded as uncatalogued (docs/loading.md,
# "An indicator the catalog does not know"): queryable, but out of every indicator and of the
# checks that need catalog facts. Warn, listing each with the metrics.csv line its load note
# printed (raw.load_log.notes), and the catalogued metric that now names it, if one does:
# then the figures keep the id they were loaded with until the file is unloaded and reloaded.
UNCATALOGUED_METRICS = """
with figures as (
    select * from {batch} where metric_status = 'uncatalogued'
),
summary as (
    select metric, string_agg(distinct unit, ', ' order by unit) as units, count(*) as figures,
           count(distinct {area}) as areas, min(year) as first_year, max(year) as last_year
    from figures
    group by metric
),
first_figure as (
    select metric, source_file, source_row
    from figures
    qualify row_number() over (partition by metric order by source_file, source_row) = 1
),
notes as (
    select l.source_file, n.note
    from raw.load_log l, unnest(json_extract_string(l.notes, '$[*]')) as n(note)
    where l.domain = 'province_year' and contains(n.note, '{hint}')
),
printed as (
    select f.metric, string_agg(distinct split_part(n.note, '{hint}', 2), ' / ') as line
    from (select distinct metric, source_file from figures) f
    join notes n
        on n.source_file = f.source_file
       and contains(n.note, 'uncatalogued metric ' || f.metric || ', ')
    group by f.metric
),
catalog_names as (
    select metric, unnest(string_split(name_zh || '|' || coalesce(aliases_zh, ''), '|')) as name
    from reference.metric
),
named_now as (
    select s.metric, string_agg(distinct n.metric, ', ') as catalogued_as
    from summary s
    join catalog_names n on lower(regexp_replace(n.name, '\\s', '', 'g')) = s.metric
    group by s.metric
)
select
    s.metric,
    s.units,
    s.figures,
    s.areas,
    s.first_year,
    s.last_year,
    p.line as metrics_csv_line,
    c.catalogued_as,
    case
        when c.catalogued_as is not null then
            'data/reference/metrics.csv now names this indicator ' || c.catalogued_as
            || ': the figures keep the id ' || s.metric || ' they were loaded with; unload the '
            || 'file (impetus unload) and load it again, or give the metrics.csv line the id '
            || s.metric
        when p.line is not null then 'add metrics_csv_line to data/reference/metrics.csv'
        else 'not in data/reference/metrics.csv and no load note prints its line: was it '
            || 'removed from metrics.csv?'
    end as to_catalogue,
    r.source_file,
    r.source_row
from summary s
join first_figure r using (metric)
left join printed p using (metric)
left join named_now c using (metric)
order by s.metric
"""


def uncatalogued_metrics(area_column: str) -> e.Expectation:
    """WARN: the uncatalogued metrics present, each with the metrics.csv line to add."""
    return e.no_rows(
        "every metric is in data/reference/metrics.csv (uncatalogued metrics are listed with "
        "the line that catalogues them)",
        UNCATALOGUED_METRICS.replace("{area}", area_column).replace("{hint}", CATALOGUE_HINT),
    )


def suite() -> TableSuite:
    return TableSuite(
        example_columns=PANEL_EXAMPLE_COLUMNS,
        schema="staging",
        table=TABLE,
        description="one current figure per province, year and metric",
        blocking=[
            *e.primary_key("province_code", "year", "metric"),
            *e.not_null("value", "unit", "source_file", "metric_status"),
            e.in_set("metric_status", (CATALOGUED, UNCATALOGUED)),
            e.in_set("province_code", province_codes()),
            *e.within_data_years("year"),
            # Catalog facts: these skip uncatalogued metrics, which metrics.csv does not list.
            *e.at_or_above_metric_minimum("value"),
            *e.in_catalog_unit("unit"),
            e.between("value", 0, RD_INTENSITY_MAX_PERCENT, where_metric=["rd_intensity"]),
            e.between("value", 0, 100, where_metric=metrics_in_unit("%")),
        ],
        warn=[
            e.no_rows("every (metric, year) has all 31 provinces", MISSING_PROVINCES),
            uncatalogued_metrics("province_code"),
        ],
    )
