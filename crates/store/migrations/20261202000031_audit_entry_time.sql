-- The newest operations are read in the time they record (`audit::recent`, on every
-- dashboard view): an index walked from its end instead of a sort of the jurisdiction's log.
create index audit_entry_at on audit_entry (at, seq);
