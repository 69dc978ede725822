-- The province's reports (docs/HUB.md, Reports): each site's days summarised with the site's own code
-- (server/core/summaries.summarize_day), stored, and recomputed when new facts for that site and day arrive.

-- The service's target wait, sent with its label: the hub counts "within target" as the site does.
ALTER TABLE site_labels ADD COLUMN IF NOT EXISTS target_wait_minutes int;

-- Every site-day that has facts, and whether its stored summary still matches them. Triggers below mark a
-- site-day stale whenever one of its tickets, ratings or counter events is written; the reports recompute
-- stale site-days before they read (server/hub/reports.py, HubSummaries).
CREATE TABLE hub_summary_days (
    site_id int NOT NULL REFERENCES hub_sites(id),
    local_date text NOT NULL,
    stale boolean NOT NULL DEFAULT true,
    computed_at bigint,
    PRIMARY KEY (site_id, local_date)
);
CREATE INDEX hub_summary_days_stale ON hub_summary_days (site_id, local_date) WHERE stale;

-- One row per site, day and dimension (center, department, service, counter, officer, department_officer, hour,
-- channel): {key: figures} as JSON text, exact one-second histograms included (docs/REPORTS.md).
CREATE TABLE hub_day_summaries (
    site_id int NOT NULL REFERENCES hub_sites(id),
    local_date text NOT NULL,
    dimension text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (site_id, local_date, dimension)
);

-- A whole past month of a site per dimension (its days merged, histograms flattened): a year report reads twelve
-- rows per site, not 365. Deleted whenever one of the month's days is recomputed; rebuilt when next read.
CREATE TABLE hub_month_summaries (
    site_id int NOT NULL REFERENCES hub_sites(id),
    month text NOT NULL,
    dimension text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (site_id, month, dimension)
);

-- Statement-level triggers with transition tables: a batch of thousands of rows marks each site-day once.
CREATE FUNCTION hub_tickets_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hub_summary_days (site_id, local_date)
        SELECT DISTINCT site_id, local_date FROM changed_rows
        ON CONFLICT (site_id, local_date) DO UPDATE SET stale = true WHERE NOT hub_summary_days.stale;
    RETURN NULL;
END $$;
CREATE TRIGGER site_tickets_inserted_mark_stale AFTER INSERT ON site_tickets
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_tickets_mark_stale();
CREATE TRIGGER site_tickets_updated_mark_stale AFTER UPDATE ON site_tickets
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_tickets_mark_stale();
CREATE TRIGGER site_tickets_deleted_mark_stale AFTER DELETE ON site_tickets
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_tickets_mark_stale();

-- A rating counts on the day its ticket was served.
CREATE FUNCTION hub_ratings_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hub_summary_days (site_id, local_date)
        SELECT DISTINCT site_id, service_local_date FROM changed_rows
        ON CONFLICT (site_id, local_date) DO UPDATE SET stale = true WHERE NOT hub_summary_days.stale;
    RETURN NULL;
END $$;
CREATE TRIGGER site_ratings_inserted_mark_stale AFTER INSERT ON site_ratings
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_ratings_mark_stale();
CREATE TRIGGER site_ratings_deleted_mark_stale AFTER DELETE ON site_ratings
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_ratings_mark_stale();

-- Counter events make the officers' presence; the day is the local date (Việt Nam's zone, like the sites') of
-- the event. A counter held over midnight counts on the next day from midnight: that day is marked by the
-- events of its own (every day with tickets is marked by them anyway).
CREATE FUNCTION hub_counter_events_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hub_summary_days (site_id, local_date)
        SELECT DISTINCT site_id, to_char(to_timestamp(at) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')
        FROM changed_rows
        WHERE kind IN ('counter_opened', 'counter_closed', 'counter_paused', 'counter_resumed')
        ON CONFLICT (site_id, local_date) DO UPDATE SET stale = true WHERE NOT hub_summary_days.stale;
    RETURN NULL;
END $$;
CREATE TRIGGER site_events_inserted_mark_stale AFTER INSERT ON site_events
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_counter_events_mark_stale();
CREATE TRIGGER site_events_deleted_mark_stale AFTER DELETE ON site_events
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_counter_events_mark_stale();

-- What a site-day's computation reads: its tickets, the ratings served that day, the counter events by time.
CREATE INDEX IF NOT EXISTS site_tickets_by_site_day ON site_tickets (site_id, local_date);
CREATE INDEX IF NOT EXISTS site_ratings_by_site_day ON site_ratings (site_id, service_local_date);
CREATE INDEX IF NOT EXISTS site_events_counters ON site_events (site_id, at)
    WHERE kind IN ('counter_opened', 'counter_closed', 'counter_paused', 'counter_resumed');
-- The overview: who waits now, and the open feedback items of each site.
CREATE INDEX IF NOT EXISTS site_tickets_waiting ON site_tickets (site_id, local_date, issued_at)
    WHERE state = 'waiting';
CREATE INDEX IF NOT EXISTS site_feedback_open ON site_feedback_items (site_id) WHERE state <> 'done';
CREATE INDEX IF NOT EXISTS site_feedback_by_day ON site_feedback_items (site_id, local_date);
