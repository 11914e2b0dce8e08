-- 典型案例 (seed 003, attachment 2): a decided or closed case written up as 案例名称 and the
-- three sections 【案情介绍】, 【案件评析】, 【思考建议】, at most 1,200 characters. One per case.
-- The handling department keeps a draft; a leader publishes it, and publishing stores the
-- anonymised text (技术处理) in place of the draft, so a published case holds no names.
-- Portable SQL (decision 0002). Instants are RFC 3339 UTC text.
create table typical_case (
    case_id         text primary key references enforcement_case (id),
    title           text not null,
    intro           text not null,
    analysis        text not null,
    suggestions     text not null,
    -- draft | published
    state           text not null,
    updated_by      text not null,
    updated_at      text not null,
    published_by    text,
    published_at    text
);
create index typical_case_state on typical_case (state, published_at);
