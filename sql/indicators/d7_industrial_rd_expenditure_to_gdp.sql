-- D7 funding: 规上工业企业R&D经费与GDP之比 (%), intramural R&D expenditure of industrial
-- enterprises above designated size (S&T Yearbook 2-10/2-14) / gross regional product (NBS).
with numerator as (select * from metric_in_base_unit('industrial_rd_expenditure')),
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
