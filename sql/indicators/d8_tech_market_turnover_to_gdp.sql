-- D8 information: 技术市场成交额与GDP之比 (%), technology-market turnover / gross regional product.
-- Source: staging.province_year (both converted to 元 with reference.unit).
with turnover as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'tech_market_turnover'
),
gdp as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'gdp'
)
select
    t.province_code,
    t.year,
    100 * t.yuan / g.yuan as value,
    t.source_file || ':' || t.source_row || '; ' || g.source_file || ':' || g.source_row
        as source_rows
from turnover t
join gdp g using (province_code, year)
where g.yuan > 0
