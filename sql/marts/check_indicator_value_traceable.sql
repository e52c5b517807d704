-- Asset check of marts.indicator_value: every value (observed or imputed) lists source rows,
-- and every listed source_file:source_row exists in a staging table. One row of counts and up
-- to five examples of rows that fail.
with valued as (
    select province_code, year, indicator, source_rows
    from marts.indicator_value
    where raw_value is not null or is_imputed
),
tokens as (
    select province_code, year, indicator, unnest(string_split(source_rows, '; ')) as token
    from valued
    where source_rows is not null
),
parsed as (
    select *,
        regexp_extract(token, '^(.*):([0-9]+)$', 1) as source_file,
        try_cast(regexp_extract(token, '^(.*):([0-9]+)$', 2) as bigint) as source_row
    from tokens
),
lineage as (
    select source_file, source_row::bigint as source_row from staging.province_year
    union select source_file, source_row::bigint from staging.enterprises
    union select source_file, source_row::bigint from staging.patents
    union select source_file, source_row::bigint from staging.procurement
),
unknown as (
    select p.* from parsed p
    anti join lineage l using (source_file, source_row)
)
select
    (select count(*) from valued) as values_checked,
    (select count(*) from valued where source_rows is null or source_rows = '') as without_sources,
    (select count(*) from parsed) as source_rows_checked,
    (select count(*) from unknown) as unknown_source_rows,
    (select list(indicator || ' ' || province_code || ' ' || year || ': ' || token)
        from (select * from unknown limit 5)) as examples
