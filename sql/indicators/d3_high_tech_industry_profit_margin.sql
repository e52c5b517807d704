-- D3 technology value added: 高技术产业利润率 (%), total profit / business revenue of the
-- high-tech industry (S&T Yearbook 5-3/5-2; revenue is 主营业务收入 to 2016, 营业收入 after).
with numerator as (select * from metric_in_base_unit('high_tech_industry_profit')),
denominator as (select * from metric_in_base_unit('high_tech_industry_revenue'))
select
    n.province_code,
    n.year,
    100 * n.base_value / d.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (n.source_file, n.source_row), (d.source_file, d.source_row))
            as used (source_file, source_row)
    ) as source_rows
from numerator n
join denominator d using (province_code, year)
where d.base_value > 0
