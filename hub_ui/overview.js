// Hub › Tổng quan toàn tỉnh (/hub/overview): every site now — last contact, citizens waiting, the longest wait,
// open feedback items — with the sites that stopped reporting on top (server/hub/overview.py). A district leader
// sees the sites of their district only (the server decides: GET /api/hub/overview).
import { $, el, showMessage } from "/ui/shared/dom.js";
import { dateTime, int, setTimeZone } from "/ui/shared/format.js";
import { json as request } from "/ui/shared/http.js";
import { startSignIn } from "/ui/shared/signin.js";
import { HUB_PAGES, HUB_VIEWERS } from "/ui/hub/pages.js";

const REFRESH_MS = 10000;
let refreshTimer = null;

/** "1 giờ 05 phút", "12 phút", "40 giây": a duration in seconds as an officer says it. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${seconds} giây`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} phút`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} giờ ${String(minutes % 60).padStart(2, "0")} phút`;
  return `${int(Math.floor(hours / 24))} ngày`;
}

function contact(site) {
  if (!site.last_contact_at) return "Chưa liên lạc";
  return `${dateTime(site.last_contact_at * 1000)} (${duration(site.silent_seconds)} trước)`;
}

function row(site) {
  const line = el("tr", site.stopped ? "province-stopped" : null);
  line.dataset.code = site.code;
  const name = el("td", "province-site");
  name.append(el("strong", null, site.name), el("span", "province-code", site.code));
  line.append(name, el("td", null, site.level_name || "–"), el("td", null, site.district || "–"),
    el("td", "province-contact", contact(site)), el("td", "num province-waiting", int(site.waiting_now)),
    el("td", "num province-longest", duration(site.longest_wait_seconds)),
    el("td", "num province-feedback", int(site.open_feedback)));
  return line;
}

function draw(view) {
  setTimeZone(view.timezone); // the hub's zone, not the browser's
  const stopped = view.sites.filter((s) => s.stopped);
  const reporting = view.sites.filter((s) => !s.stopped);
  $("scope-name").textContent = view.district ? `HUYỆN ${view.district.toUpperCase()}` : "TOÀN TỈNH";
  const t = view.totals;
  $("totals").replaceChildren(...[
    ["Đơn vị", int(t.sites)], ["Ngừng báo cáo", int(t.stopped)], ["Đang chờ", int(t.waiting_now)],
    ["Cấp số hôm nay", int(t.issued_today)], ["Đã phục vụ hôm nay", int(t.served_today)],
    ["Phản ánh chưa xử lý", int(t.open_feedback)],
  ].map(([label, value]) => {
    const box = el("div", "province-figure");
    box.append(el("span", "province-figure-value", value), el("span", "province-figure-label", label));
    return box;
  }));
  $("stopped-help").textContent = `Không liên lạc với tỉnh quá ${int(view.stopped_after_seconds / 60)} phút`
    + " (đơn vị gửi số liệu vài giây một lần khi máy chủ và đường truyền hoạt động).";
  $("stopped").replaceChildren(...stopped.map(row));
  $("stopped-panel").hidden = stopped.length === 0;
  $("reporting").replaceChildren(...reporting.map(row));
  $("reporting-empty").hidden = reporting.length > 0;
  $("reporting-table").hidden = reporting.length === 0;
}

async function refresh() {
  try {
    draw(await request("GET", "/api/hub/overview"));
    $("message").hidden = true;
  } catch (err) {
    if (err.status === 401 || err.status === 403) gate.showSignIn(err.message);
    else showMessage($("message"), err.message);
  }
}

const gate = startSignIn({
  roles: HUB_VIEWERS,
  pages: HUB_PAGES,
  title: "Đăng nhập hệ thống tổng hợp cấp tỉnh",
  help: "Tài khoản quản trị tỉnh, lãnh đạo tỉnh hoặc lãnh đạo huyện.",
  onBoard() {
    refresh();
    refreshTimer = setInterval(refresh, REFRESH_MS);
  },
  onLeave() {
    clearInterval(refreshTimer);
  },
});
