-- The province-year panel analysts query: the 31 provinces, one current figure per
-- province, year and metric (vintage rule: see staging/area_year_history.sql), in the
-- metric's catalog unit, each row traceable to its source file and row.
-- metric_status: 'catalogued' when the metric is in reference.metric (data/reference/metrics.csv
-- as it is now, not as it was at load), else 'uncatalogued': a metric of an NBS export whose
-- 指标 no metric knew (docs/loading.md, "An indicator the catalog does not know"), in the unit
-- the file stated, read by no indicator. Adding the line its load note printed to metrics.csv
-- makes it 'catalogued' at the next build, without reloading the file.
create or replace table staging.province_year as
select
    area_code as province_code,
    area_zh as province_zh,
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
where area_level = 'province' and is_current
order by province_code, metric, year
