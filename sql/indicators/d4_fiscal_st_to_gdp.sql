-- D4 policy: 地方财政科技支出与GDP之比 (%), local fiscal S&T expenditure / gross regional
-- product. Source: staging.province_year (both in 元: metric_in_base_unit,
-- sql/marts/indicator_macros.sql).
with st as (select * from metric_in_base_unit('local_fiscal_st_expenditure')),
gdp as (select * from metric_in_base_unit('gdp'))
select
    s.province_code,
    s.year,
    100 * s.base_value / g.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (s.source_file, s.source_row), (g.source_file, g.source_row))
            as used (source_file, source_row)
    ) as source_rows
from st s
join gdp g using (province_code, year)
where g.base_value > 0
