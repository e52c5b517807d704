-- Asset check of marts.indicator_value: every value (observed or imputed) lists source rows,
-- and every listed (source_file, source_row) exists in a staging table. One row of counts and
-- up to five examples of rows that fail.
with valued as (
    select province_code, year, indicator, source_rows
    from marts.indicator_value
    where raw_value is not null or is_imputed
),
listed as (
    select province_code, year, indicator, unnest(source_rows) as source
    from valued
),
parsed as (
    select province_code, year, indicator, source.source_file, source.source_row
    from listed
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
    (select count(*) from valued where coalesce(len(source_rows), 0) = 0) as without_sources,
    (select count(*) from parsed) as source_rows_checked,
    (select count(*) from unknown) as unknown_source_rows,
    (select list(struct_pack(indicator, province_code, year, source_file, source_row))
        from (select * from unknown limit 5)) as examples
