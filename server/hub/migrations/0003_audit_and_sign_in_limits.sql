-- What the provincial admin did (tokens granted and revoked, sites started over, accounts), and failed sign-ins
-- counted per account and per address (server/hub/accounts.py).

CREATE TABLE hub_audit (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX hub_audit_by_time ON hub_audit (at);

-- `key` is 'account:<username>' or 'address:<ip>'; `failures` since `since` (the window's start).
CREATE TABLE hub_sign_in_failures (
    key text PRIMARY KEY,
    failures int NOT NULL,
    since bigint NOT NULL,
    last_at bigint NOT NULL,
    locked_until bigint NOT NULL DEFAULT 0,
    lockouts int NOT NULL DEFAULT 0
);
