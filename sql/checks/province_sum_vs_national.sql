-- check: province_sum_vs_national  table: staging.national_year  severity: warn
-- For additive metrics (reference.metric.sums_to_national) the 31 provinces should add up to
-- the national figure of the same year. Official figures are rounded to their published
-- precision, so a gap of up to 0.5% is rounding; a larger gap means a missing province, a
-- unit slip or a national figure from another release.
with params as (
    select 0.005 as tolerance
),
province_totals as (
    select metric, year, sum(value) as province_sum, count(*) as provinces
    from staging.province_year
    group by metric, year
)
select
    n.metric,
    n.year,
    n.value as national_value,
    p.province_sum,
    p.provinces,
    round(p.province_sum / n.value - 1, 5) as relative_gap,
    n.source_file,
    n.source_row
from {batch} n
join province_totals p on p.metric = n.metric and p.year = n.year
join reference.metric m on m.metric = n.metric
cross join params
where n.area_code = '000000'
  and m.sums_to_national
  and abs(p.province_sum / nullif(n.value, 0) - 1) > params.tolerance
