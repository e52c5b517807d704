-- check: vintage_divergence  table: staging.area_year_history  severity: warn
-- The same area, year and metric published in two releases with values more than 1% apart:
-- a revision an analyst should know about (the current vintage is used downstream).
with params as (
    select 0.01 as tolerance
),
current_figures as (
    select area_code, year, metric, value as current_value, vintage as current_vintage
    from staging.area_year_history
    where is_current
)
select
    h.area_code,
    h.year,
    h.metric,
    h.vintage as earlier_vintage,
    h.value as earlier_value,
    c.current_vintage,
    c.current_value,
    round(c.current_value / h.value - 1, 5) as relative_revision,
    h.source_file,
    h.source_row
from {batch} h
join current_figures c on c.area_code = h.area_code and c.year = h.year and c.metric = h.metric
cross join params
where not h.is_current
  and h.value <> 0
  and abs(c.current_value / h.value - 1) > params.tolerance
