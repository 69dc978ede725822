// The report's query, number formats and tables, shared by the report screen (reports.js) and its A4 print page
// (print.js), so that screen and paper always agree. The server computes every figure (server/core/reports.py);
// this module only lays them out, in Vietnamese number formats (shared_ui/format.js: 1.545; 95,3% or 97,19% at the
// report's precision). Every text is set with textContent (shared_ui/dom.js el): names and comments are never HTML.
import { el } from "/ui/shared/dom.js";
import * as fmt from "/ui/shared/format.js";
import { json } from "/ui/shared/http.js";

export const PERIOD_KINDS = ["day", "week", "month", "quarter", "half", "year", "reporting_month", "reporting_year",
  "custom"];
export const GROUPINGS = {
  center: { label: "Trung tâm", column: "Trung tâm" },
  department: { label: "Sở/ngành", column: "Sở/ngành" },
  service: { label: "Lĩnh vực", column: "Lĩnh vực" },
  counter: { label: "Quầy", column: "Quầy" },
  officer: { label: "Công chức", column: "Công chức" },
  hour: { label: "Theo giờ", column: "Khung giờ" },
  day: { label: "Theo ngày", column: "Ngày" },
  channel: { label: "Kênh lấy số", column: "Kênh lấy số" },
};
// Decimals of a percentage the server can compute (GET /api/reports?precision=): 95,3% or 97,19%.
export const PRECISIONS = [1, 2];
export const OFFICIAL_TITLE = "Quy đổi sang 3 mức chính thức";
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The decimals of a report's percentages (1 until the server says otherwise). */
export function precisionOf(report) {
  return PRECISIONS.includes(report && report.precision) ? report.precision : 1;
}

/** The report query of a URL search string, with defaults: {period, date, last, group_by, precision}. */
export function paramsFromSearch(search) {
  const q = new URLSearchParams(search);
  const period = PERIOD_KINDS.includes(q.get("period")) ? q.get("period") : "day";
  const groupBy = Object.prototype.hasOwnProperty.call(GROUPINGS, q.get("group_by")) ? q.get("group_by")
    : "department";
  // Without a date the server takes the center's today (its time zone, not this computer's).
  const date = ISO_DATE.test(q.get("date") || "") ? q.get("date") : "";
  const last = ISO_DATE.test(q.get("last") || "") ? q.get("last") : "";
  const precision = q.get("precision") === "2" ? 2 : 1;
  return { period, date, last, group_by: groupBy, precision };
}

/** The query string of a report (without '?'); `extra` adds e.g. format=xlsx or table=, or overrides group_by. */
export function queryString(params, extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(extra)) if (k !== "group_by") q.set(k, v);
  q.set("period", params.period);
  if (params.date) q.set("date", params.date);
  if (params.period === "custom" && params.last) q.set("last", params.last);
  q.set("group_by", extra.group_by || params.group_by);
  q.set("precision", String(params.precision || 1));
  return q.toString();
}

function cell(tag, text, className, span = {}) {
  const node = el(tag, className, text);
  if (span.rows > 1) node.rowSpan = span.rows;
  if (span.cols > 1) node.colSpan = span.cols;
  return node;
}

/**
 * Reports of one period in several groupings: {ok: true, reports: {group_by: report}} or the first refusal
 * {ok: false, status, message}.
 */
export async function fetchReports(params, groupings) {
  // One request for every grouping: the server reads the period's summaries once for all of them.
  const wanted = [...new Set(groupings)];
  let body;
  try {
    body = await json("GET", `/api/reports?${queryString(params, { group_by: wanted.join(",") })}`);
  } catch (err) {
    return { ok: false, status: err.status || 0, message: err.message };
  }
  return { ok: true, reports: wanted.length === 1 ? { [wanted[0]]: body } : body.reports };
}

