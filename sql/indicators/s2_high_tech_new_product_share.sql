-- S2 value-chain upgrading: 高技术产业新产品销售收入占营业收入比重 (%), new-product sales revenue
-- (S&T Yearbook 5-4) / business revenue (5-2) of the high-tech industry.
with numerator as (select * from metric_in_base_unit('high_tech_new_product_sales')),
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
