-- Question (DESIGN §1, "which checks failed"): for metrics that add up to the national figure,
-- how far does each release's 31-province sum stand from the same release's national (全国)
-- figure, year by year, largest gap first? The warn check province_sum_vs_national
-- (sql/checks/province_sum_vs_national.sql) flags the rows beyond its stated tolerance; this
-- query shows every gap, so the tolerance stays stated in one place.
-- Tables: staging.area_year_history, reference.metric.
with province_totals as (
    select metric, year, vintage, sum(value) as province_sum, count(*) as provinces
    from staging.area_year_history
    where area_level = 'province'
    group by metric, year, vintage
)
select
    n.metric,
    n.year,
    n.vintage,
    n.value as national_value,
    p.province_sum,
    p.provinces,
    round(p.province_sum / nullif(n.value, 0) - 1, 5) as relative_gap,
    n.source_file,
    n.source_row
from staging.area_year_history n
join province_totals p on p.metric = n.metric and p.year = n.year and p.vintage = n.vintage
join reference.metric m on m.metric = n.metric
where n.area_code = '000000'
  and m.sums_to_national
  and not m.national_includes_others
order by abs(p.province_sum / nullif(n.value, 0) - 1) desc, n.metric, n.year, n.vintage;
