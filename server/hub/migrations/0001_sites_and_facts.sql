-- The sites that report to the hub, and the facts they send (docs/HUB.md). Times are epoch seconds, local dates
-- 'YYYY-MM-DD' in the site's time zone, as on the site. Rows keep the site's own ids, scoped by site_id.

CREATE TABLE hub_sites (
    id serial PRIMARY KEY,
    code text UNIQUE NOT NULL,
    name text,
    level text CHECK (level IN ('tinh', 'huyen', 'xa')),
    district text,
    token_hash text UNIQUE,
    granted_at bigint,
    revoked_at bigint,
    acked_seq bigint NOT NULL DEFAULT 0,
    last_contact_at bigint,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked', 'diverged')),
    -- How many times the site's facts were started over after a divergence (docs/HUB.md, Recovery).
    epoch int NOT NULL DEFAULT 1,
    -- What the last refused batch was refused for (shown on the admin's site page).
    last_refusal text
);

-- The site's event log as recorded; `digest` is the sha256 of the event's canonical form (server/hub/protocol.py),
-- compared when a site sends a sequence number again.
CREATE TABLE site_events (
    site_id int NOT NULL REFERENCES hub_sites(id),
    seq bigint NOT NULL,
    at bigint NOT NULL,
    kind text NOT NULL,
    ticket_id bigint,
    counter_number int,
    officer text,
    payload jsonb NOT NULL,
    digest text NOT NULL,
    received_at bigint NOT NULL,
    PRIMARY KEY (site_id, seq)
);
CREATE INDEX site_events_by_time ON site_events (site_id, at);

-- The site's tickets at their newest state sent (the ticket's token never leaves the site).
CREATE TABLE site_tickets (
    site_id int NOT NULL REFERENCES hub_sites(id),
    id bigint NOT NULL,
    local_date text NOT NULL,
    service_code text NOT NULL,
    department_code text NOT NULL,
    prefix text NOT NULL,
    number int NOT NULL,
    label text NOT NULL,
    priority_group text,
    channel text NOT NULL,
    state text NOT NULL,
    arrived_at bigint NOT NULL,
    issued_at bigint NOT NULL,
    call_count int NOT NULL DEFAULT 0,
    first_called_at bigint,
    last_called_at bigint,
    service_started_at bigint,
    ended_at bigint,
    counter_number int,
    officer text,
    reserved_counter int,
    transferred_from bigint,
    root_ticket_id bigint,
    device text,
    PRIMARY KEY (site_id, id)
);
CREATE INDEX site_tickets_by_day ON site_tickets (local_date, site_id);

-- Ratings: inserted once, never changed (like the site's).
CREATE TABLE site_ratings (
    site_id int NOT NULL REFERENCES hub_sites(id),
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    client_id text,
    channel text NOT NULL,
    level int NOT NULL,
    level_name text NOT NULL,
    scale int NOT NULL,
    reasons jsonb NOT NULL DEFAULT '[]',
    comment text,
    local_date text NOT NULL,
    service_local_date text NOT NULL,
    rated_at bigint NOT NULL,
    counter_number int NOT NULL,
    officer text,
    service_code text NOT NULL,
    department_code text NOT NULL,
    device text,
    sent_on_timeout int NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, id)
);
CREATE INDEX site_ratings_by_day ON site_ratings (service_local_date, site_id);

CREATE TABLE site_feedback_items (
    site_id int NOT NULL REFERENCES hub_sites(id),
    id bigint NOT NULL,
    rating_id bigint NOT NULL,
    dissatisfied int NOT NULL,
    local_date text NOT NULL,
    opened_at bigint NOT NULL,
    state text NOT NULL,
    changed_at bigint NOT NULL,
    handled_at bigint,
    handled_by text,
    PRIMARY KEY (site_id, id)
);

CREATE TABLE site_feedback_actions (
    site_id int NOT NULL REFERENCES hub_sites(id),
    id bigint NOT NULL,
    item_id bigint NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    from_state text NOT NULL,
    to_state text NOT NULL,
    note text NOT NULL,
    PRIMARY KEY (site_id, id)
);

-- Names of the codes the facts carry, as the site's center file has them now.
CREATE TABLE site_labels (
    site_id int NOT NULL REFERENCES hub_sites(id),
    kind text NOT NULL CHECK (kind IN ('department', 'service', 'counter', 'officer')),
    code text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (site_id, kind, code)
);

-- Each start-over of a site's facts after a divergence (docs/HUB.md, Recovery), for the audit.
CREATE TABLE hub_site_epochs (
    site_id int NOT NULL REFERENCES hub_sites(id),
    epoch int NOT NULL,
    ended_at bigint NOT NULL,
    acked_seq bigint NOT NULL,
    events_dropped bigint NOT NULL,
    ended_by text NOT NULL,
    PRIMARY KEY (site_id, epoch)
);
