-- 案件 (issue 12): administrative cases with their parties, penalty actions, legal basis,
-- evidence, leads, history, grants to partner departments and consultation meetings.
-- Portable SQL (decision 0002). Days are 'YYYY-MM-DD' (calendar days in China); instants are
-- RFC 3339 UTC text; the decision limit is an instant like the leads' deadlines.

-- 法律依据: a maintained list, seeded from DOMAIN.md §8. `verified` is 0 for provisions the
-- reference marks [U]; administrators edit the list without a code change.
create table legal_basis (
    id          text primary key,
    law         text not null,
    article     text not null,
    content     text not null,
    -- What the provision provides as a penalty.
    penalty     text not null,
    verified    bigint not null,
    retired_at  text,
    updated_by  text not null,
    updated_at  text not null
);

insert into legal_basis values
('LB01', '基本医疗卫生与健康促进法', '第九十九条', '未取得医疗机构执业许可证擅自执业', '责令停止执业活动，没收违法所得和药品、医疗器械，并处违法所得五倍以上二十倍以下的罚款；违法所得不足一万元的，按一万元计算', 1, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB02', '医疗机构管理条例', '第四十四条', '未取得《医疗机构执业许可证》擅自执业', '责令停止执业活动，没收非法所得和药品、器械，可以处一万元以下的罚款（2022年修订后条文编号待核）', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB03', '医疗机构管理条例', '第四十六条', '出卖、转让、出借《医疗机构执业许可证》', '没收非法所得，可以处五千元以下的罚款；情节严重的，吊销《医疗机构执业许可证》（条文编号待核）', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB04', '医疗机构管理条例', '第四十七条', '诊疗活动超出登记范围', '予以警告、责令其改正，可以处三千元以下的罚款；情节严重的，吊销《医疗机构执业许可证》（条文编号待核）', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB05', '医疗机构管理条例', '第四十八条', '使用非卫生技术人员从事医疗卫生技术工作', '责令限期改正，可以处五千元以下的罚款；情节严重的，吊销《医疗机构执业许可证》（条文编号待核）', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB06', '医疗机构管理条例实施细则', '第七十七条', '未取得《医疗机构执业许可证》擅自执业', '处三千元以下的罚款；有下列情形之一的，处三千元以上一万元以下的罚款：因擅自执业曾受过处罚、使用非卫生技术人员、擅自执业时间三个月以上、给患者造成伤害、使用假药劣药蒙骗患者、以行医为名骗取患者钱物、省级卫生行政部门规定的其他情形', 1, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB07', '医师法', '第五十九条', '非医师行医', '责令停止非法执业活动，没收违法所得和药品、医疗器械，并处违法所得二倍以上十倍以下的罚款；违法所得不足一万元的，按一万元计算', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB08', '刑法', '第三百三十六条', '非法行医罪：未取得医生执业资格的人非法行医，情节严重', '处三年以下有期徒刑、拘役或者管制，并处或者单处罚金；严重损害就诊人身体健康的，处三年以上十年以下有期徒刑；造成就诊人死亡的，处十年以上有期徒刑', 1, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB09', '药品管理法', '第一百一十七条', '生产、销售、使用劣药', '没收违法生产、销售的药品和违法所得，并处违法生产、销售的药品货值金额十倍以上二十倍以下的罚款；情节严重的，责令停产停业整顿直至吊销许可证件', 1, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB10', '药品管理法', '第一百一十六条', '生产、销售、使用假药', '没收违法生产、销售的药品和违法所得，并处违法生产、销售的药品货值金额十五倍以上三十倍以下的罚款', 0, null, '初始数据', '2026-12-03T00:00:00Z'),
('LB11', '明码标价和禁止价格欺诈规定', '第十九条', '价格欺诈', '依照价格法有关规定处罚（罚款幅度待核）', 1, null, '初始数据', '2026-12-03T00:00:00Z');

-- 案件. `department_id` is the handling department (办案机关); an imported case whose 办案机关
-- names no department of ours keeps the name in `authority` and no department.
create table enforcement_case (
    id              text primary key,
    -- 案件编号: the authority's own number, unique.
    case_no         text not null unique,
    title           text not null,
    category        text not null,
    origin          text not null,
    stage           text not null,
    region_code     text not null,
    department_id   text references department (id),
    authority       text not null,
    -- 违法行为 and the facts found, free text.
    violation       text not null,
    filed_on        text not null,
    -- The decision limit (90 days from 立案, extended once on approval); null once decided.
    decide_due      text,
    -- requested | approved | refused; null when never asked.
    extension_state text,
    extension_reason text,
    notified_on     text,
    -- 陈述申辩 / 听证 after the notice: whether the party asked for a hearing, and the note.
    hearing         bigint not null default 0,
    defence_note    text,
    decided_on      text,
    closed_on       text,
    close_note      text,
    withdrawn_at    text,
    withdraw_reason text,
    -- history (a file of `meijian import cases`) | officer
    source          text not null,
    created_by      text not null,
    created_at      text not null,
    updated_at      text not null,
    -- Optimistic lock: a change names the version it saw.
    version         bigint not null default 1
);
create index case_list on enforcement_case (region_code, stage, category, filed_on);
create index case_filed on enforcement_case (region_code, filed_on);
create index case_due on enforcement_case (decide_due);
create index case_department on enforcement_case (department_id, stage);

-- 当事人: an operator of the 主体库 or a named person (or an organisation no registry knows).
create table case_party (
    id              text primary key,
    case_id         text not null references enforcement_case (id),
    seq             bigint not null,
    -- organisation | person
    kind            text not null,
    name            text not null,
    -- USCC for an organisation, ID number for a person; may be null.
    id_number       text,
    operator_id     text,
    -- lenient | ordinary | severe, with the reason (危害后果, 再次违法, 从严从重情形 …).
    severity        text,
    severity_reason text,
    created_at      text not null
);
create index case_party_case on case_party (case_id, seq);
create index case_party_operator on case_party (operator_id);
create index case_party_id_number on case_party (id_number);

-- 处罚决定: one action against one party. `penalty_no` is the 处罚编号 (unique); for actions
-- entered here it is made from the case number.
create table case_action (
    id              text primary key,
    penalty_no      text not null unique,
    case_id         text not null references enforcement_case (id),
    party_id        text not null references case_party (id),
    kind            text not null,
    amount_fen      bigint not null default 0,
    ban_years       bigint,
    decided_on      text not null,
    decision_no     text not null,
    created_at      text not null
);
create index case_action_case on case_action (case_id, party_id);
create index case_action_decided on case_action (decided_on, kind);

create table case_basis (
    case_id     text not null references enforcement_case (id),
    basis_id    text not null references legal_basis (id),
    primary key (case_id, basis_id)
);

-- The leads a case came from; a group of repeated complaints points at one case.
create table case_lead (
    case_id     text not null references enforcement_case (id),
    lead_id     text not null references lead (id),
    primary key (case_id, lead_id)
);
create index case_lead_lead on case_lead (lead_id);

-- 证据: files kept in the database with their SHA-256, like complaint attachments.
create table case_evidence (
    id              text primary key,
    case_id         text not null references enforcement_case (id),
    file_name       text not null,
    content_type    text not null,
    size_bytes      bigint not null,
    sha256          text not null,
    data            bytea not null,
    note            text,
    added_by        text not null,
    added_at        text not null
);
create index case_evidence_case on case_evidence (case_id);

-- Who did what when.
create table case_event (
    id              text primary key,
    case_id         text not null references enforcement_case (id),
    at              text not null,
    action          text not null,
    actor_id        text,
    actor_name      text not null,
    department_id   text,
    note            text
);
create index case_event_case on case_event (case_id, at);

-- 联合办案: a department granted access to a case, until revoked.
create table case_grant (
    case_id         text not null references enforcement_case (id),
    department_id   text not null references department (id),
    granted_by      text not null,
    granted_at      text not null,
    note            text not null,
    revoked_by      text,
    revoked_at      text,
    primary key (case_id, department_id)
);
create index case_grant_department on case_grant (department_id);

-- 重大案件会商: a consultation meeting, its participants and conclusions.
create table case_meeting (
    id              text primary key,
    case_id         text not null references enforcement_case (id),
    held_on         text not null,
    -- Department ids invited, ','-separated.
    departments     text not null,
    participants    text not null,
    conclusions     text not null,
    recorded_by     text not null,
    recorded_at     text not null
);
create index case_meeting_case on case_meeting (case_id);

-- The penalty facts of concluded leads move into cases: one closed case per lead concluded
-- with a penalty or a transfer to the judiciary, its party the lead's operator or subject,
-- one action per fact. The lead columns stay until a later release (expand, then contract)
-- and are no longer read or written. Days here are the UTC days of the instants; the store
-- rewrites them as days in China right after this migration (cases::legacy::china_days).
insert into enforcement_case (id, case_no, title, category, origin, stage, region_code,
    department_id, authority, violation, filed_on, decide_due, decided_on, closed_on,
    close_note, source, created_by, created_at, updated_at, version)
select 'AJ' || l.code, 'QY' || l.code, l.subject_name || '案', l.category,
    case l.source when 'complaint' then 'complaint' when 'inspection' then 'inspection'
        when 'monitoring' then 'monitoring' else 'other' end,
    'closed', l.region_code, l.department_id, coalesce(d.name, ''), l.summary,
    substr(coalesce(l.accepted_at, l.received_at), 1, 10), null,
    substr(l.concluded_at, 1, 10), substr(l.concluded_at, 1, 10),
    '由线索办结结果迁移', 'officer', '系统迁移', l.concluded_at, l.concluded_at, 1
from lead l left join department d on d.id = l.department_id
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal')
    and coalesce(l.group_id, l.id) = l.id;

insert into case_party (id, case_id, seq, kind, name, id_number, operator_id, severity,
    severity_reason, created_at)
select 'AJ' || l.code || '-P1', 'AJ' || l.code, 1,
    case when l.party_organisation = 1 then 'organisation' else 'person' end,
    coalesce(l.operator_name, l.subject_name), null, l.operator_id, null, null, l.concluded_at
from lead l
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal')
    and coalesce(l.group_id, l.id) = l.id;

insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, ban_years,
    decided_on, decision_no, created_at)
