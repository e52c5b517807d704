-- The rows of the staged file (temp table `landing`) that break the contract, one row each:
-- the first problem in column order names reason, column and value; `problems` lists every
-- problem of the row; `raw_row` is every column of the file as read (extra columns included),
-- so a quarantined row keeps all it said. Problems come from temp table `landing_problems`
-- (source_row, column_position, source_column, value_raw, rule, reason), built from the
-- contract in pipelines/warehouse/micro.py.
create or replace temp table quarantined_rows as
with ranked as (
    select
        *,
        row_number() over (
            partition by source_row order by column_position, rule, source_column
        ) as problem_rank
    from landing_problems
),
per_row as (
    select
        source_row,
        to_json(list(
            {'column': source_column, 'value': value_raw, 'rule': rule, 'reason': reason}
            order by problem_rank
        )) as problems
    from ranked
    group by source_row
),
rows_as_read as (
    select source_row, to_json(struct_pack(*columns(* exclude (source_row)))) as raw_row
    from landing
    where source_row in (select source_row from per_row)
)
select
    first.rule,
    first.reason,
    first.source_column,
    first.value_raw,
    per_row.problems,
    rows_as_read.raw_row,
    $source_file as source_file,
    $file_sha256 as file_sha256,
    per_row.source_row,
    $loaded_at::timestamp as loaded_at
from per_row
join rows_as_read using (source_row)
join ranked first on first.source_row = per_row.source_row and first.problem_rank = 1
order by per_row.source_row