/** The citizens' comments and dissatisfied ratings of the period: {comments: [...], total}; null when refused. */
export async function fetchComments(params) {
  const q = new URLSearchParams({ period: params.period });
  if (params.date) q.set("date", params.date);
  if (params.period === "custom" && params.last) q.set("last", params.last);
  const body = await json("GET", `/api/reports/comments?${q}`).catch(() => null);
  return body && Array.isArray(body.comments) ? body : null;
}

/** The export and print addresses of a report, each with its precision (and table for CSV). */
export function exportLinks(params, official) {
  const csv = (table) => `/api/reports/export?${queryString(params, { format: "csv", table })}`;
  return {
    xlsx: `/api/reports/export?${queryString(params, { format: "xlsx" })}`,
    wait: csv("wait"), rating: csv("rating"), rating_official: official ? csv("rating_official") : null,
    comments: csv("comments"),
    print: `/admin/reports/print?${queryString(params, { auto: "1" })}`,
  };
}

/** Whether to show the official three-level table: the center maps its own levels (five, or renamed) to them.
 *  A center on the official three levels is its own conversion: the table would repeat the first. */
export function showsOfficial(report) {
  const official = report.total.official_ratings;
  if (!official) return false;
  const own = report.total.ratings.levels.map((level) => level.name).join("|");
  return own !== official.levels.map((level) => level.name).join("|");
}

/** Which ratings a rating table shows: the configured levels, or their official three-level conversion. */
function ratingsOf(figures, official) {
  return official ? figures.official_ratings : figures.ratings;
}

/**
 * The rating table: STT / Đơn vị / Công chức tiếp nhận / Tổng số phiếu / each level (Số phiếu, Tỷ lệ). In the
 * center's configured levels (3 or 5), or with `official` in the three official levels the center maps them to.
 */
export function ratingTable(report, official = false) {
  const places = precisionOf(report);
  const levels = ratingsOf(report.total, official).levels.map((level) => level.name);
  const table = el("table", `data rating-table levels-${levels.length}${official ? " rating-official" : ""}`);
  const head = table.createTHead();
  const top = head.insertRow();
  top.append(cell("th", "STT", "col-stt", { rows: 2 }), cell("th", "Đơn vị", "col-name col-unit", { rows: 2 }),
             cell("th", "Công chức tiếp nhận", "col-name col-officer", { rows: 2 }),
             cell("th", "Tổng số phiếu", "col-total", { rows: 2 }));
  const sub = head.insertRow();
  for (const level of levels) {
    top.append(cell("th", level, "level-head", { cols: 2 }));
    sub.append(cell("th", "Số phiếu"), cell("th", "Tỷ lệ"));
  }
  const body = table.createTBody();
  const rows = report.rows || [];
  if (!rows.length) {
    const tr = body.insertRow();
    tr.append(cell("td", "Không có dữ liệu trong kỳ báo cáo.", "no-data", { cols: 4 + 2 * levels.length }));
  }
  rows.forEach((row, i) => {
    const tr = body.insertRow();
    tr.append(cell("td", String(i + 1), "num col-stt"));
    // Đơn vị once for the officers of the same unit, as in the printed template.
    const department = row.department || "";
    if (i === 0 || (rows[i - 1].department || "") !== department) {
      let span = 1;
      while (i + span < rows.length && (rows[i + span].department || "") === department) span += 1;
      tr.append(cell("td", department, "text dept", { rows: span }));
    }
    tr.append(cell("td", row.name, "text"));
    appendRatingCells(tr, ratingsOf(row, official), levels, places);
  });
  const foot = table.createTFoot();
  const total = foot.insertRow();
  total.className = "total";
  total.append(cell("td", "Tổng cộng", "text total-label", { cols: 3 }));
  appendRatingCells(total, ratingsOf(report.total, official), levels, places);
  return table;
}

function appendRatingCells(tr, ratings, levels, places) {
  const byName = new Map(((ratings && ratings.levels) || []).map((level) => [level.name, level]));
  const rated = ratings ? ratings.total : 0;
  tr.append(cell("td", fmt.int(rated), "num strong"));
  for (const name of levels) {
    const level = byName.get(name) || { count: 0, percent: 0 };
    tr.append(cell("td", fmt.int(level.count), "num"),
              cell("td", rated ? fmt.pct(level.percent, places) : "–", "num pct"));
  }
}

