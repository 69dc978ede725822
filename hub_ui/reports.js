// Hub › Báo cáo toàn tỉnh (/hub/reports): the province's report for a period, grouped by site, district, level,
// department, service, officer, day, hour or channel (server/hub/reports.py), with its paragraph, a chart, the
// table and the Excel/CSV files. A district leader's reports hold their district only (the server decides).
import { $, el, showMessage } from "/ui/shared/dom.js";
import { dec, int, isoToday, pct, setTimeZone } from "/ui/shared/format.js";
import { json as request } from "/ui/shared/http.js";
import { upgradeDateInputs } from "/ui/shared/date_input.js";
import { startSignIn } from "/ui/shared/signin.js";
import { HUB_PAGES, HUB_VIEWERS } from "/ui/hub/pages.js";

const charts = {}; // name → Chart instance (window.hangdoiCharts for the browser tests)
window.hangdoiCharts = charts;
let account = null;

function query(extra = {}) {
  const params = new URLSearchParams({
    period: $("period").value, date: $("date").value || isoToday(), group_by: $("group-by").value,
    precision: $("precision").value, ...extra,
  });
  if ($("period").value === "custom") params.set("last", $("last").value);
  if ($("district").value) params.set("district", $("district").value);
  if ($("level").value) params.set("level", $("level").value);
  return params;
}

function exportLinks() {
  $("export-xlsx").href = `/api/hub/reports/export?${query({ format: "xlsx" })}`;
  $("export-csv").href = `/api/hub/reports/export?${query({ format: "csv", table: "wait" })}`;
  $("export-rating-csv").href = `/api/hub/reports/export?${query({ format: "csv", table: "rating" })}`;
}

const COLUMNS = [
  ["Lấy số", (r) => int(r.issued)], ["Phục vụ", (r) => int(r.served)], ["Vắng mặt", (r) => int(r.no_show)],
  ["Chờ TB (phút)", (r) => dec(r.wait.mean)], ["Trung vị (phút)", (r) => dec(r.wait.median)],
  ["P90 (phút)", (r) => dec(r.wait.p90)], ["Dài nhất (phút)", (r) => dec(r.wait.max)],
  ["Lượt đánh giá", (r) => int(r.official_ratings.total)],
];

function line(label, detail, figures, places) {
  const row = el("tr");
  const name = el("td");
  name.append(el("strong", null, label));
  if (detail) name.append(el("br"), el("span", "province-code", detail));
  row.append(name, ...COLUMNS.map(([, value]) => el("td", "num", value(figures))),
    ...figures.official_ratings.levels.map((level) => el("td", "num", pct(level.percent, places))),
    el("td", "num", pct(figures.satisfaction_766, places)));
  return row;
}

function draw(report) {
  const places = report.precision;
  $("report-title").textContent = `${report.center} — ${report.period.title}`;
  $("summary").textContent = report.summary;
  const head = el("tr");
  head.append(el("th", null, "Đơn vị / nhóm"), ...COLUMNS.map(([title]) => el("th", "num", title)),
    ...report.total.official_ratings.levels.map((level) => el("th", "num", `${level.name} (%)`)),
    el("th", "num", "Hài lòng QĐ 766 (%)"));
  $("report-head").replaceChildren(head);
  $("report-rows").replaceChildren(...report.rows.map((r) => line(r.name, r.department || r.level || "", r, places)));
  $("report-total").replaceChildren(line("Tổng cộng", "", report.total, places));
  drawChart(report);
  exportLinks();
  $("result").hidden = false;
}

function drawChart(report) {
  const Chart = window.Chart;
  if (!Chart) return; // the chart library is still loading: the table says everything the chart does
  if (charts.rows) charts.rows.destroy();
  const rows = report.rows.slice(0, 40); // the 40 first rows: a chart of 212 bars says nothing
  charts.rows = new Chart($("chart"), {
    data: {
      labels: rows.map((r) => r.name),
      datasets: [
        { type: "bar", label: "Lượt lấy số", data: rows.map((r) => r.issued), backgroundColor: "#2563eb",
          yAxisID: "y" },
        { type: "line", label: "Tỷ lệ hài lòng QĐ 766 (%)", data: rows.map((r) => r.satisfaction_766),
          borderColor: "#16a34a", backgroundColor: "#16a34a", yAxisID: "percent" },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, position: "left" },
        percent: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false } } },
    },
  });
  $("chart-title").textContent = report.rows.length > rows.length
    ? `Lượt lấy số và tỷ lệ hài lòng (${rows.length} nhóm đầu trong ${int(report.rows.length)})`
    : "Lượt lấy số và tỷ lệ hài lòng";
}

async function show() {
  $("show").disabled = true;
  try {
    draw(await request("GET", `/api/hub/reports?${query()}`));
    $("message").hidden = true;
  } catch (err) {
    if (err.status === 401) gate.showSignIn(err.message);
    else showMessage($("message"), err.message);
  } finally {
    $("show").disabled = false;
  }
}

/** The districts an admin or a provincial leader may choose (a district leader's is fixed by the server). */
async function loadDistricts() {
  if (account.role === "district_leader") {
    $("district-field").hidden = true;
    $("scope-name").textContent = `HUYỆN ${(account.district || "").toUpperCase()}`;
    return;
  }
  const view = await request("GET", "/api/hub/overview");
  setTimeZone(view.timezone); // the hub's zone, not the browser's
  const districts = [...new Set(view.sites.map((s) => s.district).filter(Boolean))].sort((a, b) => a.localeCompare(b, "vi"));
  $("district").replaceChildren(el("option", { value: "" }, "Toàn tỉnh"),
    ...districts.map((d) => el("option", { value: d }, d)));
}

$("period").addEventListener("change", () => {
  const custom = $("period").value === "custom";
  $("last-field").hidden = !custom;
  $("date-label").textContent = custom ? "Từ ngày" : "Ngày trong kỳ";
});
$("report-form").addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
upgradeDateInputs();

const gate = startSignIn({
  roles: HUB_VIEWERS,
  pages: HUB_PAGES,
  title: "Đăng nhập hệ thống tổng hợp cấp tỉnh",
  help: "Tài khoản quản trị tỉnh, lãnh đạo tỉnh hoặc lãnh đạo huyện.",
  async onBoard(officer) {
    account = officer;
    if (!$("date").value) $("date").value = isoToday();
    try {
      await loadDistricts();
    } catch (err) {
      showMessage($("message"), err.message);
    }
    show();
  },
  onLeave() {
    $("result").hidden = true;
  },
});
