-- Question (DESIGN §1, "which checks failed, when data last arrived"; README "Bring your own
-- files"): which rows of the files we dropped in were refused, by domain and rule, from which
-- files, and when were they loaded? Set against the load report's quarantined count.
-- Tables: quarantine.province_year, quarantine.patents, quarantine.enterprises,
-- quarantine.procurement, raw.load_log.
with refused as (
    select 'province_year' as domain, rule, reason, source_file, loaded_at
    from quarantine.province_year
    union all
    select 'patents', rule, reason, source_file, loaded_at from quarantine.patents
    union all
    select 'enterprises', rule, reason, source_file, loaded_at from quarantine.enterprises
    union all
    select 'procurement', rule, reason, source_file, loaded_at from quarantine.procurement
),
reported as (
    select domain, sum(rows_quarantined) as rows_quarantined_in_load_log
    from raw.load_log
    group by domain
)
select
    r.domain,
    r.rule,
    count(*) as rows_refused,
    count(distinct r.source_file) as files,
    string_agg(distinct r.source_file, '; ') as source_files,
    any_value(r.reason) as example_reason,
    max(r.loaded_at) as last_loaded_at,
    any_value(l.rows_quarantined_in_load_log) as domain_rows_quarantined_in_load_log
from refused r
left join reported l using (domain)
group by r.domain, r.rule
order by r.domain, rows_refused desc;
