-- Rows (cells, for province_year) of loaded files that were kept out of raw.<domain>, with why
-- and the whole row as read, so nothing a file held is lost. Every data row of a loaded file is
-- in raw.<domain> or here. reason/source_column/value_raw name the first problem of the row;
-- problems lists them all. rule is the short kind of problem, for counting (see
-- pipelines/readers/cells.py); loaded_at and file_sha256 match the file's raw.load_log row.
create schema if not exists quarantine;

create table if not exists quarantine.province_year (
    rule varchar not null,            -- e.g. placeholder, unknown_area, future, mixed_units
    reason varchar not null,
    source_column varchar,            -- the column of the problem (area, year, unit or value)
    value_raw varchar,                -- the offending value as written
    values_withheld integer not null, -- how many values of the row this keeps out of raw
    raw_row json not null,            -- header label -> cell text (the observation, for conflicts)
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row integer not null,
    loaded_at timestamp not null
);

create table if not exists quarantine.patents (
    rule varchar not null,
    reason varchar not null,
    source_column varchar,
    value_raw varchar,
    problems json not null,           -- [{column, value, rule, reason}, ...] every problem found
    raw_row json not null,            -- column -> text, every column of the file as read
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row bigint not null,
    loaded_at timestamp not null
);

create table if not exists quarantine.enterprises (
    rule varchar not null,
    reason varchar not null,
    source_column varchar,
    value_raw varchar,
    problems json not null,           -- [{column, value, rule, reason}, ...] every problem found
    raw_row json not null,            -- column -> text, every column of the file as read
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row bigint not null,
    loaded_at timestamp not null
);

create table if not exists quarantine.procurement (
    rule varchar not null,
    reason varchar not null,
    source_column varchar,
    value_raw varchar,
    problems json not null,           -- [{column, value, rule, reason}, ...] every problem found
    raw_row json not null,            -- column -> text, every column of the file as read
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row bigint not null,
    loaded_at timestamp not null
);
