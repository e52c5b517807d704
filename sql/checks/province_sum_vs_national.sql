-- check: province_sum_vs_national  table: staging.area_year_history  severity: warn
-- For every additive metric (reference.metric.sums_to_national) a release's 31 provinces should
-- add up to the same release's 全国: compared per vintage, so a yearbook table's 全国 row is held
-- against its own provinces and a communiqué's against its own, never one release's provinces
-- against another's national figure. A vintage without a 全国 row (NBS 分省 exports) is not
-- compared. Official figures are rounded to their published precision, so a gap of up to 0.5%
-- of 全国 is rounding; a larger gap means a missing province (missing_provinces names it), a
-- unit slip. Metrics whose published 全国 also counts Hong Kong, Macao, Taiwan or 'others'
-- (reference.metric.national_includes_others: the yearbook's patent and technology-market
-- tables) add up to less by design and are not compared.
with params as (
    select 0.005 as tolerance
),
province_totals as (
    select metric, year, vintage, sum(value) as province_sum, count(*) as provinces
    from staging.area_year_history
    where area_level = 'province'
    group by metric, year, vintage
),
missing as (
    select t.metric, t.year, t.vintage, string_agg(a.name_zh, '、' order by a.area_code) as names
    from province_totals t
    cross join reference.area a
    where a.area_level = 'province'
      and not exists (
          select 1
          from staging.area_year_history h
          where h.area_code = a.area_code
            and h.metric = t.metric
            and h.year = t.year
            and h.vintage = t.vintage
      )
    group by t.metric, t.year, t.vintage
)
select
    n.metric,
    n.year,
    n.vintage,
    n.value as national_value,
    p.province_sum,
    p.provinces,
    round(p.province_sum / nullif(n.value, 0) - 1, 5) as relative_gap,
    s.names as missing_provinces,
    n.source_file,
    n.source_row
from {batch} n
join province_totals p on p.metric = n.metric and p.year = n.year and p.vintage = n.vintage
join reference.metric m on m.metric = n.metric
left join missing s on s.metric = n.metric and s.year = n.year and s.vintage = n.vintage
cross join params
where n.area_code = '000000'
  and m.sums_to_national
  and not m.national_includes_others
  and abs(p.province_sum - n.value) > params.tolerance * abs(n.value)
order by n.metric, n.year, n.vintage
