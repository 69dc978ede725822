// In báo cáo: the report of the chosen period as an official A4 document (header with the national motto, title,
// period, summary paragraph, the official rating table, the wait table, signature blocks).
//
// Same query as the report screen (?period=&date=&last=&group_by=); ?auto=1 opens the print dialog once drawn.
// Tables and number formats come from reports.js (window.HangDoiReports), so screen and paper always agree.
(function () {
  "use strict";

  const R = window.HangDoiReports;
  const $ = (id) => document.getElementById(id);
  const query = new URLSearchParams(location.search);
  const params = R.paramsFromSearch(location.search);
  const auto = query.get("auto") === "1";

  // "54 Hùng Vương, phường Cẩm Thành, tỉnh Quảng Ngãi" → "Quảng Ngãi", for "Quảng Ngãi, ngày … tháng … năm …".
  const PLACE_PREFIX = /^(tỉnh|thành phố|tp\.?|quận|huyện|thị xã|thị trấn|phường|xã|đặc khu)\s+/i;

  function placeOf(address) {
    const last = String(address || "").split(",").map((s) => s.trim()).filter(Boolean).pop() || "";
    return last.replace(PLACE_PREFIX, "") || "……………";
  }

  function fail(message, signInLink) {
    document.body.dataset.state = "error";
    $("document").hidden = true;
    const status = $("status");
    status.classList.add("status-error");
    status.textContent = message;
    if (signInLink) {
      status.append(" ");
      const link = R.el("a", null, "Đăng nhập");
      link.href = $("back").href;
      status.append(link);
    }
    status.hidden = false;
  }

  function render(session, center, reports) {
    const rating = reports.department_officer;
    const wait = reports[params.group_by];
    const name = wait.center || (center && center.name) || "";
    document.title = `Báo cáo ${wait.period.title.toLowerCase()} – ${name}`;

    $("issuer").textContent = name.toLocaleUpperCase("vi-VN");
    $("place-date").textContent = `${placeOf(center && center.address)}, ${R.fmt.longDate(new Date())}`;
    $("doc-period").textContent = `(${wait.period.title})`;
    $("doc-summary").textContent = wait.summary;

    $("rating-period").textContent = `(${rating.period.title})`;
    $("rating-table").replaceChildren(R.ratingTable(rating));
    const reasons = Object.entries(rating.total.reasons || {});
    $("reasons").hidden = !reasons.length;
    $("reasons").textContent = reasons.length
      ? `Lý do không hài lòng: ${reasons.map(([r, n]) => `${r} (${R.fmt.int(n)} lượt)`).join("; ")}.` : "";

    $("wait-period").textContent = `(${wait.period.title})`;
    const grouping = R.GROUPINGS[params.group_by] || R.GROUPINGS.department;
    $("wait-facts").textContent = `Nhóm theo: ${grouping.label} · Khung giờ cao điểm: ${wait.peak_hour || "chưa có"}`;
    $("wait-table").replaceChildren(R.waitTable(wait));

    $("preparer").textContent = session.name;

    $("status").hidden = true;
    $("document").hidden = false;
    $("print").disabled = false;
    document.body.dataset.state = "ready";
  }

  async function main() {
    $("back").href = `/admin/reports?${R.queryString(params)}`;
    $("print").addEventListener("click", () => window.print());
    try {
      const [session, center] = await Promise.all([R.http("GET", "/api/session"), R.http("GET", "/api/center")]);
      const officer = session.body.officer;
      if (!officer || officer.role !== "supervisor") {
        fail("Chỉ lãnh đạo, giám sát được in báo cáo. Vui lòng đăng nhập trên màn hình báo cáo.", true);
        return;
      }
      const answer = await R.fetchReports(params, ["department_officer", params.group_by]);
      if (!answer.ok) {
        fail(answer.message, answer.status === 401 || answer.status === 403);
        return;
      }
      render(officer, center.ok ? center.body : null, answer.reports);
    } catch (err) {
      fail("Không kết nối được máy chủ, vui lòng tải lại trang.");
      return;
    }
    if (auto) {
      await document.fonts.ready;
      // One frame so the tables are laid out before the print dialog takes its snapshot.
      requestAnimationFrame(() => setTimeout(() => window.print(), 50));
    }
  }

  main();
})();
