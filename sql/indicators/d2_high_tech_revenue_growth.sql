-- D2 chain demand: 高技术产业营业收入增长率 (%), growth of the high-tech industry's business
-- revenue (S&T Yearbook 5-3/5-2) on the previous year; only where both years are published
-- (no 2017 table, so no 2018 growth), and never across the 2016/2018 change of definition
-- (主营业务收入 -> 营业收入).
with revenue as (select * from metric_in_base_unit('high_tech_industry_revenue'))
select
    cur.province_code,
    cur.year,
    100 * (cur.base_value / prev.base_value - 1) as value,
    (
        select lineage(source_file, source_row)
        from (values (cur.source_file, cur.source_row), (prev.source_file, prev.source_row))
            as used (source_file, source_row)
    ) as source_rows
from revenue cur
join revenue prev on prev.province_code = cur.province_code and prev.year = cur.year - 1
where prev.base_value > 0
