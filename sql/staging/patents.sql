-- Patents, one row per CN application number. When an application arrives in several
-- extracts, the most recently loaded record wins (later extracts carry later legal events).
create or replace table staging.patents as
with source as (
    select * from raw.patents
),
latest as (
    select *
    from source
    qualify row_number() over (
        partition by application_number order by loaded_at desc, source_file desc, source_row desc
    ) = 1
)
select
    l.application_number,
    l.patent_type,
    l.application_date,
    l.grant_date,
    year(l.application_date) as application_year,
    year(l.grant_date) as grant_year,
    l.applicant,
    l.applicant_type,
    l.province_code,
    a.name_zh as province_zh,
    l.main_ipc,
    left(l.main_ipc, 4) as ipc_subclass,
    l.has_co_applicant,
    l.co_applicant_type,
    l.has_co_applicant
        and l.applicant_type <> l.co_applicant_type
        and 'enterprise' in (l.applicant_type, l.co_applicant_type)
        and (l.applicant_type in ('university', 'institute')
             or l.co_applicant_type in ('university', 'institute')) as is_industry_academia,
    l.transfer_events,
    l.licence_events,
    coalesce(l.is_synthetic, false) as is_synthetic,
    l.source_file,
    l.source_row,
    l.loaded_at
from latest l
left join reference.area a on a.area_code = l.province_code
