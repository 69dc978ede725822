-- Two indexes of 0100 repeated what 0001's already give a site-day's query (site_tickets_by_day on
-- (local_date, site_id), site_ratings_by_day on (service_local_date, site_id)): every ingested row paid for them.
DROP INDEX IF EXISTS site_tickets_by_site_day;
DROP INDEX IF EXISTS site_ratings_by_site_day;
