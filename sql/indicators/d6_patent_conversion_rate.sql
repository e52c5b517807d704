-- D6 technology: 专利转化率 (%), the share of patents granted in the year that have at least one
-- recorded transfer or licence. Province = first applicant's, year = grant year.
-- Source: staging.patents.
with granted as (
    select province_code, grant_year as year,
        coalesce(transfer_events, 0) + coalesce(licence_events, 0) > 0 as is_converted,
        source_file, source_row
    from staging.patents
    where grant_year is not null
)
select
    province_code,
    year,
    100 * count(*) filter (where is_converted) / count(*) as value,
    lineage(source_file, source_row) as source_rows
from granted
group by province_code, year
