-- What each domain's sources brought (raw.load_log): files loaded, rows loaded and
-- quarantined, the first and last load, and the newest file loaded.
select
    domain,
    count(*) as files,
    sum(rows_loaded) as rows_loaded,
    sum(rows_quarantined) as rows_quarantined,
    min(loaded_at) as first_loaded_at,
    max(loaded_at) as last_loaded_at,
    arg_max(source_file, loaded_at) as last_file
from raw.load_log
group by domain
order by domain
