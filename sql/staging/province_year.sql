-- The province-year panel analysts query: the 31 provinces, one current figure per
-- province, year and metric (vintage rule: see staging/area_year_history.sql), in the
-- metric's catalog unit, each row traceable to its source file and row.
create or replace table staging.province_year as
select
    area_code as province_code,
    area_zh as province_zh,
    year,
    metric,
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
