-- S3 structure upgrading: 高技术产业营业收入与GDP之比 (%), business revenue of the high-tech
-- industry (S&T Yearbook 5-3/5-2) / gross regional product (NBS): how much of the economy the
-- high-tech industry is.
with numerator as (select * from metric_in_base_unit('high_tech_industry_revenue')),
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
