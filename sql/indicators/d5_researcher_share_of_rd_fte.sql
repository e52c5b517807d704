-- D5 talent: 研究人员占R&D人员全时当量比重 (%), researchers / all R&D personnel, both in full-time
-- equivalent (S&T Yearbook 1-4, #研究人员).
with numerator as (select * from metric_in_base_unit('rd_researchers_fte')),
denominator as (select * from metric_in_base_unit('rd_personnel_fte'))
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
