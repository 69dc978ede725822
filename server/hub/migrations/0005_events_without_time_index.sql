-- site_events_by_time (site_id, at) of 0001 served no query: a site-day's counter events are read through the
-- partial index site_events_counters of 0100 (server/hub/reports.py names the kinds as literals, so every plan can
-- use it), and the rest by (site_id, seq). Every event stored paid for it (about a sixth of its insert).
DROP INDEX IF EXISTS site_events_by_time;
