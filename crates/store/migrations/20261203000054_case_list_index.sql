-- Case list index (issue 12; measured by bench/case_list.sh over 1,000,000 cases, see
-- bench/README.md). Portable SQL (decision 0002).
--
-- case_list gains id and department_id after filed_on. An officer's count of a filtered list
-- (`c.department_id = … or c.id in (shared cases)` with district, stage and category) is then
-- answered from the index alone instead of reading every candidate row (up to 74,000 rows for
-- the largest district: 250–600 ms before, about 10 ms after), and the list's order
-- (filed_on desc, id desc) comes straight from the index.
drop index case_list;
create index case_list on enforcement_case (region_code, stage, category, filed_on, id, department_id);
