-- 行刑衔接 hangs on the case only (decision 0017): 复议 and 立案监督 after a refusal, and the
-- handover of seized items after 立案, join the case transfer. The lead-level transfers to the
-- police (lead_referral of kind 'police') move onto cases right after this migration, in the
-- store (cases::legacy::police_referrals), which needs China days SQL cannot compute portably.

-- 复议 or 立案监督 may be asked until then (3 days from the refusal).
alter table case_transfer add column challenge_due text;
alter table case_transfer add column reconsidered_at text;
alter table case_transfer add column supervised_at text;
-- The agency's reasons for 复议 or 立案监督.
alter table case_transfer add column challenge_note text;
-- 移交涉案物品 within 3 days of the police's 立案.
alter table case_transfer add column handover_due text;
alter table case_transfer add column handed_over_at text;
alter table case_transfer add column handover_note text;
