-- check: enterprise_rd_within_official_total  table: staging.enterprises  severity: warn
-- Cross-source: the R&D expenditure of a province's enterprise records (万元) cannot exceed the
-- province's total R&D expenditure (亿元, R&D communiqué) for the same year. Units are
-- converted with reference.unit, so the factor lives in data/reference/units.csv only.
with factors as (
    select
        (select factor from reference.unit where unit = '万元')
        / (select factor from reference.unit where unit = '亿元') as wan_to_yi
),
micro as (
    select province_code, year, sum(rd_expenditure) as micro_rd_wan_yuan
    from {batch}
    group by province_code, year
)
select
    m.province_code,
    m.year,
    round(m.micro_rd_wan_yuan * f.wan_to_yi, 2) as micro_rd_100m_yuan,
    p.value as official_rd_100m_yuan,
    p.source_file,
    p.source_row
from micro m
cross join factors f
join staging.province_year p
    on p.province_code = m.province_code and p.year = m.year and p.metric = 'rd_expenditure'
where m.micro_rd_wan_yuan * f.wan_to_yi > p.value
