-- Units and their conversion factors within a dimension (money, count, persons, ...).
-- Source of truth: data/reference/units.csv (the readers convert with the same file).
create or replace table reference.unit as
select unit, dimension, factor::double as factor, aliases
-- The dialect is fixed and strict mode off: a line pasted from a Windows editor (CRLF in an
-- LF file) otherwise defeats DuckDB's dialect sniffer and the whole catalog fails to load.
from read_csv(
    ?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    strict_mode = false
)
