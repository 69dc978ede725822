// Báo cáo, thống kê (/admin/reports): supervisors, leaders and admins choose a period, a grouping and the
// precision of percentages, then read the summary paragraph, the rating table in the center's levels (and its
// official three-level conversion when the center maps to one), the wait table, the dissatisfaction reasons, the
// citizens' comments, the feedback inbox figures, the channels and bookings (report_channels.js, for a period with
// bookings or remote numbers) and four charts; they export to Excel/CSV or print (print.js).
//
// Figures come from GET /api/reports (one request for every grouping the screen needs) and the comments from
// GET /api/reports/comments; tables are in report_tables.js, shared with the print page, and number formats in
// shared_ui/format.js.
import { $, el, showMessage } from "/ui/shared/dom.js";
import * as fmt from "/ui/shared/format.js";
import { upgradeDateInputs } from "/ui/shared/date_input.js";
import { loadCenter } from "/ui/shared/http.js";
import { SUPERVISING_ROLES, startSignIn } from "/ui/shared/signin.js";
import {
  GROUPINGS, OFFICIAL_TITLE, commentsNote, commentsTable, exportLinks, feedbackFigures, fetchComments,
  fetchReports, paramsFromSearch, precisionOf, queryString, ratingTable, reasonsTable, showsOfficial,
  waitTable,
} from "/ui/admin/report_tables.js";
import { channelFigures } from "/ui/admin/report_channels.js";

// Chart colours of the rating levels, best first: three levels, or five.
const LEVEL_COLORS = { 3: ["#0f6b34", "#3d7be0", "#c8102e"],
                       5: ["#0f6b34", "#3d7be0", "#9aa5b1", "#e07b24", "#c8102e"] };
const CHART_GROUPINGS = ["department_officer", "hour", "service", "department", "officer"];
const CHANNEL_GROUPING = "channel"; // every figure split by channel, in the channel section
const MAX_SERVICE_BARS = 10;
const REPORTS_FORBIDDEN = "Chỉ lãnh đạo, giám sát và quản trị viên được xem báo cáo.";
const FIRST_HINT = "Chọn kỳ báo cáo rồi bấm “Xem báo cáo”.";

const charts = {};          // name → Chart instance, for tests and to destroy before redrawing
window.hangdoiCharts = charts;
const state = { session: null, center: null, params: null, loaded: null, serial: 0 };
let gate = null;          // the shared sign-in flow

// ----- session -----------------------------------------------------------------------------------------

function boot() {
  upgradeDateInputs(); // dd/mm/yyyy whatever the browser's language; their value stays YYYY-MM-DD
  readForm(paramsFromSearch(location.search));
  loadCenter().then((center) => {
    state.center = center;
    if (!$("center-name").textContent) $("center-name").textContent = center.name;
  }).catch(() => null); // the name is decoration
  gate = startSignIn({
    roles: SUPERVISING_ROLES,
    title: "Đăng nhập báo cáo, thống kê",
    help: "Dành cho lãnh đạo, giám sát và quản trị viên của Trung tâm.",
    forbidden: REPORTS_FORBIDDEN,
    views: { loading: "loading-view", signin: "signin-view", board: "reports-view" },
    boardView: "reports",
    onBoard: enterReports,
    onLeave: () => clearReport(FIRST_HINT),
  });
}

function enterReports(officer) {
  state.session = officer;
  loadReport();
}

// ----- the form --------------------------------------------------------------------------------------

function readForm(params) {
  $("period").value = params.period;
  $("group-by").value = params.group_by;
  $("precision").value = String(params.precision);
  if (params.period === "custom") {
    $("from").value = params.date;
    $("to").value = params.last;
    $("date").value = params.date;
  } else {
    $("date").value = params.date;
  }
  periodChanged();
}

function formParams() {
  const period = $("period").value;
  const chosen = { period, group_by: $("group-by").value, precision: Number($("precision").value) === 2 ? 2 : 1 };
  if (period === "custom") return { ...chosen, date: $("from").value, last: $("to").value };
  return { ...chosen, date: $("date").value, last: "" };
}

