-- D4 policy: R&D经费中政府资金占比 (%), government funds in intramural R&D expenditure / the
-- expenditure (S&T Yearbook 1-13/1-14).
with numerator as (select * from metric_in_base_unit('rd_expenditure_government')),
denominator as (select * from metric_in_base_unit('rd_expenditure'))
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
