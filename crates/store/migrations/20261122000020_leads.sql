-- Complaints, leads, referrals and rewards (投诉举报、线索台账、线索移送、举报奖励).
-- Portable SQL (decision 0002). Deadlines are RFC 3339 instants (the end of the due day in
-- China for limits counted in days), so "overdue" is a text comparison with now.

-- 投诉举报人: who reported. Kept apart from leads and cases, and read only by the officers
-- handling the lead; an anonymous report has no row here.
create table reporter (
    id          text primary key,
    name        text not null,
    phone       text not null,
    address     text,
    email       text,
    created_at  text not null
);

-- 线索 (the 重点违法线索台账): every complaint becomes one; so does a finding of an inspection,
-- a monitoring hit or an officer's own observation.
create table lead (
    id                  text primary key,
    -- 线索编号, for people: XS + date + sequence of the day.
    code                text not null unique,
    -- complaint | report | clue
    kind                text not null,
    -- complaint | inspection | monitoring | officer
    source              text not null,
    category            text not null,
    -- The county where it happened: the lead's place in the jurisdiction tree.
    region_code         text not null,
    -- The department handling it now (routed by the duty matrix, moved by a referral).
    department_id       text not null references department (id),
    state               text not null,
    -- Who or what it is about, as reported, and the cross-check operator (主体编号) once an
    -- officer confirms it.
    subject_name        text not null,
    subject_address     text,
    operator_id         text,
    operator_name       text,
    -- Repeated complaints about one operator: the lead that is verified for all of them.
    group_id            text,
    summary             text not null,
    received_at         text not null,
    accept_due          text,
    verify_due          text,
    conclude_due        text,
    reply_due           text,
    accepted_at         text,
    decline_reason      text,
    declined_at         text,
    verified_at         text,
    finding             text,
    verification_note   text,
    concluded_at        text,
    outcome             text,
    conclusion_note     text,
    -- What the conclusion established, for the 汇总表 and the reward rules.
    fine_yuan           bigint not null default 0,
    confiscation_yuan   bigint not null default 0,
    suspended_or_revoked bigint not null default 0,
    party_organisation  bigint not null default 0,
    replied_at          text,
    reply_text          text,
    satisfaction        text,
    -- The deadline of the step the lead waits for now, and that step; null once nothing waits.
    next_due            text,
    next_step           text,
    created_by          text,
    created_at          text not null,
    updated_at          text not null
);
create index lead_region on lead (region_code, received_at);
create index lead_department on lead (department_id, next_due);
create index lead_due on lead (region_code, next_due);
create index lead_operator on lead (operator_id);
create index lead_group on lead (group_id);

-- 投诉举报: what was submitted, by the public page or at an officer's intake.
create table complaint (
    id              text primary key,
    lead_id         text not null references lead (id),
    -- 查询码 and the SHA-256 of the secret the reporter keeps (a random 80-bit string, so a
    -- fast hash is enough).
    ticket_code     text not null unique,
    secret_hash     text not null,
    -- online | phone | letter | hotline_12345 | hotline_12315 | walk_in
    channel         text not null,
    -- 12345/12315 工单号, letter reference …
    channel_ref     text,
    -- null when anonymous.
    reporter_id     text references reporter (id),
    happened_on     text,
    description     text not null,
    received_at     text not null,
    received_by     text
);
create index complaint_lead on complaint (lead_id);

-- 附件: photos and PDFs. Kept in the database, so a backup holds them and a failed
-- submission leaves none behind. The name is for display only; nothing is read from a path.
create table complaint_attachment (
    id              text primary key,
    complaint_id    text not null references complaint (id),
    file_name       text not null,
    content_type    text not null,
    size_bytes      bigint not null,
    sha256          text not null,
    data            bytea not null,
    created_at      text not null
);
create index complaint_attachment_complaint on complaint_attachment (complaint_id);

-- What happened to a lead, in order: the history officers and the reporter read.
create table lead_event (
    id          text primary key,
    lead_id     text not null references lead (id),
    at          text not null,
    action      text not null,
    actor_id    text,
    actor_name  text not null,
    department_id text,
    note        text,
    -- 1 when the reporter sees it on the status page.
    public      bigint not null default 0
);
create index lead_event_lead on lead_event (lead_id, at);

-- 督办: a leader chasing an overdue lead.
create table lead_supervision (
    id          text primary key,
    lead_id     text not null references lead (id),
    at          text not null,
    by_id       text not null,
    by_name     text not null,
    note        text not null,
    due         text
);
create index lead_supervision_lead on lead_supervision (lead_id);

-- 线索移送: a lead sent to another department (or, for a suspected crime, to the police with a
-- copy to the procuratorate).
create table lead_referral (
    id                  text primary key,
    lead_id             text not null references lead (id),
    -- department | police
    kind                text not null,
    from_department_id  text not null references department (id),
    to_department_id    text not null references department (id),
    copy_department_id  text references department (id),
    reason              text not null,
    -- sent | acknowledged | accepted | returned | filed | refused
    state               text not null,
    sent_at             text not null,
    sent_by             text not null,
    acknowledge_due     text not null,
    act_due             text not null,
    acknowledged_at     text,
    acted_at            text,
    response            text
);
create index lead_referral_lead on lead_referral (lead_id);
create index lead_referral_to on lead_referral (to_department_id, state);
create index lead_referral_from on lead_referral (from_department_id, state);

-- 职责分工: an administrator's duty matrix for a jurisdiction, replacing the defaults
-- category by category. kinds are comma-separated department kind codes, first preferred.
create table duty_rule (
    region_code     text not null,
    category        text not null,
    lead_kinds      text not null,
    assist_kinds    text not null,
    basis           text not null,
    updated_by      text not null,
    updated_at      text not null,
    primary key (region_code, category)
);

-- 举报奖励: one per rewarded lead; the reporter is reached through the complaint, never
-- stored on the case.
create table reward (
    id              text primary key,
    lead_id         text not null unique references lead (id),
    complaint_id    text not null references complaint (id),
    -- proposed | approved | rejected | paid
    state           text not null,
    level_name      text not null,
    forfeiture_yuan bigint not null,
    amount_yuan     bigint not null,
    joint_approval  bigint not null,
    proposed_by     text not null,
    proposed_at     text not null,
    decided_by      text,
    decided_at      text,
    decision_note   text,
    paid_at         text,
    payment_ref     text
);
