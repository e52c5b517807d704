-- One row per file whose rows were taken out of the warehouse again: by `impetus unload`
-- (kept out: later runs skip the file while it stays in the source folders, until
-- `impetus unload --undo`), or because the file left the source folders (a run withdraws
-- it; the file loads again if it comes back). Its raw.load_log row is deleted with its rows.
create table if not exists raw.unloaded_file (
    domain varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    rows_removed bigint not null,             -- rows (cells for province_year) taken out of raw
    rows_quarantined_removed bigint not null, -- rows taken out of quarantine.<domain>
    loaded_at timestamp not null,             -- when the file had been loaded
    unloaded_at timestamp not null,
    reason varchar not null,                  -- 'impetus unload' | 'left the source folders'
    kept_out boolean not null                 -- true: later runs skip the file (impetus unload)
);
