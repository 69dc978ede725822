// Báo cáo, thống kê: supervisors choose a period and a grouping, then read the summary paragraph, the official
// rating table, the wait table, the dissatisfaction reasons and four charts; they export to Excel/CSV or print.
//
// Everything comes from GET /api/reports (server/web/reports.py), one request for all the groupings the screen
// needs. The server computes all figures; this page only lays them out, in Vietnamese number formats (1.545; 95,3%).
//
// The first half of this file is a small library (formatters, table builders, query helpers) that the print page
// (print.html) uses too, as window.HangDoiReports. The screen itself only starts on the page marked
// data-page="reports".
(function () {
  "use strict";

  // ===== Shared: formats, queries, tables ==============================================================

  const LEVELS = ["Rất hài lòng", "Hài lòng", "Không hài lòng"];
  const PERIOD_KINDS = ["day", "week", "month", "quarter", "half", "year", "reporting_month", "reporting_year",
                        "custom"];
  const GROUPINGS = {
    center: { label: "Trung tâm", column: "Trung tâm" },
    department: { label: "Sở/ngành", column: "Sở/ngành" },
    service: { label: "Lĩnh vực", column: "Lĩnh vực" },
    counter: { label: "Quầy", column: "Quầy" },
    officer: { label: "Công chức", column: "Công chức" },
    hour: { label: "Theo giờ", column: "Khung giờ" },
    day: { label: "Theo ngày", column: "Ngày" },
    channel: { label: "Kênh lấy số", column: "Kênh lấy số" },
  };
  const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

  const pad2 = (n) => String(n).padStart(2, "0");
  const missing = (v) => v === null || v === undefined || typeof v !== "number" || !Number.isFinite(v);

  function groupThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  /** Vietnamese number formats: thousands with '.', decimals with ',' ("1.545", "95,3%", "12,5"). */
  const fmt = {
    int(v) {
      if (missing(v)) return "–";
      const n = Math.round(v);
      return (n < 0 ? "-" : "") + groupThousands(String(Math.abs(n)));
    },
    dec(v, places = 1) {
      if (missing(v)) return "–";
      const fixed = Math.abs(v).toFixed(places);
      const [whole, fraction] = fixed.split(".");
      const sign = v < 0 && Number(fixed) !== 0 ? "-" : "";
      return sign + groupThousands(whole) + (fraction ? "," + fraction : "");
    },
    pct(v, places = 1) {
      return missing(v) ? "–" : fmt.dec(v, places) + "%";
    },
    /** Hours as h:mm ("7:30"), for time at the counter. */
    hm(hours) {
      if (missing(hours)) return "–";
      const total = Math.round(hours * 60);
      return `${groupThousands(String(Math.floor(total / 60)))}:${pad2(total % 60)}`;
    },
    /** "2026-11-23" → "23/11/2026", as in tables. */
    date(iso) {
      if (!iso || !ISO_DATE.test(iso)) return iso || "";
      const [y, m, d] = iso.split("-");
      return `${d}/${m}/${y}`;
    },
    /** "ngày 05 tháng 3 năm 2026": as in document headers (a 0 before days under 10 and months 1 and 2). */
    longDate(day) {
      const d = day.getDate();
      const m = day.getMonth() + 1;
      return `ngày ${d < 10 ? pad2(d) : d} tháng ${m < 3 ? pad2(m) : m} năm ${day.getFullYear()}`;
    },
    /** Today in this computer's local time, YYYY-MM-DD (not toISOString, which is UTC). */
    isoToday(now = new Date()) {
      return `${now.getFullYear()}-${pad2(now.getMonth() + 1)}-${pad2(now.getDate())}`;
    },
  };

  /** The report query of a URL search string, with defaults: {period, date, last, group_by}. */
  function paramsFromSearch(search) {
    const q = new URLSearchParams(search);
    const period = PERIOD_KINDS.includes(q.get("period")) ? q.get("period") : "day";
    const groupBy = Object.prototype.hasOwnProperty.call(GROUPINGS, q.get("group_by")) ? q.get("group_by")
      : "department";
    // Without a date the server takes the center's today (its time zone, not this computer's).
    const date = ISO_DATE.test(q.get("date") || "") ? q.get("date") : "";
    const last = ISO_DATE.test(q.get("last") || "") ? q.get("last") : "";
    return { period, date, last, group_by: groupBy };
  }

  /** The query string of a report (without '?'); `extra` adds e.g. format=xlsx or group_by overrides. */
  function queryString(params, extra = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(extra)) if (k !== "group_by") q.set(k, v);
    q.set("period", params.period);
    if (params.date) q.set("date", params.date);
    if (params.period === "custom" && params.last) q.set("last", params.last);
    q.set("group_by", extra.group_by || params.group_by);
    return q.toString();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text; // never innerHTML: names come from config
    return node;
  }

  function cell(tag, text, className, span = {}) {
    const node = el(tag, className, text);
    if (span.rows > 1) node.rowSpan = span.rows;
    if (span.cols > 1) node.colSpan = span.cols;
    return node;
  }

  /** {ok, status, body}; throws only when the server cannot be reached. */
  async function http(method, url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60000);
    try {
      const response = await fetch(url, {
        method, cache: "no-store", credentials: "same-origin", signal: controller.signal,
        headers: HangDoiHttp.headers(Boolean(body)),
        body: body ? JSON.stringify(body) : undefined,
      });
      const data = await response.json().catch(() => null);
      return { ok: response.ok, status: response.status, body: data || {} };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reports of one period in several groupings: {ok: true, reports: {group_by: report}} or the first refusal
   * {ok: false, status, message}.
   */
  async function fetchReports(params, groupings) {
    // One request for every grouping: the server reads the period's summaries once for all of them.
    const wanted = [...new Set(groupings)];
    const answer = await http("GET", `/api/reports?${queryString(params, { group_by: wanted.join(",") })}`);
    if (!answer.ok) {
      return { ok: false, status: answer.status,
               message: answer.body.message || "Không lấy được báo cáo, vui lòng thử lại." };
    }
    const reports = wanted.length === 1 ? { [wanted[0]]: answer.body } : answer.body.reports;
    return { ok: true, reports };
  }

  /** The official table: STT / Đơn vị / Công chức tiếp nhận / Tổng số phiếu / three levels (Số phiếu, Tỷ lệ). */
  function ratingTable(report) {
    const table = el("table", "data rating-table");
    const head = table.createTHead();
    const top = head.insertRow();
    top.append(cell("th", "STT", "col-stt", { rows: 2 }), cell("th", "Đơn vị", "col-name col-unit", { rows: 2 }),
               cell("th", "Công chức tiếp nhận", "col-name col-officer", { rows: 2 }),
               cell("th", "Tổng số phiếu", "col-total", { rows: 2 }));
    const sub = head.insertRow();
    for (const level of LEVELS) {
      top.append(cell("th", level, "level-head", { cols: 2 }));
      sub.append(cell("th", "Số phiếu"), cell("th", "Tỷ lệ"));
    }
    const body = table.createTBody();
    const rows = report.rows || [];
    if (!rows.length) {
      const tr = body.insertRow();
      tr.append(cell("td", "Không có dữ liệu trong kỳ báo cáo.", "no-data", { cols: 4 + 2 * LEVELS.length }));
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
      appendRatingCells(tr, row.ratings);
    });
    const foot = table.createTFoot();
    const total = foot.insertRow();
    total.className = "total";
    total.append(cell("td", "Tổng cộng", "text total-label", { cols: 3 }));
    appendRatingCells(total, report.total.ratings);
    return table;
  }

  function appendRatingCells(tr, ratings) {
    tr.append(cell("td", fmt.int(ratings.total), "num strong"));
    for (const level of ratings.levels) {
      tr.append(cell("td", fmt.int(level.count), "num"),
                cell("td", ratings.total ? fmt.pct(level.percent) : "–", "num pct"));
    }
  }

  /** Columns of the wait table: [{group, label, get(row) → text}]; a column without group spans both rows. */
  function waitColumns(groupBy) {
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
      { label: "Tỷ lệ chờ trong thời gian quy định", get: (r) => fmt.pct(r.service_level) },
      { label: "Số lượt chờ quá thời gian quy định", get: (r) => fmt.int(r.over_target) },
      { label: "Tỷ lệ hài lòng (QĐ 766)", get: (r) => fmt.pct(r.satisfaction_766) },
      { label: "Tỷ lệ phản hồi", get: (r) => fmt.pct(r.response_rate) },
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
  function waitTable(report) {
    const groupBy = report.group_by;
    const columns = waitColumns(groupBy);
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
  function reasonsTable(report) {
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

  window.HangDoiReports = {
    LEVELS, GROUPINGS, fmt, el, http, paramsFromSearch, queryString, fetchReports, ratingTable, waitTable,
    reasonsTable,
  };

  if (document.body.dataset.page !== "reports") return;

  // ===== The report screen =============================================================================

  const LEVEL_COLORS = ["#0f6b34", "#3d7be0", "#c8102e"];
  const CHART_GROUPINGS = ["department_officer", "hour", "service", "department", "officer"];
  const MAX_SERVICE_BARS = 10;
  const SUPERVISORS_ONLY = "Chỉ lãnh đạo, giám sát được xem báo cáo.";

  const $ = (id) => document.getElementById(id);
  const charts = {};          // name → Chart instance, for tests and to destroy before redrawing
  window.hangdoiCharts = charts;
  const state = { session: null, center: null, params: null, loaded: null, serial: 0 };

  function setView(view) {
    document.body.dataset.view = view;
    $("loading-view").hidden = view !== "loading";
    $("signin-view").hidden = view !== "signin";
    $("reports-view").hidden = view !== "reports";
  }

  function showMessage(text) {
    const bar = $("message");
    bar.textContent = text || "";
    bar.hidden = !text;
  }

  // ----- session -----------------------------------------------------------------------------------------

  async function boot() {
    readForm(paramsFromSearch(location.search));
    try {
      const [session, center] = await Promise.all([http("GET", "/api/session"), http("GET", "/api/center")]);
      if (center.ok) state.center = center.body;
      $("signin-center").textContent = state.center ? state.center.name : "";
      const officer = session.body.officer;
      if (officer && officer.role === "supervisor") {
        enterReports(officer);
      } else {
        showSignIn(officer ? `Tài khoản đang đăng nhập không có quyền xem báo cáo. ${SUPERVISORS_ONLY}` : "");
      }
    } catch (err) {
      setView("loading");
      $("loading-view").textContent = "Không kết nối được máy chủ. Đang thử lại…";
      setTimeout(boot, 3000);
    }
  }

  function showSignIn(message) {
    setView("signin");
    const error = $("signin-error");
    error.textContent = message || "";
    error.hidden = !message;
    $("signin-username").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const username = $("signin-username").value.trim();
    const password = $("signin-password").value;
    if (!username || !password) {
      showSignIn("Vui lòng nhập tên đăng nhập và mật khẩu.");
      return;
    }
    const button = $("signin-submit");
    button.disabled = true;
    try {
      const answer = await http("POST", "/api/session", { username, password });
      if (!answer.ok) {
        // Without a counter, the server refuses officers who are not supervisors with `counter_required`.
        const notSupervisor = answer.body.error === "counter_required";
        showSignIn(notSupervisor ? `Tài khoản này không có quyền xem báo cáo. ${SUPERVISORS_ONLY}`
          : answer.body.message || "Đăng nhập không thành công.");
        return;
      }
      const officer = answer.body.officer;
      if (!officer || officer.role !== "supervisor") {
        showSignIn(SUPERVISORS_ONLY);
        return;
      }
      $("signin-password").value = "";
      enterReports(officer);
    } catch (err) {
      showSignIn("Không kết nối được máy chủ, vui lòng thử lại.");
    } finally {
      button.disabled = false;
    }
  }

  async function signOut() {
    try {
      await http("DELETE", "/api/session");
    } catch (err) { /* signed out locally anyway */ }
    state.session = null;
    clearReport("Chọn kỳ báo cáo rồi bấm “Xem báo cáo”.");
    showSignIn("");
  }

  function enterReports(officer) {
    state.session = officer;
    $("center-name").textContent = state.center ? state.center.name : "";
    $("user-name").textContent = officer.name;
    setView("reports");
    loadReport();
  }

  // ----- the form --------------------------------------------------------------------------------------

  function readForm(params) {
    $("period").value = params.period;
    $("group-by").value = params.group_by;
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
    if (period === "custom") {
      return { period, date: $("from").value, last: $("to").value, group_by: $("group-by").value };
    }
    return { period, date: $("date").value, last: "", group_by: $("group-by").value };
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

  function setExportLinks(params) {
    const links = {
      "export-xlsx": params && `/api/reports/export?${queryString(params, { format: "xlsx" })}`,
      "export-csv-wait": params && `/api/reports/export?${queryString(params, { format: "csv", table: "wait" })}`,
      "export-csv-rating": params && `/api/reports/export?${queryString(params, { format: "csv", table: "rating" })}`,
      "print-link": params && `/admin/reports/print?${queryString(params, { auto: "1" })}`,
    };
    for (const [id, href] of Object.entries(links)) {
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
      showMessage("Vui lòng chọn từ ngày và đến ngày.");
      return;
    }
    const serial = ++state.serial;
    history.replaceState(null, "", `${location.pathname}?${queryString(params)}`);
    setLoading(true);
    showMessage("");
    let answer;
    try {
      answer = await fetchReports(params, [params.group_by, ...CHART_GROUPINGS]);
    } catch (err) {
      answer = { ok: false, status: 0, message: "Không kết nối được máy chủ, vui lòng thử lại." };
    }
    if (serial !== state.serial) return; // a newer request was made meanwhile
    setLoading(false);
    if (!answer.ok) {
      if (answer.status === 403 || answer.status === 401) {
        state.session = null;
        showSignIn(answer.message || "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.");
        return;
      }
      showMessage(answer.message);
      clearReport("Chưa có báo cáo để hiển thị. Vui lòng kiểm tra lại kỳ báo cáo.");
      document.body.dataset.reportState = "error";
      return;
    }
    try {
      render(params, answer.reports);
      document.body.dataset.reportState = "ready";
    } catch (err) {
      console.error(err);
      showMessage("Không hiển thị được báo cáo, vui lòng tải lại trang.");
      document.body.dataset.reportState = "error";
    }
  }

  function setLoading(on) {
    $("loading").hidden = !on;
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

  function render(params, reports) {
    const main = reports[params.group_by];
    if (!params.date) {
      // First report of the day: the server chose the center's today; pin it for the links and the form.
      params.date = main.period.first; // the first day names the same period for every kind
      $("date").value = params.date;
    }
    state.loaded = params;
    setExportLinks(params);
    if (main.center) $("center-name").textContent = main.center;
    $("period-title").textContent = main.period.title;
    $("empty").hidden = true;
    $("report-body").hidden = false;

    $("summary").textContent = main.summary;
    drawKpis(main);

    const rating = reports.department_officer;
    $("rating-period").textContent = `(${rating.period.title})`;
    $("rating-table").replaceChildren(ratingTable(rating));

    $("wait-period").textContent = `(${main.period.title})`;
    $("wait-grouping").textContent = `Nhóm theo: ${GROUPINGS[params.group_by].label}`;
    $("peak-hour").textContent = main.peak_hour || "chưa có";
    $("wait-table").replaceChildren(waitTable(main));

    drawReasons(main);
    drawCharts(reports);
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
    $("kpis").replaceChildren(
      kpi("Số lượt lấy số", fmt.int(t.issued), `Còn chờ khi hết ngày: ${fmt.int(t.left_waiting)}`),
      kpi("Đã phục vụ", fmt.int(t.served), `Vắng mặt: ${fmt.int(t.no_show)} · Chuyển quầy: ${fmt.int(t.transferred)}`),
      kpi("Thời gian chờ trung bình", t.wait.count ? `${fmt.dec(t.wait.mean)} phút` : "–",
          t.wait.count ? `P90: ${fmt.dec(t.wait.p90)} phút · Dài nhất: ${fmt.dec(t.wait.max)} phút`
            : "Chưa có lượt được gọi"),
      kpi("Chờ quá thời gian quy định", fmt.int(t.over_target),
          `Trong thời gian quy định: ${fmt.pct(t.service_level)}`, t.over_target ? "warn" : null),
      kpi("Tỷ lệ hài lòng (QĐ 766)", rated ? fmt.pct(t.satisfaction_766) : "–",
          `${fmt.int(rated)} lượt đánh giá · Phản hồi: ${fmt.pct(t.response_rate)}`, "good"),
      kpi("Khung giờ cao điểm", report.peak_hour || "–", "Giờ có nhiều lượt lấy số nhất", "compact"),
    );
  }

  function drawReasons(report) {
    const t = report.total;
    const dissatisfied = t.ratings.levels[2] ? t.ratings.levels[2].count : 0;
    $("reasons-lead").textContent = dissatisfied
      ? `Có ${fmt.int(dissatisfied)} lượt đánh giá Không hài lòng trong kỳ; một lượt có thể chọn nhiều lý do.`
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
    chart("departments", "chart-departments", ratingChart(departments), bottomRow);
    chart("officers", "chart-officers", ratingChart(officers), bottomRow);
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
      labels.push(`${pad2(h)}:00`);
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

  function ratingChart(rows) {
    if (!rows.length) return null;
    return {
      type: "bar",
      data: {
        labels: rows.map((r) => wrapLabel(r.name)),
        datasets: LEVELS.map((name, i) => ({
          label: name, data: rows.map((r) => r.ratings.levels[i].count), backgroundColor: LEVEL_COLORS[i],
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
            return `${ctx.dataset.label}: ${fmt.int(level.count)} phiếu (${fmt.pct(level.percent)})`;
          } } },
        },
      },
    };
  }

  // ----- wiring ----------------------------------------------------------------------------------------

  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
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
})();