function periodChanged() {
  const custom = $("period").value === "custom";
  $("anchor-field").hidden = custom;
  $("from-field").hidden = !custom;
  $("to-field").hidden = !custom;
  if (custom) {
    if (!$("from").value) $("from").value = $("date").value || fmt.isoToday();
    if (!$("to").value) $("to").value = $("from").value;
  }
}

function setExportLinks(params, official) {
  const links = params ? exportLinks(params, official) : {};
  const ids = { "export-xlsx": links.xlsx, "export-csv-wait": links.wait, "export-csv-rating": links.rating,
                "export-csv-rating-official": links.rating_official, "export-csv-comments": links.comments,
                "print-link": links.print };
  $("export-csv-rating-official").hidden = !official;
  for (const [id, href] of Object.entries(ids)) {
    const link = $(id);
    if (href) {
      link.href = href;
      link.classList.remove("is-disabled");
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.classList.add("is-disabled");
      link.setAttribute("aria-disabled", "true");
    }
  }
}

// ----- loading a report ------------------------------------------------------------------------------

async function loadReport() {
  const params = formParams();
  if (params.period === "custom" && (!params.date || !params.last)) {
    showMessage($("message"), "Vui lòng chọn từ ngày và đến ngày.");
    return;
  }
  const serial = ++state.serial;
  history.replaceState(null, "", `${location.pathname}?${queryString(params)}`);
  setLoading(true);
  showMessage($("message"), "");
  let answer;
  try {
    // The comments come beside the figures; a server without them leaves their section out, nothing more.
    const [reports, comments] = await Promise.all([fetchReports(params, [params.group_by, ...CHART_GROUPINGS,
                                                                         CHANNEL_GROUPING]),
                                                   fetchComments(params).catch(() => null)]);
    answer = { ...reports, comments };
  } catch (err) {
    answer = { ok: false, status: 0, message: "Không kết nối được máy chủ, vui lòng thử lại." };
  }
  if (serial !== state.serial) return; // a newer request was made meanwhile
  setLoading(false);
  if (!answer.ok) {
    if (answer.status === 403 || answer.status === 401) {
      state.session = null;
      gate.showSignIn(answer.message || "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.");
      return;
    }
    showMessage($("message"), answer.message);
    clearReport("Chưa có báo cáo để hiển thị. Vui lòng kiểm tra lại kỳ báo cáo.");
    document.body.dataset.reportState = "error";
    return;
  }
  try {
    render(params, answer.reports, answer.comments);
    document.body.dataset.reportState = "ready";
  } catch (err) {
    console.error(err);
    showMessage($("message"), "Không hiển thị được báo cáo, vui lòng tải lại trang.");
    document.body.dataset.reportState = "error";
  }
}

function setLoading(on) {
  $("report-loading").hidden = !on;
  $("submit").disabled = on;
  $("report").classList.toggle("is-stale", on);
  document.body.setAttribute("aria-busy", on ? "true" : "false");
  if (on) document.body.dataset.reportState = "loading";
}

function clearReport(text) {
  destroyCharts();
  state.loaded = null;
  setExportLinks(null);
  $("period-title").textContent = "";
  $("report-body").hidden = true;
  $("empty").hidden = false;
  $("empty-text").textContent = text;
}

// ----- drawing ---------------------------------------------------------------------------------------

function render(params, reports, comments) {
  const main = reports[params.group_by];
  if (!params.date) {
    // First report of the day: the server chose the center's today; pin it for the links and the form.
    params.date = main.period.first; // the first day names the same period for every kind
    $("date").value = params.date;
  }
  state.loaded = params;
  const rating = reports.department_officer;
  setExportLinks(params, showsOfficial(rating));
  if (main.center) $("center-name").textContent = main.center;
  $("period-title").textContent = periodHeading(main.period);
  $("empty").hidden = true;
  $("report-body").hidden = false;

  $("summary").textContent = main.summary;
  drawKpis(main);

  drawRatings(rating);

  $("wait-period").textContent = `(${main.period.title})`;
  $("wait-grouping").textContent = `Nhóm theo: ${GROUPINGS[params.group_by].label}`;
  $("peak-hour").textContent = main.peak_hour || "chưa có";
  $("wait-table").replaceChildren(waitTable(main));

  drawReasons(main);
  drawComments(comments);
  drawChannels(reports[CHANNEL_GROUPING] || main);
  drawFeedback(main.feedback);
  drawCharts(reports);
}

