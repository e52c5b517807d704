-- The 31 provinces (GB/T 2260 codes), the national total and the four NBS regions.
-- Source of truth: data/reference/areas.csv (the province normaliser reads the same file).
create or replace table reference.area as
select
    area_code,
    level as area_level,
    name_zh,
    short_zh,
    name_en,
    pinyin,
    nullif(region, '') as region_code,
    try_cast(nbs_order as integer) as nbs_order,
    coalesce(region = 'CN-NORTHEAST', false) as is_northeast
-- The dialect is fixed and strict mode off: a line pasted from a Windows editor (CRLF in an
-- LF file) otherwise defeats DuckDB's dialect sniffer and the whole catalog fails to load.
from read_csv(
    ?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    strict_mode = false
)
