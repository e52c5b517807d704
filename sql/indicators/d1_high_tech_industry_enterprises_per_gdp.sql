-- D1 entrepreneurship: 每百亿元GDP高技术产业企业数 (家/百亿元), high-tech industry enterprises
-- (S&T Yearbook 5-3/5-2) per 100 亿元 of gross regional product (NBS).
with numerator as (select * from metric_in_base_unit('high_tech_industry_enterprises')),
denominator as (select * from metric_in_base_unit('gdp'))
select
    n.province_code,
    n.year,
    100 * (select factor from reference.unit where unit = '亿元') * n.base_value / d.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (n.source_file, n.source_row), (d.source_file, d.source_row))
            as used (source_file, source_row)
    ) as source_rows
from numerator n
join denominator d using (province_code, year)
where d.base_value > 0
