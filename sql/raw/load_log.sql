-- One row per source file loaded: the lineage root of every raw and quarantined row.
-- A file whose sha256 is already here for the same domain is skipped, so loading it again
-- changes nothing (its quarantined rows are not stored twice either).
create table if not exists raw.load_log (
    domain varchar not null,          -- province_year | patents | enterprises | procurement
    source_file varchar not null,     -- path relative to the repo (absolute when outside it)
    file_sha256 varchar not null,
    reader varchar not null,          -- which reader parsed it (e.g. nbs_csv_tabcomma, csv)
    rows_loaded bigint not null,      -- rows (cells for province_year) added to raw.<domain>
    notes json,                       -- footnotes and reader notes, kept as metadata
    loaded_at timestamp not null,
    rows_quarantined bigint not null default 0,  -- rows sent to quarantine.<domain>
    primary key (domain, file_sha256)
);
-- Warehouses created before quarantine existed get the column too.
alter table raw.load_log add column if not exists rows_quarantined bigint default 0;
