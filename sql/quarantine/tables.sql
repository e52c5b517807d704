-- Rows (cells, for province_year) of loaded files that were kept out of raw.<domain>, with why
-- and the whole row as read, so nothing a file held is lost. Every data row of a loaded file is
-- in raw.<domain> or here; loaded_at and file_sha256 match the file's raw.load_log row.
-- Column meanings: data/reference/column_descriptions.csv. The micro domains' tables:
-- quarantine/micro_table.sql.
create schema if not exists quarantine;

create table if not exists quarantine.province_year (
    rule varchar not null,
    reason varchar not null,
    source_column varchar,
    value_raw varchar,
    values_withheld integer not null,
    raw_row json not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row integer not null,
    loaded_at timestamp not null
);
