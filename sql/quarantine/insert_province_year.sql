-- Quarantine the cells of one file that do not reach raw.province_year: those the reader
-- rejected (view `rejected`: placeholder or text for a number, unknown area, future year,
-- mixed units, …, with the whole row as read) and those contradicting another figure for the
-- same vintage (temp table `conflicting_cells`, with the observation as read).
insert into quarantine.province_year by name
select
    r.rule::varchar as rule,
    r.reason::varchar as reason,
    r.source_column::varchar as source_column,
    r.value_raw::varchar as value_raw,
    r.values_withheld::integer as values_withheld,
    r.raw_row::json as raw_row,
    $source_file as source_file,
    $file_sha256 as file_sha256,
    r.source_row::integer as source_row,
    $loaded_at::timestamp as loaded_at
from rejected r
union all
select
    c.rule,
    c.reason,
    c.source_column,
    c.value_raw,
    1 as values_withheld,
    to_json(o) as raw_row,
    $source_file,
    $file_sha256,
    c.source_row,
    $loaded_at::timestamp
from conflicting_cells c
join observations o using (source_row, source_column)