/** "Quý IV/2026 (Từ ngày 01/10/2026 đến ngày 31/12/2026)"; the dates alone for a day or a chosen range. */
function periodHeading(period) {
  const name = period.name || "";
  if (!name || period.first === period.last || period.kind === "custom") return period.title;
  const named = `${name[0].toUpperCase()}${name.slice(1)}`;
  // The 15th–14th periods already name their dates ("năm 2019 (số liệu tính từ ngày 15/12/2018 …)").
  return name.includes("số liệu tính từ") ? named : `${named} (${period.title})`;
}

/** The rating table in the configured levels and, when the center maps them, the official three levels. */
function drawRatings(rating) {
  const levels = rating.total.ratings.levels.length;
  $("rating-period").textContent = `(${rating.period.title})`;
  $("rating-scale").textContent = `Thang ${levels} mức của Trung tâm.`;
  $("rating-table").replaceChildren(ratingTable(rating));
  const official = showsOfficial(rating);
  $("official-section").hidden = !official;
  $("official-title").textContent = OFFICIAL_TITLE;
  $("official-table").replaceChildren(...(official ? [ratingTable(rating, true)] : []));
  $("ratings").classList.toggle("ratings-pair", official && levels !== 3);
}

function drawComments(answer) {
  $("comments-section").hidden = !answer;
  if (!answer) return;
  $("comments-note").textContent = commentsNote(answer);
  $("comments-note").hidden = !$("comments-note").textContent;
  $("comments-table").replaceChildren(commentsTable(answer.comments));
}

/** Kênh lấy số và lịch hẹn: the report grouped by channel and the channel table, for a period with bookings. */
function drawChannels(report) {
  const figures = channelFigures(report);
  $("channels-section").hidden = !figures.length;
  $("channels-table").replaceChildren(...(figures.length ? [waitTable(report)] : []));
  $("channels-figures").replaceChildren(...figures.map(([label, value]) => {
    const item = el("div", "fact");
    item.append(el("dt", "fact-label", label), el("dd", "fact-value", value));
    return item;
  }));
}

function drawFeedback(feedback) {
  const figures = feedbackFigures(feedback);
  $("feedback-section").hidden = !figures.length;
  $("feedback-figures").replaceChildren(...figures.map(([label, value]) => {
    const item = el("div", "fact");
    item.append(el("dt", "fact-label", label), el("dd", "fact-value", value));
    return item;
  }));
}

function kpi(label, value, detail, tone) {
  const card = el("div", `kpi${tone ? ` kpi-${tone}` : ""}`);
  card.append(el("p", "kpi-label", label), el("p", "kpi-value", value));
  if (detail) card.append(el("p", "kpi-detail", detail));
  return card;
}

function drawKpis(report) {
  const t = report.total;
  const rated = t.ratings.total;
  const places = precisionOf(report);
  $("kpis").replaceChildren(
    kpi("Số lượt lấy số", fmt.int(t.issued), `Còn chờ khi hết ngày: ${fmt.int(t.left_waiting)}`),
    kpi("Đã phục vụ", fmt.int(t.served), `Vắng mặt: ${fmt.int(t.no_show)} · Chuyển quầy: ${fmt.int(t.transferred)}`),
    kpi("Thời gian chờ trung bình", t.wait.count ? `${fmt.dec(t.wait.mean)} phút` : "–",
        t.wait.count ? `P90: ${fmt.dec(t.wait.p90)} phút · Dài nhất: ${fmt.dec(t.wait.max)} phút`
          : "Chưa có lượt được gọi"),
    kpi("Chờ quá thời gian quy định", fmt.int(t.over_target),
        `Trong thời gian quy định: ${fmt.pct(t.service_level, places)}`, t.over_target ? "warn" : null),
    kpi("Tỷ lệ hài lòng (QĐ 766)", rated ? fmt.pct(t.satisfaction_766, places) : "–",
        `${fmt.int(rated)} lượt đánh giá · Phản hồi: ${fmt.pct(t.response_rate, places)}`, "good"),
    kpi("Khung giờ cao điểm", report.peak_hour || "–", "Giờ có nhiều lượt lấy số nhất", "compact"),
  );
}

