-- Site-days now also store {hour: numbers issued} (dimension hour_issued, server/hub/reports.py): the summaries
-- stored before are computed again when next read.
UPDATE hub_summary_days SET stale = true;
DELETE FROM hub_month_summaries;
