-- D6 technology: 每万人有效发明专利数 (件/万人), domestic invention patents in force at year end
-- (S&T Yearbook 7-9/8-9) per 10,000 year-end residents (NBS).
with numerator as (select * from metric_in_base_unit('invention_patents_in_force')),
denominator as (select * from metric_in_base_unit('population'))
select
    n.province_code,
    n.year,
    (select factor from reference.unit where unit = '万人') * n.base_value / d.base_value as value,
    (
        select lineage(source_file, source_row)
        from (values (n.source_file, n.source_row), (d.source_file, d.source_row))
            as used (source_file, source_row)
    ) as source_rows
from numerator n
join denominator d using (province_code, year)
where d.base_value > 0
