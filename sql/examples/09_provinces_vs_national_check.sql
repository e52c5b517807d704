-- Question (DESIGN §1, "which checks failed"): for metrics that add up to the national figure,
-- in which years do the 31 provinces not add up to the published national (全国) figure,
-- beyond 0.5% rounding? The same rule as the warn check province_sum_vs_national
-- (sql/checks/province_sum_vs_national.sql) on staging.national_year, readable without Dagster.
-- Tables: staging.national_year, staging.province_year, reference.metric.
with province_totals as (
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
from staging.national_year n
join province_totals p on p.metric = n.metric and p.year = n.year
join reference.metric m on m.metric = n.metric
where n.area_code = '000000'
  and m.sums_to_national
  and abs(p.province_sum / nullif(n.value, 0) - 1) > 0.005
order by n.metric, n.year;
