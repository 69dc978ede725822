// In báo cáo: the report of the chosen period as an official A4 document (header with the national motto, title,
// period, summary paragraph, the rating table in the center's levels and its official three-level conversion, the
// wait table, the channels and bookings, the feedback figures and the citizens' comments, signature blocks).
//
// Same query as the report screen (?period=&date=&last=&group_by=&precision=); ?auto=1 opens the print dialog once
// drawn. Tables come from report_tables.js and number formats from shared_ui/format.js, so screen and paper always
// agree. Who may print is decided by the shared sign-in flow (shared_ui/signin.js): supervisors, leaders and admins.
import { $, el } from "/ui/shared/dom.js";
import * as fmt from "/ui/shared/format.js";
import { loadCenter } from "/ui/shared/http.js";
import { SUPERVISING_ROLES, signedIn } from "/ui/shared/signin.js";
import { channelFigures } from "/ui/admin/report_channels.js";
import {
  GROUPINGS, commentsNote, commentsTable, feedbackFigures, fetchComments, fetchReports,
  paramsFromSearch, queryString, ratingTable, showsOfficial, waitTable,
} from "/ui/admin/report_tables.js";

const params = paramsFromSearch(location.search);
const auto = new URLSearchParams(location.search).get("auto") === "1";
const FORBIDDEN = "Chỉ lãnh đạo, giám sát và quản trị viên được in báo cáo.";

// "54 Hùng Vương, phường Cẩm Thành, tỉnh Quảng Ngãi" → "Quảng Ngãi", for "Quảng Ngãi, ngày … tháng … năm …".
const PLACE_PREFIX = /^(tỉnh|thành phố|tp\.?|quận|huyện|thị xã|thị trấn|phường|xã|đặc khu)\s+/i;

function placeOf(address) {
  const last = String(address || "").split(",").map((s) => s.trim()).filter(Boolean).pop() || "";
  return last.replace(PLACE_PREFIX, "") || "……………";
}

/** A refusal or an error instead of the document, with the way back to the report screen (and its sign-in). */
function fail(message, signInLink) {
  document.body.dataset.state = "error";
  $("document").hidden = true;
  const status = $("status");
  status.classList.add("status-error");
  status.textContent = message;
  if (signInLink) {
    status.append(" ");
    const link = el("a", null, "Đăng nhập trên màn hình báo cáo");
    link.href = $("back").href;
    status.append(link);
  }
  status.hidden = false;
}

/** A two-column table (Chỉ tiêu, Giá trị) of [label, text] pairs. */
function figuresTable(figures) {
  const table = el("table", "data channels-table");
  table.createTHead().insertRow().append(el("th", null, "Chỉ tiêu"), el("th", null, "Giá trị"));
  const body = table.createTBody();
  for (const [label, value] of figures) body.insertRow().append(el("td", "text", label), el("td", "num", value));
  return table;
}

function render(officer, center, reports, comments) {
  const rating = reports.department_officer;
  const wait = reports[params.group_by];
  const name = wait.center || (center && center.name) || "";
  document.title = `Báo cáo ${(wait.period.name || wait.period.title.toLowerCase())} – ${name}`;

  $("issuer").textContent = name.toLocaleUpperCase("vi-VN");
  $("place-date").textContent = `${placeOf(center && center.address)}, ${fmt.longDate()}`;
  $("doc-period").textContent = `(${wait.period.title})`;
  $("doc-summary").textContent = wait.summary;

  $("rating-period").textContent = `(${rating.period.title})`;
  $("rating-table").replaceChildren(ratingTable(rating));
  const reasons = Object.entries(rating.total.reasons || {});
  $("reasons").hidden = !reasons.length;
  $("reasons").textContent = reasons.length
    ? `Lý do không hài lòng: ${reasons.map(([r, n]) => `${r} (${fmt.int(n)} lượt)`).join("; ")}.` : "";
  const official = showsOfficial(rating);
  $("official-block").hidden = !official;
  $("official-table").replaceChildren(...(official ? [ratingTable(rating, true)] : []));

  $("wait-period").textContent = `(${wait.period.title})`;
  const grouping = GROUPINGS[params.group_by] || GROUPINGS.department;
  $("wait-facts").textContent = `Nhóm theo: ${grouping.label} · Khung giờ cao điểm: ${wait.peak_hour || "chưa có"}`;
  $("wait-table").replaceChildren(waitTable(wait));

  const channels = channelFigures(wait);
  $("channels-block").hidden = !channels.length;
  $("channels-table").replaceChildren(...(channels.length ? [figuresTable(channels)] : []));

  const figures = feedbackFigures(wait.feedback);
  $("feedback-block").hidden = !figures.length;
  $("feedback-figures").textContent = figures.map(([label, value]) => `${label}: ${value}`).join(" · ");
  // The citizens' comments go on a page of their own after the signatures, and only when there are some.
  $("comments-sheet").hidden = !(comments && comments.comments.length);
  if (comments) {
    $("comments-period").textContent = `(${wait.period.title})`;
    $("comments-note").textContent = commentsNote(comments);
    $("comments-note").hidden = !$("comments-note").textContent;
    $("comments-table").replaceChildren(commentsTable(comments.comments));
  }

  $("preparer").textContent = officer.name;

  $("status").hidden = true;
  $("document").hidden = false;
  $("print").disabled = false;
  document.body.dataset.state = "ready";
}

async function main() {
  $("back").href = `/admin/reports?${queryString(params)}`;
  $("print").addEventListener("click", () => window.print());
  try {
    const [account, center] = await Promise.all([signedIn(SUPERVISING_ROLES),
      loadCenter().catch(() => null)]);  // the center's name and address: decoration
    if (!account.allowed) {
      fail(account.officer ? FORBIDDEN : `${FORBIDDEN} Vui lòng đăng nhập trước.`, true);
      return;
    }
    const [answer, comments] = await Promise.all([
      fetchReports(params, ["department_officer", params.group_by]), fetchComments(params).catch(() => null)]);
    if (!answer.ok) {
      fail(answer.message, answer.status === 401 || answer.status === 403);
      return;
    }
    render(account.officer, center, answer.reports, comments);
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
