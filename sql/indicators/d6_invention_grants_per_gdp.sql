-- D6 technology: 单位GDP发明专利授权量 (件/亿元), domestic invention patent grants per 亿元 of
-- gross regional product (GDP converted to 亿元 with reference.unit). Source: staging.province_year.
with grants as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'invention_grants'
),
gdp as (
    select province_code, year,
        value * u.factor / (select factor from reference.unit where unit = '亿元') as yi_yuan,
        source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'gdp'
)
select
    i.province_code,
    i.year,
    i.value / g.yi_yuan as value,
    i.source_file || ':' || i.source_row || '; ' || g.source_file || ':' || g.source_row
        as source_rows
from grants i
join gdp g using (province_code, year)
where g.yi_yuan > 0
