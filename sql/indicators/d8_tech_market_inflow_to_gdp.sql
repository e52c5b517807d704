-- D8 information: 技术市场技术流入合同额与GDP之比 (%), value of technology-market contracts
-- flowing into the province (by buyer; S&T Yearbook 技术市场技术流向地域(合同金额)) / gross
-- regional product (NBS).
with numerator as (select * from metric_in_base_unit('tech_market_inflow_value')),
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
