-- D5 talent: 每万人R&D人员全时当量 (人年/万人), R&D personnel full-time equivalent (S&T Yearbook
-- 1-4, 人年) per 10,000 year-end residents (NBS, 万人 to persons by metric_in_base_unit).
with numerator as (select * from metric_in_base_unit('rd_personnel_fte')),
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
