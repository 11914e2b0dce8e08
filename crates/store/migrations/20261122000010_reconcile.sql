-- The cross-check (证照比对): runs over a jurisdiction's registries, the operators found with
-- their class, which record belongs to which operator and why, pairs left for review, and the
-- officers' decisions that every later run follows. Portable SQL (decision 0002).

-- One run. A run is written in one transaction: a failed run leaves nothing.
create table reconcile_run (
    id                  text primary key,
    -- The jurisdiction the run covered: its root and code range.
    region_code         text not null,
    region_lo           text not null,
    region_hi           text not null,
    -- 比对基准日 YYYY-MM-DD.
    as_of               text not null,
    records             bigint not null,
    operators           bigint not null,
    links               bigint not null,
    candidates          bigint not null,
    -- Operators whose class differs from the previous run's (new ones included).
    changed             bigint not null,
    previous_run_id     text,
    actor_id            text,
    actor_name          text not null,
    started_at          text not null,
    finished_at         text not null
);
create index reconcile_run_range on reconcile_run (region_lo, region_hi, finished_at);

-- An operator (主体) of a run.
create table reconcile_operator (
    run_id          text not null references reconcile_run (id),
    -- 主体编号, stable across runs.
    operator_id     text not null,
    -- The region of the operator's anchor record: the district whose list it is on.
    region_code     text not null,
    -- The anchor record's name, and what a list handed up shows beside it: a valid
    -- 统一社会信用代码 of its records, the anchor's 法定代表人/负责人 and address.
    name            text not null,
    uscc            text,
    legal_rep       text,
    address         text,
    -- both, registered_only, neither, licensed_only; '' when outside medical aesthetics.
    class           text not null,
    -- The class in the previous run; null when the operator is new.
    previous_class  text,
    -- 事业单位 / 民办非企业单位 … for a 有证无照 public-sector institution.
    public_kind     text,
    scope_reason    text,
    -- 1: a record with no usable name and no code, listed alone.
    unusable        bigint not null,
    members         bigint not null,
    primary key (run_id, operator_id)
);
create index reconcile_operator_list on reconcile_operator (run_id, class, region_code);

-- Which operator each record of a run belongs to, with the link that joined it.
create table reconcile_member (
    run_id       text not null,
    registry     text not null,
    record_key   text not null,
    record_id    text not null,
    operator_id  text not null,
    region_code  text not null,
    -- Probability of the joining link, in thousandths (1000 for a record alone).
    confidence   bigint not null,
    evidence     text not null,
    primary key (run_id, registry, record_key)
);
create index reconcile_member_operator on reconcile_member (run_id, operator_id);

-- Pairs in different operators that scored in the review band (待复核).
create table reconcile_candidate (
    run_id       text not null,
    seq          bigint not null,
    a_registry   text not null,
    a_key        text not null,
    a_operator   text not null,
    b_registry   text not null,
    b_key        text not null,
    b_operator   text not null,
    region_code  text not null,
    confidence   bigint not null,
    evidence     text not null,
    primary key (run_id, seq)
);

-- Officers' decisions: merge (these two records are one operator) or split (never one).
create table reconcile_decision (
    id            text primary key,
    kind          text not null,
    a_registry    text not null,
    a_key         text not null,
    b_registry    text not null,
    b_key         text not null,
    region_code   text not null,
    note          text not null,
    actor_id      text,
    actor_name    text not null,
    decided_at    text not null,
    revoked_at    text
);
create index reconcile_decision_region on reconcile_decision (region_code);
