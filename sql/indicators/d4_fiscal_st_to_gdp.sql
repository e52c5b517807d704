-- D4 policy: 地方财政科技支出与GDP之比 (%), local fiscal S&T expenditure / gross regional
-- product. Source: staging.province_year (both converted to 元 with reference.unit).
with st as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'local_fiscal_st_expenditure'
),
gdp as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'gdp'
)
select
    s.province_code,
    s.year,
    100 * s.yuan / g.yuan as value,
    s.source_file || ':' || s.source_row || '; ' || g.source_file || ':' || g.source_row
        as source_rows
from st s
join gdp g using (province_code, year)
where g.yuan > 0
