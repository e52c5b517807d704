-- D8 information: 产学研合作专利申请占比 (%), the share of patent applications filed jointly by an
-- enterprise and a university or research institute. Province = first applicant's, year =
-- application year. Source: staging.patents.
with applications as (
    select province_code, application_year as year, is_industry_academia, source_file, source_row
    from staging.patents
    where application_year is not null
)
select
    province_code,
    year,
    100 * count(*) filter (where is_industry_academia) / count(*) as value,
    lineage(source_file, source_row) as source_rows
from applications
group by province_code, year
