-- Registries (登记数据): records imported from the departments' exports (DATA.md), every
-- version kept, and the import runs with their rejected rows. Portable SQL (decision 0002).

-- One run of `meijian import` (or an upload) over one file.
create table import_run (
    id              text primary key,
    registry        text not null,
    file_name       text not null,
    file_sha256     text not null,
    encoding        text,
    -- 1: the file is a full export, so records of the importer's jurisdiction that it lacks are
    -- marked missing; 0: a partial file.
    full_export     bigint not null,
    last_wins       bigint not null,
    -- running, completed, failed. A run left "running" by a killed process is resumed by the
    -- next import of the same file.
    status          text not null,
    -- Physical line of the last row of the last committed batch: where a resume starts.
    resume_line     bigint not null default 0,
    batches         bigint not null default 0,
    rows_read       bigint not null default 0,
    rows_added      bigint not null default 0,
    rows_changed    bigint not null default 0,
    rows_unchanged  bigint not null default 0,
    rows_rejected   bigint not null default 0,
    rows_warned     bigint not null default 0,
    rows_missing    bigint not null default 0,
    -- Bytes (CSV) or rows (XLSX) of the file read so far, of the total: for progress bars.
    progress_done   bigint not null default 0,
    progress_total  bigint not null default 0,
    error           text,
    actor_id        text,
    actor_name      text not null,
    region_lo       text not null,
    region_hi       text not null,
    started_at      text not null,
    updated_at      text not null,
    finished_at     text
);
create index import_run_file on import_run (registry, file_sha256);

-- Rows of a run that were not imported (kind 'rejected'), or imported with a warning (kind
-- 'warning', e.g. an invalid USCC kept as given), with where and why.
create table import_rejection (
    import_id   text not null references import_run (id),
    seq         bigint not null,
    kind        text not null,
    line        bigint not null,
    column_name text not null,
    value       text not null,
    reason      text not null,
    primary key (import_id, seq)
);

-- The current state of each record, one row per (registry, key). Never deleted.
create table registry_record (
    id                text primary key,
    registry          text not null,
    record_key        text not null,
    name              text,
    uscc              text,
    region_code       text not null,
    status            text,
    category          text,
    -- Name, key and numbers in one lower-cased text, for substring search.
    search_text       text not null,
    data_json         text not null,
    content_hash      text not null,
    version           bigint not null,
    first_import_id   text not null,
    last_import_id    text not null,
    -- Set when a newer full export of the jurisdiction lacked the record; cleared when it
    -- reappears.
    missing_since     text,
    missing_import_id text,
    created_at        text not null,
    updated_at        text not null,
    unique (registry, record_key)
);
create index registry_record_uscc on registry_record (uscc);
-- The search index of each server follows changes by this column.
create index registry_record_updated on registry_record (updated_at);

-- Every version of every record: what changed (`{field: [old, new]}`; null for the first
-- version) and which import brought it. Any version's full content follows from the current
-- row and the changes after it, so it is not stored again.
-- No foreign keys here: the import writes a version for every new record, and the checks
-- cost two index lookups a row; the import writes both sides in one transaction.
create table registry_version (
    record_id    text not null,
    version      bigint not null,
    import_id    text not null,
    line         bigint not null,
    changes_json text,
    at           text not null,
    primary key (record_id, version)
);
