-- 处置 and 销号 of the 有照无证 / 无照无证 lists (seed 002 task (11), (19)): what became of each
-- listed operator, dated, with a note, evidence files and optionally the case it led to; and the
-- closing of the entry (销号) when the matter is settled, reopened only by a leader.
-- Portable SQL (decision 0002). Days are 'YYYY-MM-DD'; instants are RFC 3339 UTC text.

-- One disposal of one operator. `kind` is a code of meijian_domain::disposal::DisposalKind.
create table operator_disposal (
    id              text primary key,
    operator_id     text not null,
    -- The operator's district when recorded, so scoped reads need no join.
    region_code     text not null,
    kind            text not null,
    disposed_on     text not null,
    note            text not null,
    -- The enforcement case it led to, if any.
    case_id         text references enforcement_case (id),
    recorded_by_id  text,
    recorded_by     text not null,
    recorded_at     text not null
);
create index operator_disposal_operator on operator_disposal (operator_id, disposed_on);
create index operator_disposal_kind on operator_disposal (kind, operator_id);

-- 证据: files kept in the database with their SHA-256, like complaint attachments.
create table operator_disposal_file (
    id              text primary key,
    disposal_id     text not null references operator_disposal (id),
    file_name       text not null,
    content_type    text not null,
    size_bytes      bigint not null,
    sha256          text not null,
    data            bytea not null,
    created_at      text not null
);
create index operator_disposal_file_disposal on operator_disposal_file (disposal_id);

-- 销号: one row each time an entry is closed; reopening fills the reopened_* columns. An entry
-- is closed while it has a row with no reopened_at; the unique index keeps it to one.
create table operator_closure (
    id              text primary key,
    operator_id     text not null,
    region_code     text not null,
    reason          text not null,
    closed_by_id    text,
    closed_by       text not null,
    closed_at       text not null,
    reopen_reason   text,
    reopened_by_id  text,
    reopened_by     text,
    reopened_at     text
);
create index operator_closure_operator on operator_closure (operator_id, closed_at);
create unique index operator_closure_open on operator_closure (operator_id)
    where reopened_at is null;
