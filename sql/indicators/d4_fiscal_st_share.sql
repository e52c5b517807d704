-- D4 policy: 地方财政科技支出占一般预算支出比重 (%), local fiscal S&T expenditure / local general
-- budget expenditure. Source: staging.province_year (both in 元: metric_in_base_unit,
-- sql/marts/indicator_macros.sql).
with st as (select * from metric_in_base_unit('local_fiscal_st_expenditure')),
budget as (select * from metric_in_base_unit('local_fiscal_expenditure'))
select
    s.province_code,
    s.year,
    100 * s.base_value / b.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (s.source_file, s.source_row), (b.source_file, b.source_row))
            as used (source_file, source_row)
    ) as source_rows
from st s
join budget b using (province_code, year)
where b.base_value > 0
