-- D3 technology value added: 规上工业企业新产品销售收入与GDP之比 (%), new-product sales revenue of
-- industrial enterprises above designated size (S&T Yearbook 2-22/2-23) / gross regional
-- product (NBS), both in 元 by metric_in_base_unit.
with numerator as (select * from metric_in_base_unit('industrial_new_product_sales')),
denominator as (select * from metric_in_base_unit('gdp'))
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
