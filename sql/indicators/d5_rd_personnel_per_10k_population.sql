-- D5 talent: 每万人R&D人员 (人/万人), R&D personnel per 10,000 residents. Both converted to
-- persons with metric_in_base_unit (sql/marts/indicator_macros.sql; rd_personnel in 人,
-- population in 万人), then scaled by the factor of 万人 (10,000 persons).
-- Source: staging.province_year.
with personnel as (select * from metric_in_base_unit('rd_personnel')),
population as (select * from metric_in_base_unit('population'))
select
    r.province_code,
    r.year,
    r.base_value / p.base_value * (select factor from reference.unit where unit = '万人') as value,
    r.source_file || ':' || r.source_row || '; ' || p.source_file || ':' || p.source_row
        as source_rows
from personnel r
join population p using (province_code, year)
where p.base_value > 0