function drawReasons(report) {
  const t = report.total;
  // The server counts who was dissatisfied in the center's own scale (the levels mapped to Không hài lòng).
  const dissatisfied = t.dissatisfied || 0;
  $("reasons-lead").textContent = dissatisfied
    ? `Có ${fmt.int(dissatisfied)} lượt đánh giá không hài lòng trong kỳ; một lượt có thể chọn nhiều lý do.`
    : "Không có lượt đánh giá Không hài lòng trong kỳ.";
  const table = reasonsTable(report);
  $("reasons").replaceChildren(...(table ? [table] : []));
}

// ----- charts (Chart.js from /vendor/chart.umd.min.js) ------------------------------------------------

function destroyCharts() {
  for (const name of Object.keys(charts)) {
    charts[name].destroy();
    delete charts[name];
  }
}

function chartDefaults() {
  const Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#334155";
  Chart.defaults.locale = "vi-VN";
  Chart.defaults.animation.duration = 250;
  Chart.defaults.plugins.legend.labels.boxWidth = 14;
  Chart.defaults.maintainAspectRatio = false;
}

/** Long category names on two or three lines. */
function wrapLabel(text, width = 22) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/)) {
    if (line && (line + " " + word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 1 ? lines : lines[0] || "";
}

/** Draws one chart in its card, or the card's "no data" line when `config` is null. */
function chart(name, canvasId, config, height) {
  const canvas = $(canvasId);
  const card = canvas.closest(".chart-card");
  const box = canvas.parentElement;
  card.querySelector(".chart-empty").hidden = Boolean(config);
  box.hidden = !config;
  if (!config) return;
  if (height) box.style.height = `${height}px`; // CSSOM, allowed by the CSP (style-src 'self')
  charts[name] = new window.Chart(canvas, config);
}

function drawCharts(reports) {
  destroyCharts();
  if (typeof window.Chart !== "function") {
    for (const note of document.querySelectorAll(".chart-empty")) {
      note.textContent = "Không tải được thư viện biểu đồ.";
      note.hidden = false;
    }
    for (const box of document.querySelectorAll(".chart-box")) box.hidden = true;
    return;
  }
  chartDefaults();
  // The services where citizens waited longest (all of them when there are few).
  const services = (reports.service.rows || []).filter((r) => r.wait.count)
    .sort((a, b) => b.wait.mean - a.wait.mean);
  const shown = services.slice(0, MAX_SERVICE_BARS);
  $("chart-wait-title").textContent = services.length > shown.length
    ? `Thời gian chờ: ${shown.length} lĩnh vực chờ lâu nhất (phút)` : "Thời gian chờ theo lĩnh vực (phút)";
  const departments = (reports.department.rows || []).filter((r) => r.ratings.total);
  const officers = (reports.officer.rows || []).filter((r) => r.ratings.total);
  // Charts side by side get the same height, so the cards line up.
  const topRow = barsHeight(shown.length);
  const bottomRow = barsHeight(Math.max(departments.length, officers.length));
  chart("hourly", "chart-hourly", hourlyChart(reports.hour), topRow);
  chart("wait", "chart-wait", waitChart(shown), topRow);
  chart("departments", "chart-departments", ratingChart(departments, precisionOf(reports.department)), bottomRow);
  chart("officers", "chart-officers", ratingChart(officers, precisionOf(reports.officer)), bottomRow);
}

function barsHeight(count) {
  return Math.max(280, Math.min(900, 90 + count * 34));
}

function numberTicks(decimals) {
  return { callback: (v) => (decimals ? fmt.dec(v, Number.isInteger(v) ? 0 : 1) : fmt.int(v)),
           precision: decimals ? undefined : 0 };
}

function hourlyChart(report) {
  const rows = report.rows || [];
  if (!rows.some((r) => r.issued)) return null;
  const byHour = new Map(rows.map((r) => [Number(r.key), r]));
  const hours = [...byHour.keys()];
  const first = Math.min(...hours);
  const last = Math.max(...hours);
  const labels = [];
  const issued = [];
  const wait = [];
  for (let h = first; h <= last; h += 1) {
    const row = byHour.get(h);
    labels.push(`${fmt.pad2(h)}:00`);
    issued.push(row ? row.issued : 0);
    wait.push(row && row.wait.count ? row.wait.mean : null);
  }
  return {
    data: {
      labels,
      datasets: [
        { type: "bar", label: "Lượt lấy số", data: issued, backgroundColor: "#0b3d91", borderRadius: 4,
          maxBarThickness: 56, yAxisID: "y", order: 2 },
        { type: "line", label: "Thời gian chờ TB (phút)", data: wait, borderColor: "#c8102e",
          backgroundColor: "#c8102e", pointRadius: 3, tension: 0.25, spanGaps: true, yAxisID: "y1", order: 1 },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { grid: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: "Lượt" }, ticks: numberTicks(false) },
        y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
              title: { display: true, text: "Phút" }, ticks: numberTicks(true) },
      },
      plugins: {
        legend: { position: "bottom", labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.datasetIndex === 0
          ? fmt.int(ctx.parsed.y) : fmt.dec(ctx.parsed.y)}` } },
      },
    },
  };
}

function waitChart(rows) {
  if (!rows.length) return null;
  return {
    type: "bar",
    data: {
      labels: rows.map((r) => wrapLabel(r.name)),
      datasets: [
        { label: "Trung bình", data: rows.map((r) => r.wait.mean), backgroundColor: "#0b3d91", borderRadius: 3,
          maxBarThickness: 18 },
        { label: "P90", data: rows.map((r) => r.wait.p90), backgroundColor: "#e0a526", borderRadius: 3,
          maxBarThickness: 18 },
      ],
    },
    options: {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, title: { display: true, text: "Phút" }, ticks: numberTicks(true) },
                y: { grid: { display: false } } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${fmt.dec(ctx.parsed.x)} phút` } },
      },
    },
  };
}

