-- Money in integer 分 (issue 11): the penalty amounts of a lead and the amounts of a reward.
-- Expand: the fen columns are added and filled from the yuan ones; the code reads the fen
-- columns and still writes both, so a server of the previous release keeps working during a
-- rolling deploy. The yuan columns are dropped in a later release.
alter table lead add column fine_fen bigint not null default 0;
alter table lead add column confiscation_fen bigint not null default 0;
update lead set fine_fen = fine_yuan * 100, confiscation_fen = confiscation_yuan * 100;

alter table reward add column forfeiture_fen bigint not null default 0;
alter table reward add column amount_fen bigint not null default 0;
update reward set forfeiture_fen = forfeiture_yuan * 100, amount_fen = amount_yuan * 100;
