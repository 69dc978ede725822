// Hub › Đơn vị báo cáo (/hub/sites): the provincial admin grants each site its token (shown once), revokes it,
// starts a diverged site over (docs/HUB.md, Recovery); every site's last contact, acknowledged seq and state.
import { $, button, el, showMessage } from "/ui/shared/dom.js";
import { dateTime, int, setTimeZone } from "/ui/shared/format.js";
import { adminListing } from "/ui/shared/listing.js";
import { startSignIn } from "/ui/shared/signin.js";
import { HUB_ADMIN, HUB_PAGES } from "/ui/hub/pages.js";

const REFRESH_MS = 5000;
// A site silent for longer than this is shown as no longer reporting (it pushes every 5 s when all is well).
const SILENT_SECONDS = 15 * 60;
const LEVELS = { tinh: "Cấp tỉnh", huyen: "Cấp huyện", xa: "Cấp xã" };
const STATES = { active: "Đang nhận", revoked: "Đã thu hồi mã", diverged: "Lệch dữ liệu (chờ đồng bộ lại)" };
let refreshTimer = null;

const say = (text, isError) => {
  $("message").classList.toggle("error", Boolean(isError));
  showMessage($("message"), text);
};

function showToken(code, token) {
  $("token-site").textContent = code;
  $("token").textContent = token;
  $("token-box").hidden = false;
}

function contact(site, now) {
  if (!site.last_contact_at) return el("td", null, "Chưa liên lạc");
  const silent = now - site.last_contact_at > SILENT_SECONDS;
  return el("td", silent ? "hub-stale" : null,
    dateTime(site.last_contact_at * 1000) + (silent ? " (ngừng báo cáo)" : ""));
}

function actions(site) {
  const cell = el("td", "actions");
  if (site.state === "diverged") {
    cell.append(button("Cấp lại mã và đồng bộ lại từ đầu", "btn btn-primary", () => {
      if (!window.confirm(`Xóa dữ liệu tỉnh đã nhận của ${site.code} và nhận lại toàn bộ từ đơn vị?`)) return;
      act(`/api/hub/sites/${encodeURIComponent(site.code)}/start-over`, undefined, site.code);
    }));
  } else {
    cell.append(button(site.state === "revoked" ? "Cấp lại mã" : "Cấp mã mới", "btn",
      () => act("/api/hub/sites", { code: site.code }, site.code)));
  }
  if (site.state !== "revoked") {
    cell.append(button("Thu hồi mã", "btn btn-danger", () => {
      if (!window.confirm(`Thu hồi mã truy cập của ${site.code}? Tỉnh sẽ ngừng nhận dữ liệu của đơn vị ngay.`)) return;
      act(`/api/hub/sites/${encodeURIComponent(site.code)}/revoke`, undefined, null, `Đã thu hồi mã của ${site.code}.`);
    }));
  }
  return cell;
}

function draw(listing) {
  setTimeZone(listing.timezone); // the hub's zone, whatever the browser's
  const body = $("sites");
  body.replaceChildren(...listing.sites.map((site) => {
    const row = el("tr", `state-${site.state}`);
    row.dataset.code = site.code;
    row.append(el("td", "code", site.code), el("td", null, site.name || "—"), el("td", null, LEVELS[site.level] || "—"),
      el("td", null, site.district || "—"), contact(site, listing.now), el("td", "acked", int(site.acked_seq)),
      el("td", "state", STATES[site.state] || site.state), actions(site));
    return row;
  }));
  $("sites-empty").hidden = listing.sites.length > 0;
  $("sites-table").hidden = listing.sites.length === 0;
}

const listing = adminListing({ url: "/api/hub/sites", draw, say, signIn: (message) => gate.showSignIn(message) });

/** An admin action; a new token in the answer is shown once. */
async function act(url, body, tokenFor, done) {
  const answer = await listing.act("POST", url, body, done || `Đã cấp mã truy cập mới cho ${tokenFor}.`);
  if (tokenFor && answer?.token) showToken(tokenFor, answer.token);
}

$("grant-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = $("site-code").value.trim();
  if (!code) return say("Vui lòng nhập mã đơn vị.", true);
  act("/api/hub/sites", { code, name: $("site-name").value.trim() }, code);
  $("grant-form").reset();
});

const gate = startSignIn({
  roles: HUB_ADMIN,
  pages: HUB_PAGES,
  title: "Đăng nhập quản trị tỉnh",
  help: "Tài khoản quản trị của hệ thống tổng hợp cấp tỉnh.",
  forbidden: "Chỉ quản trị tỉnh được cấp và thu hồi mã truy cập của đơn vị.",
  onBoard() {
    listing.refresh();
    refreshTimer = setInterval(listing.refresh, REFRESH_MS);
  },
  onLeave() {
    clearInterval(refreshTimer);
    $("token-box").hidden = true;
  },
});
