-- The lasting operator record (主体库, 一户一档): one row per real-world operator, kept across
-- cross-check runs. Runs (reconcile_operator) are snapshots; this is what leads, and later
-- cases, inspections and list entries, point at. Never deleted: an operator missing from a run
-- is marked absent, a merged one points at the operator it became.
create table operator (
    -- 主体编号: the cross-check's stable id (ZT…), or ZP… for a provisional operator that no
    -- registry knows yet (a studio in a flat, a WeChat seller), created from a lead.
    id              text primary key,
    -- registry (found by a cross-check) or provisional (named by a lead).
    origin          text not null,
    -- active, absent (not in the latest run of its jurisdiction), merged (see merged_into).
    status          text not null,
    merged_into     text,
    -- The operator this one was split from, when a run split it off.
    split_from      text,
    -- The district whose list it is on.
    region_code     text not null,
    name            text not null,
    -- Every name, person and address its records carry, '｜'-separated, for search.
    names           text not null,
    uscc            text,
    legal_rep       text,
    persons         text not null,
    address         text,
    addresses       text not null,
    -- both, registered_only, neither, licensed_only; '' when outside medical aesthetics.
    class           text not null,
    public_kind     text,
    members         bigint not null,
    -- The run that set the current class; the first run that found it.
    class_run_id    text,
    first_run_id    text,
    -- The lead a provisional operator came from.
    source_lead_id  text,
    -- Hash of the identity columns above, so a run rewrites only operators that changed.
    fingerprint     text not null,
    created_at      text not null,
    updated_at      text not null,
    absent_since    text
);
create index operator_list on operator (region_code, class, status);
create index operator_uscc on operator (uscc);
create index operator_merged on operator (merged_into);

-- What happened to an operator besides its class (which runs keep): created provisionally,
-- merged, split, absent, back, linked to registry records. With who and when.
create table operator_event (
    id          text primary key,
    operator_id text not null,
    at          text not null,
    kind        text not null,
    -- The other operator of a merge, split or link.
    other_id    text,
    run_id      text,
    note        text not null,
    actor_name  text not null
);
create index operator_event_operator on operator_event (operator_id, at);

-- An institution account (医疗机构) is bound to its operator: it sees that one only.
alter table account add column operator_id text;

-- Existing runs: the newest run of each jurisdiction seeds the record.
insert into operator (id, origin, status, region_code, name, names, uscc, legal_rep, persons,
    address, addresses, class, public_kind, members, class_run_id, first_run_id, fingerprint,
    created_at, updated_at)
select o.operator_id, 'registry', 'active', o.region_code, o.name, o.name, o.uscc, o.legal_rep,
    coalesce(o.legal_rep, ''), o.address, coalesce(o.address, ''), o.class, o.public_kind,
    o.members, o.run_id, o.run_id, '', r.finished_at, r.finished_at
from reconcile_operator o join reconcile_run r on r.id = o.run_id
where r.finished_at = (select max(r2.finished_at) from reconcile_run r2
                       where r2.region_lo = r.region_lo and r2.region_hi = r.region_hi)
on conflict (id) do nothing;
