-- D4 policy: 地方财政科技支出占一般预算支出比重 (%), local fiscal S&T expenditure / local general
-- budget expenditure. Source: staging.province_year (both converted to 元 with reference.unit).
with st as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'local_fiscal_st_expenditure'
),
budget as (
    select province_code, year, value * u.factor as yuan, source_file, source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where metric = 'local_fiscal_expenditure'
)
select
    s.province_code,
    s.year,
    100 * s.yuan / b.yuan as value,
    s.source_file || ':' || s.source_row || '; ' || b.source_file || ':' || b.source_row
        as source_rows
from st s
join budget b using (province_code, year)
where b.yuan > 0
