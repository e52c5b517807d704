-- One row per loaded province-year file: the release date its figures are ranked by when the
-- rows themselves state none, and why (the vintage rule: sql/staging/area_year_history.sql).
-- mapped_release_date comes from data/reference/nbs_file_metrics.csv *as it is now*
-- (registered by pipelines/warehouse/province_year.py as file_release_mapping), so a date
-- edited there applies to files loaded before.
create or replace table staging.file_release as
with files as (
    select
        file_sha256,
        any_value(source_file) as source_file,
        max(year) as newest_year
    from raw.province_year
    group by file_sha256
)
select
    f.source_file,
    f.file_sha256,
    f.newest_year,
    m.release_date as mapped_release_date,
    m.pattern as mapping_pattern,
    -- An annual figure for year Y is published in Y+1 (communiqué, yearbook, NBS database):
    -- a file whose newest year is Y is taken as released by 31 December of Y+1. Used only to
    -- order releases that state no date; a stated or mapped date always wins.
    make_date(f.newest_year + 1, 12, 31) as inferred_release_date
from files f
left join file_release_mapping m using (source_file)
order by f.source_file
