// The channel table of a report (docs/REPORTS.md, "The channel table"): numbers issued per channel (kiosk, remote,
// appointment), the period's bookings, the appointment no-show rate and the share called within 10 minutes of the
// slot. The server words and computes every line (report.channels, null for a period without bookings or remote
// numbers); this module only formats them, for the report screen (reports.js) and its A4 print (print.js).
import * as fmt from "/ui/shared/format.js";
import { precisionOf } from "/ui/admin/report_tables.js";

/** The lines of the channel table as [label, text] pairs; [] when the period had no bookings or remote numbers. */
export function channelFigures(report) {
  const places = precisionOf(report);
  // A rate's label ends in "(%)": its value is the number alone, at the report's precision ("–" for none).
  return (report.channels || []).map(({ label, value, percent }) => [label,
    percent ? fmt.dec(value, places) : fmt.int(value)]);
}
