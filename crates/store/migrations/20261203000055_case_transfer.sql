-- 行刑衔接 on a case (DOMAIN.md §11): the transfer of a suspected crime to the police, the
-- police's requests (检验、鉴定、认定, 涉案物品保管、销毁) and 双向咨询 with the police.
-- A case has at most one open transfer (proposed, approved, sent or received); the store checks
-- it. Portable SQL (decision 0002). Instants are RFC 3339 UTC text, days are YYYY-MM-DD.
create table case_transfer (
    id                          text primary key,
    case_id                     text not null references enforcement_case (id),
    police_department_id        text not null references department (id),
    procuratorate_department_id text references department (id),
    -- 证据可能灭失: the transfer is urgent.
    urgent                      bigint not null default 0,
    reason                      text not null,
    -- proposed | approved | sent | received | filed | refused | withdrawn
    state                       text not null,
    proposed_at                 text not null,
    proposed_by                 text not null,
    -- 正职负责人 decides within this limit (3 days of the report).
    decide_due                  text not null,
    decided_at                  text,
    decided_by                  text,
    decide_note                 text,
    -- after approval: sent within 24 hours.
    send_due                    text,
    sent_at                     text,
    -- comma-separated codes: letter, report, items, inspection, other
    package                     text,
    receipt_at                  text,
    -- the police decide on 立案 within 3 days of receipt.
    police_due                  text,
    -- filed | refused
    police_decision             text,
    police_decided_at           text,
    police_note                 text,
    -- 抄送检察院, when the transfer was sent and a procuratorate is known.
    copied_at                   text,
    -- prosecuted | judged | public_interest | none
    outcome                     text,
    outcome_on                  text,
    outcome_note                text
);
create index case_transfer_case on case_transfer (case_id, state);

create table case_consultation (
    id          text primary key,
    case_id     text not null references enforcement_case (id),
    -- to_police | from_police
    direction   text not null,
    question    text not null,
    asked_at    text not null,
    asked_by    text not null,
    answer      text,
    answered_at text,
    answered_by text,
    due         text not null
);
create index case_consultation_case on case_consultation (case_id, asked_at);

create table case_police_task (
    id           text primary key,
    transfer_id  text not null references case_transfer (id),
    -- inspection | appraisal | identification | custody | destruction
    kind         text not null,
    detail       text not null,
    requested_at text not null,
    due          text not null,
    done_at      text,
    done_note    text
);
create index case_police_task_transfer on case_police_task (transfer_id, requested_at);