select 'AJ' || l.code || '-F', 'QY' || l.code || '-F', 'AJ' || l.code, 'AJ' || l.code || '-P1',
    'fine', l.fine_fen, null, substr(l.concluded_at, 1, 10), '（迁移前未记录）', l.concluded_at
from lead l
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal') and l.fine_fen > 0
    and coalesce(l.group_id, l.id) = l.id;

insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, ban_years,
    decided_on, decision_no, created_at)
select 'AJ' || l.code || '-C', 'QY' || l.code || '-C', 'AJ' || l.code, 'AJ' || l.code || '-P1',
    'confiscate_income', l.confiscation_fen, null, substr(l.concluded_at, 1, 10),
    '（迁移前未记录）', l.concluded_at
from lead l
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal') and l.confiscation_fen > 0
    and coalesce(l.group_id, l.id) = l.id;

insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, ban_years,
    decided_on, decision_no, created_at)
select 'AJ' || l.code || '-S', 'QY' || l.code || '-S', 'AJ' || l.code, 'AJ' || l.code || '-P1',
    'suspend', 0, null, substr(l.concluded_at, 1, 10), '（迁移前未记录）', l.concluded_at
from lead l
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal') and l.suspended_or_revoked = 1
    and coalesce(l.group_id, l.id) = l.id;

insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, ban_years,
    decided_on, decision_no, created_at)
select 'AJ' || l.code || '-J', 'QY' || l.code || '-J', 'AJ' || l.code, 'AJ' || l.code || '-P1',
    'judicial', 0, null, substr(l.concluded_at, 1, 10), '（迁移前未记录）', l.concluded_at
from lead l
where l.state = 'concluded' and l.outcome = 'criminal' and coalesce(l.group_id, l.id) = l.id;

-- A group's members point at their first lead's case.
insert into case_lead (case_id, lead_id)
select 'AJ' || f.code, l.id
from lead l join lead f on f.id = coalesce(l.group_id, l.id)
where f.state = 'concluded' and f.outcome in ('penalty', 'criminal');

insert into case_event (id, case_id, at, action, actor_id, actor_name, department_id, note)
select 'AJ' || l.code || '-E1', 'AJ' || l.code, l.concluded_at, 'migrated', null, '系统迁移',
    l.department_id, '由线索 ' || l.code || ' 的办结结果生成'
from lead l
where l.state = 'concluded' and l.outcome in ('penalty', 'criminal')
    and coalesce(l.group_id, l.id) = l.id;
