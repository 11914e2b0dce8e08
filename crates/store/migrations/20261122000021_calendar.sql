-- The working-day calendar (工作日历): days an administrator added to or changed in the shipped
-- holiday arrangement (crates/domain/data/holidays.csv), e.g. next year's arrangement before the
-- package has it. National, so no region. Portable SQL (decision 0002).
create table calendar_override (
    -- YYYY-MM-DD.
    date        text primary key,
    -- holiday (休息日) or workday (调休上班), as meijian_domain::workdays::DayKind::code.
    kind        text not null,
    -- The holiday's Chinese name, e.g. 春节.
    name        text not null,
    -- Username of the administrator who set it (the audit log has the rest).
    created_by  text not null,
    created_at  text not null
);
