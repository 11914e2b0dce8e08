-- 延期: the handling officer asks to extend the verification (核查) or conclusion (办结) limit
-- with a reason, before it runs out; a leader of the jurisdiction grants or refuses. A step is
-- extended at most once: one request may be open or granted per lead and step.
create table lead_extension (
    id                  text primary key,
    lead_id             text not null references lead (id),
    -- verify | conclude
    step                text not null,
    -- requested | granted | refused
    state               text not null,
    reason              text not null,
    requested_at        text not null,
    requested_by_id     text not null,
    requested_by_name   text not null,
    -- The deadline when asked, and the one the extension would set.
    old_due             text not null,
    new_due             text not null,
    decided_at          text,
    decided_by_name     text,
    decision_note       text
);
create index lead_extension_lead on lead_extension (lead_id);
create unique index lead_extension_once on lead_extension (lead_id, step) where state <> 'refused';
