-- check: micro_grants_within_official_total  table: staging.patents  severity: warn
-- Cross-source: a province-year's granted patents in the micro records cannot exceed the
-- official number of grants for that province and year (NBS patent_grants). More means
-- duplicates, a wrong province, or a grant year shifted by the extract.
with micro as (
    select province_code, grant_year as year, count(*) as micro_grants
    from {batch}
    where grant_date is not null
    group by province_code, grant_year
)
select
    m.province_code,
    m.year,
    m.micro_grants,
    p.value as official_grants,
    p.source_file,
    p.source_row
from micro m
join staging.province_year p
    on p.province_code = m.province_code and p.year = m.year and p.metric = 'patent_grants'
where m.micro_grants > p.value