/** Columns of the wait table: [{group, label, get(row) → text}]; a column without group spans both rows. */
function waitColumns(groupBy, places) {
  const columns = [
    { group: "Số lượt", label: "Lấy số", get: (r) => fmt.int(r.issued) },
    { group: "Số lượt", label: "Đã phục vụ", get: (r) => fmt.int(r.served) },
    { group: "Số lượt", label: "Vắng mặt", get: (r) => fmt.int(r.no_show) },
    { group: "Số lượt", label: "Chuyển quầy", get: (r) => fmt.int(r.transferred) },
    { group: "Số lượt", label: "Hủy", get: (r) => fmt.int(r.cancelled) },
    { group: "Thời gian chờ (phút)", label: "Trung bình", get: (r) => fmt.dec(r.wait.mean) },
    { group: "Thời gian chờ (phút)", label: "Trung vị", get: (r) => fmt.dec(r.wait.median) },
    { group: "Thời gian chờ (phút)", label: "P90", get: (r) => fmt.dec(r.wait.p90) },
    { group: "Thời gian chờ (phút)", label: "Dài nhất", get: (r) => fmt.dec(r.wait.max) },
    { label: "Thời gian phục vụ TB (phút)", get: (r) => fmt.dec(r.service.mean) },
    { label: "Tỷ lệ chờ trong thời gian quy định", get: (r) => fmt.pct(r.service_level, places) },
    { label: "Số lượt chờ quá thời gian quy định", get: (r) => fmt.int(r.over_target) },
    { label: "Tỷ lệ hài lòng (QĐ 766)", get: (r) => fmt.pct(r.satisfaction_766, places) },
    { label: "Tỷ lệ phản hồi", get: (r) => fmt.pct(r.response_rate, places) },
  ];
  if (groupBy === "officer") {
    const hours = "Thời gian tại quầy (giờ:phút)";
    columns.push({ group: hours, label: "Làm việc", get: (r) => fmt.hm(r.presence.signed_in_hours) },
                 { group: hours, label: "Tạm dừng", get: (r) => fmt.hm(r.presence.paused_hours) },
                 { group: hours, label: "Phục vụ", get: (r) => fmt.hm(r.presence.serving_hours) });
  }
  return columns;
}

/** Lấy số và thời gian chờ, one row per group of the chosen grouping, with a Tổng cộng row. */
export function waitTable(report) {
  const groupBy = report.group_by;
  const columns = waitColumns(groupBy, precisionOf(report));
  const withDepartment = groupBy === "service";
  const table = el("table", `data wait-table group-${groupBy}`);
  const head = table.createTHead();
  const top = head.insertRow();
  const sub = head.insertRow();
  top.append(cell("th", "STT", "col-stt", { rows: 2 }),
             cell("th", (GROUPINGS[groupBy] || GROUPINGS.center).column, "col-name", { rows: 2 }));
  if (withDepartment) top.append(cell("th", "Sở/ngành", "col-name col-unit", { rows: 2 }));
  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i];
    if (!column.group) {
      top.append(cell("th", column.label, "col-single", { rows: 2 }));
      continue;
    }
    let span = 1;
    while (i + span < columns.length && columns[i + span].group === column.group) span += 1;
    top.append(cell("th", column.group, "group-head", { cols: span }));
    for (let j = i; j < i + span; j += 1) sub.append(cell("th", columns[j].label));
    i += span - 1;
  }
  const body = table.createTBody();
  const rows = report.rows || [];
  if (!rows.length) {
    const tr = body.insertRow();
    tr.append(cell("td", "Không có dữ liệu trong kỳ báo cáo.", "no-data",
                   { cols: 2 + (withDepartment ? 1 : 0) + columns.length }));
  }
  rows.forEach((row, i) => {
    const tr = body.insertRow();
    tr.append(cell("td", String(i + 1), "num col-stt"), cell("td", row.name, "text"));
    if (withDepartment) tr.append(cell("td", row.department || "", "text"));
    for (const column of columns) tr.append(cell("td", column.get(row), "num"));
  });
  const foot = table.createTFoot();
  const total = foot.insertRow();
  total.className = "total";
  total.append(cell("td", "Tổng cộng", "text total-label", { cols: withDepartment ? 3 : 2 }));
  for (const column of columns) total.append(cell("td", column.get(report.total), "num"));
  return table;
}

