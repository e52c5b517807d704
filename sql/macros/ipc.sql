-- International Patent Classification symbols as written in a main-IPC field: section (A-H),
-- two-digit class, subclass letter, a space, main group (1-4 digits), '/', subgroup (2-6
-- digits), e.g. 'B23K 37/02'. staging.patents derives ipc_subclass from the first four.
create or replace macro is_valid_ipc(symbol) as
    coalesce(regexp_full_match(symbol, '[A-H][0-9]{2}[A-Z] [0-9]{1,4}/[0-9]{2,6}'), false);
