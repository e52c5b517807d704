-- The metric catalog: one row per province-year metric, with the one unit it is stored in.
-- Source of truth: data/reference/metrics.csv.
create or replace table reference.metric as
select
    metric, name_zh, name_en, unit, sums_to_national = 'yes' as sums_to_national,
    national_includes_others = 'yes' as national_includes_others,
    try_cast(nullif(minimum, '') as double) as minimum, aliases_zh, description
-- The dialect is fixed and strict mode off: a line pasted from a Windows editor (CRLF in an
-- LF file) otherwise defeats DuckDB's dialect sniffer and the whole catalog fails to load.
from read_csv(
    ?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    strict_mode = false
)