/** Lý do không hài lòng with how often each was chosen (one rating may give several). */
export function reasonsTable(report) {
  const reasons = Object.entries(report.total.reasons || {});
  if (!reasons.length) return null;
  const table = el("table", "data reasons-table");
  const head = table.createTHead().insertRow();
  head.append(cell("th", "STT", "col-stt"), cell("th", "Lý do", "col-name"), cell("th", "Số lượt chọn"));
  const body = table.createTBody();
  reasons.forEach(([reason, count], i) => {
    const tr = body.insertRow();
    tr.append(cell("td", String(i + 1), "num col-stt"), cell("td", reason, "text"),
              cell("td", fmt.int(count), "num"));
  });
  return table;
}

const COMMENT_COLUMNS = [
  ["Ngày", (c) => fmt.date(c.date), "num col-date"],
  ["Giờ", (c) => c.time || "", "num col-time"],
  ["Số", (c) => c.label || "", "num col-label"],
  ["Lĩnh vực", (c) => c.service || "", "text"],
  ["Quầy", (c) => c.counter || "", "text col-counter"],
  ["Công chức", (c) => c.officer || "", "text"],
  ["Mức đánh giá", (c) => (c.level || "") + (c.sent_on_timeout ? " (tự gửi khi hết giờ chờ)" : ""), "text"],
  ["Lý do", (c) => (c.reasons || []).join("; "), "text"],
  ["Góp ý", (c) => c.comment || "", "text col-comment"],
];

/** Góp ý và đánh giá không hài lòng of the period, one row each; a comment is a citizen's words: text only. */
export function commentsTable(comments) {
  const table = el("table", "data comments-table");
  const head = table.createTHead().insertRow();
  for (const [label] of COMMENT_COLUMNS) head.append(cell("th", label));
  const body = table.createTBody();
  if (!comments.length) {
    body.insertRow().append(cell("td", "Không có góp ý trong kỳ báo cáo.", "no-data",
                                 { cols: COMMENT_COLUMNS.length }));
  }
  for (const comment of comments) {
    const tr = body.insertRow();
    for (const [, get, className] of COMMENT_COLUMNS) tr.append(cell("td", get(comment), className));
  }
  return table;
}

/** "Hiển thị 50/120 góp ý mới nhất" when the server sent part of them, else "". */
export function commentsNote(answer) {
  const shown = answer.comments.length;
  return answer.total > shown
    ? `Hiển thị ${fmt.int(shown)}/${fmt.int(answer.total)} góp ý mới nhất; xuất CSV để có đủ danh sách.` : "";
}

/** The feedback inbox figures of the period (report.feedback), as [label, value] pairs; [] when absent. */
export function feedbackFigures(feedback) {
  if (!feedback) return [];
  const median = feedback.median_handle_minutes;
  return [
    ["Phản ánh đã nhận", fmt.int(feedback.opened)],
    ["Trong đó: không hài lòng", fmt.int(feedback.dissatisfied)],
    ["Chỉ có góp ý", fmt.int(feedback.comments_only)],
    ["Số phản ánh đã xử lý", fmt.int(feedback.handled)],
    ["Đang chờ xử lý", fmt.int(feedback.open)],
    ["Thời gian xử lý trung vị", median === null || median === undefined ? "–" : `${fmt.dec(median)} phút`],
  ];
}
