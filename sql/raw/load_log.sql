-- One row per source file loaded: the lineage root of every raw row.
-- A file whose sha256 is already here for the same domain is skipped, so loading it again
-- changes nothing.
create table if not exists raw.load_log (
    domain varchar not null,          -- province_year | patents | enterprises | procurement
    source_file varchar not null,     -- path relative to the repo (absolute when outside it)
    file_sha256 varchar not null,
    reader varchar not null,          -- which reader parsed it (e.g. nbs_csv_tabcomma, csv)
    rows_loaded bigint not null,
    notes json,                       -- footnotes and reader notes, kept as metadata
    loaded_at timestamp not null,
    primary key (domain, file_sha256)
);
