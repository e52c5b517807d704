-- D6 technology: 单位GDP发明专利授权量 (件/亿元), domestic invention patent grants per 亿元 of
-- gross regional product (GDP in 元 by metric_in_base_unit, sql/marts/indicator_macros.sql, then
-- in 亿元 by the factor of reference.unit). Source: staging.province_year.
with grants as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'invention_grants'
),
gdp as (
    select *, base_value / (select factor from reference.unit where unit = '亿元') as yi_yuan
    from metric_in_base_unit('gdp')
)
select
    i.province_code,
    i.year,
    i.value / g.yi_yuan as value,
    (
        select lineage(source_file, source_row)
        from (values (i.source_file, i.source_row), (g.source_file, g.source_row))
            as used (source_file, source_row)
    ) as source_rows
from grants i
join gdp g using (province_code, year)
where g.yi_yuan > 0
