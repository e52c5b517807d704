-- check: year_on_year_jump  table: staging.province_year  severity: warn
-- A figure more than 3 times, or less than a third of, the same province's figure for the
-- year before. Small bases jump legitimately (a province's first large technology contract),
-- so this is a warning to read, not an error.
with params as (
    select 3.0 as factor
),
series as (
    select
        province_code,
        metric,
        year,
        value,
        source_file,
        source_row,
        lag(value) over (partition by province_code, metric order by year) as previous_value,
        lag(year) over (partition by province_code, metric order by year) as previous_year
    from {batch}
)
select
    province_code,
    metric,
    year,
    previous_value,
    value,
    round(value / previous_value, 3) as ratio,
    source_file,
    source_row
from series
cross join params
where previous_year = year - 1
  and previous_value > 0
  and (value / previous_value > params.factor or value / previous_value < 1 / params.factor)
