-- Hub accounts (provincial admin, leaders, district leaders), their server-side sessions, and the hub's secrets.

CREATE TABLE hub_secrets (
    name text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE hub_accounts (
    username text PRIMARY KEY,
    name text NOT NULL,
    -- admin: the provincial admin (sites, tokens, accounts); leader: the whole province's reports;
    -- district_leader: the reports and overview of one district (`district`, as the sites' center files name it).
    role text NOT NULL CHECK (role IN ('admin', 'leader', 'district_leader')),
    district text,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    disabled_at bigint,
    CHECK ((role = 'district_leader') = (district IS NOT NULL))
);

-- The cookie holds a random id; the table only its sha256.
CREATE TABLE hub_sessions (
    id_hash text PRIMARY KEY,
    username text NOT NULL REFERENCES hub_accounts(username),
    started_at bigint NOT NULL,
    seen_at bigint NOT NULL,
    ended_at bigint
);
CREATE INDEX hub_sessions_open_by_user ON hub_sessions (username) WHERE ended_at IS NULL;
