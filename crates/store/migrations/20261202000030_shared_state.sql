-- State that every server behind a load balancer must see alike (decision 0014).
-- Rate limits as GCRA: the theoretical arrival time (ms since the Unix epoch) of the next
-- request of a key; a key whose time has passed is the same as no row, and is swept.
create table rate_limit (
    key     text primary key,
    tat_ms  bigint not null
);

-- One-time tokens taken (the public complaint form's nonces), kept until they expire anyway.
create table used_token (
    nonce       text primary key,
    expires_at  text not null
);

-- Keys the servers share when the configuration gives none (HMAC keys of form tokens and
-- device cookies), drawn once by the first server that needs them.
create table app_secret (
    name        text primary key,
    value       text not null,
    created_at  text not null
);
