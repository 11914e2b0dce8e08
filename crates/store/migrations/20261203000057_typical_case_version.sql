-- 典型案例 drafts get a version, as cases have: every save and publish names the version the
-- officer read and raises it by one, and a stale version is refused, so two officers saving the
-- same draft no longer overwrite each other unseen. A case without a row is version 0 to the
-- application; a stored row starts at 1.
-- Portable SQL (decision 0002).
alter table typical_case add column version bigint not null default 1;
