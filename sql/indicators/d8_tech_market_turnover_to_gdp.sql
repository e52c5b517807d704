-- D8 information: 技术市场成交额与GDP之比 (%), technology-market turnover / gross regional product.
-- Source: staging.province_year (both in 元: metric_in_base_unit, sql/marts/indicator_macros.sql).
with turnover as (select * from metric_in_base_unit('tech_market_turnover')),
gdp as (select * from metric_in_base_unit('gdp'))
select
    t.province_code,
    t.year,
    100 * t.base_value / g.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (t.source_file, t.source_row), (g.source_file, g.source_row))
            as used (source_file, source_row)
    ) as source_rows
from turnover t
join gdp g using (province_code, year)
where g.base_value > 0
