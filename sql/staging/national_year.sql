-- National totals (全国, area_code 000000) and the four NBS regions, kept apart from the 31
-- provinces so that a sum over provinces never double counts. Current vintage only.
-- metric_status: as in staging/province_year.sql (catalogued when reference.metric has it).
create or replace table staging.national_year as
select
    area_code,
    area_level,
    area_zh,
    year,
    metric,
    case when metric in (select metric from reference.metric) then 'catalogued'
         else 'uncatalogued' end as metric_status,
    value,
    unit,
    vintage,
    release_date,
    vintage_count,
    is_synthetic,
    citation,
    source_file,
    source_sheet,
    source_row,
    source_column
from staging.area_year_history
where area_level in ('national', 'region') and is_current
order by area_level, area_code, metric, year
