-- quarantine.<domain> of one micro domain (patents, enterprises, procurement: the same shape,
-- created for each by pipelines.warehouse.loads.ensure_schemas, which fills in {domain}).
-- reason, source_column and value_raw name the first problem of a row; problems lists them all.
create table if not exists quarantine.{domain} (
    rule varchar not null,
    reason varchar not null,
    source_column varchar,
    value_raw varchar,
    problems json not null,
    raw_row json not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row bigint not null,
    loaded_at timestamp not null
);
