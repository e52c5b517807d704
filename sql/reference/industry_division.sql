-- GB/T 4754-2017 manufacturing divisions, with equipment manufacturing (33-40) marked.
-- Source of truth: data/reference/industry_divisions.csv.
create or replace table reference.industry_division as
select division, name_zh, name_en, is_equipment_manufacturing::boolean as is_equipment_manufacturing
-- The dialect is fixed and strict mode off: a line pasted from a Windows editor (CRLF in an
-- LF file) otherwise defeats DuckDB's dialect sniffer and the whole catalog fails to load.
from read_csv(
    ?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    strict_mode = false
)
