-- Question (DESIGN §1, "which checks failed"): for metrics that add up to the national figure,
-- how far do the 31 provinces' sums stand from the published national (全国) figure, year by
-- year, largest gap first? The warn check province_sum_vs_national
-- (sql/checks/province_sum_vs_national.sql) flags the rows beyond its stated tolerance; this
-- query shows every gap, so the tolerance stays stated in one place.
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
order by abs(p.province_sum / nullif(n.value, 0) - 1) desc, n.metric, n.year;
