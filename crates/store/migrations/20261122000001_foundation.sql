-- Foundation: departments, accounts, sessions and the audit chain.
-- Portable SQL only (runs unchanged on SQLite and PostgreSQL): TEXT ids made by the
-- application, BIGINT for counters and flags, timestamps as RFC 3339 UTC text.

-- 部门: a department kind at a region (a 市场监管局 of 薛城区, say).
create table department (
    id          text primary key,
    kind        text not null,
    region_code text not null,
    name        text not null,
    created_at  text not null,
    unique (kind, region_code)
);
create index department_region on department (region_code);

-- 用户账号. "user" is reserved in PostgreSQL, hence account.
create table account (
    id             text primary key,
    username       text not null unique,
    display_name   text not null,
    password_hash  text not null,
    role           text not null,
    department_id  text not null references department (id),
    -- Counted failures since the last success or lock; reset on success.
    failed_logins  bigint not null default 0,
    locked_until   text,
    disabled       bigint not null default 0,
    created_at     text not null,
    updated_at     text not null
);
create index account_department on account (department_id);

-- Server-side sessions, so that several servers can share them. The cookie carries a
-- random token; only its SHA-256 is stored.
create table session (
    token_hash   text primary key,
    account_id   text not null references account (id),
    csrf_token   text not null,
    created_at   text not null,
    last_seen_at text not null,
    ip           text
);
create index session_account on session (account_id);

-- Append-only audit log, chained by hash: hash = sha256(prev_hash, fields of the entry).
create table audit_entry (
    seq         bigint primary key,
    at          text not null,
    actor_id    text,
    actor_name  text not null,
    action      text not null,
    entity      text not null,
    entity_id   text not null,
    region_code text,
    before_json text,
    after_json  text,
    ip          text,
    request_id  text,
    prev_hash   text not null,
    hash        text not null
);
create index audit_entry_region on audit_entry (region_code);
create index audit_entry_entity on audit_entry (entity, entity_id);

-- The head of the chain: one row. Every audit write updates it first, which serialises
-- audit writers on both databases and lets `audit verify` notice a deleted tail.
create table audit_head (
    id   bigint primary key,
    seq  bigint not null,
    hash text not null
);
insert into audit_head (id, seq, hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
