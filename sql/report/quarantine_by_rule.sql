-- Rows held in quarantine, by domain and rule (the report's Data quality page): how many,
-- from how many files, an example reason and the example row's file and row.
with refused as (
    select 'province_year' as domain, rule, reason, source_file, source_row
    from quarantine.province_year
    union all
    select 'patents', rule, reason, source_file, source_row from quarantine.patents
    union all
    select 'enterprises', rule, reason, source_file, source_row from quarantine.enterprises
    union all
    select 'procurement', rule, reason, source_file, source_row from quarantine.procurement
)
select
    domain,
    rule,
    count(*) as rows_quarantined,
    count(distinct source_file) as files,
    arg_min(reason, source_file || ':' || source_row) as example_reason,
    min(source_file || ':' || source_row) as example_row
from refused
group by domain, rule
order by domain, rows_quarantined desc, rule