function ratingChart(rows, places) {
  if (!rows.length) return null;
  const names = rows[0].ratings.levels.map((level) => level.name);
  const colors = LEVEL_COLORS[names.length] || LEVEL_COLORS[5];
  return {
    type: "bar",
    data: {
      labels: rows.map((r) => wrapLabel(r.name)),
      datasets: names.map((name, i) => ({
        label: name, data: rows.map((r) => r.ratings.levels[i].count), backgroundColor: colors[i % colors.length],
        maxBarThickness: 30,
      })),
    },
    options: {
      indexAxis: "y",
      scales: { x: { stacked: true, beginAtZero: true, title: { display: true, text: "Số phiếu" },
                     ticks: numberTicks(false) },
                y: { stacked: true, grid: { display: false } } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (ctx) => {
          const level = rows[ctx.dataIndex].ratings.levels[ctx.datasetIndex];
          return `${ctx.dataset.label}: ${fmt.int(level.count)} phiếu (${fmt.pct(level.percent, places)})`;
        } } },
      },
    },
  };
}

// ----- wiring ----------------------------------------------------------------------------------------

$("period").addEventListener("change", periodChanged);
$("report-form").addEventListener("submit", (event) => {
  event.preventDefault();
  loadReport();
});
// A disabled export link must not navigate to nowhere.
for (const link of document.querySelectorAll(".exports a")) {
  link.addEventListener("click", (event) => {
    if (link.classList.contains("is-disabled")) event.preventDefault();
  });
}
boot();
