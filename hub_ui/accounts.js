// Hub › Tài khoản (/hub/accounts): the provincial admin adds provincial admins, leaders and district leaders, sets
// a role or a new password, and locks an account (its sessions end at once). Admin accounts only.
import { $, button, el, showMessage } from "/ui/shared/dom.js";
import { dateTime, setTimeZone } from "/ui/shared/format.js";
import { adminListing } from "/ui/shared/listing.js";
import { startSignIn } from "/ui/shared/signin.js";
import { HUB_ADMIN, HUB_PAGES } from "/ui/hub/pages.js";

let me = null;

const say = (text, isError) => {
  $("message").classList.toggle("error", Boolean(isError));
  showMessage($("message"), text);
};

function draw(listing) {
  setTimeZone(listing.timezone); // the hub's zone, whatever the browser's
  $("accounts").replaceChildren(...listing.accounts.map((account) => {
    const row = el("tr", account.disabled_at ? "state-revoked" : "");
    row.dataset.username = account.username;
    const actions = el("td", "actions");
    if (!account.disabled_at && account.username !== me) {
      actions.append(button("Khóa tài khoản", "btn btn-danger", () => {
        if (!window.confirm(`Khóa tài khoản ${account.username}? Phiên đăng nhập của tài khoản sẽ kết thúc ngay.`)) return;
        act("POST", `/api/hub/accounts/${encodeURIComponent(account.username)}/disable`, undefined,
          `Đã khóa tài khoản ${account.username}.`);
      }));
    }
    row.append(el("td", "code", account.username), el("td", null, account.name),
      el("td", "role", listing.roles[account.role] || account.role), el("td", null, account.district || "—"),
      el("td", "state", account.disabled_at ? `Đã khóa ${dateTime(account.disabled_at * 1000)}` : "Đang dùng"),
      actions);
    return row;
  }));
}

const { refresh, act } = adminListing({
  url: "/api/hub/accounts", draw, say, signIn: (message) => gate.showSignIn(message),
});

const showDistrict = () => { $("district-field").hidden = $("account-role").value !== "district_leader"; };
$("account-role").addEventListener("change", showDistrict);

$("account-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("account-username").value.trim();
  const role = $("account-role").value;
  const body = { username, name: $("account-name").value.trim(), role, password: $("account-password").value,
    district: role === "district_leader" ? $("account-district").value.trim() : "" };
  if (await act("POST", "/api/hub/accounts", body, `Đã lưu tài khoản ${username}.`)) {
    $("account-form").reset();
    showDistrict();
  }
});

const gate = startSignIn({
  roles: HUB_ADMIN,
  pages: HUB_PAGES,
  title: "Đăng nhập quản trị tỉnh",
  help: "Tài khoản quản trị của hệ thống tổng hợp cấp tỉnh.",
  forbidden: "Chỉ quản trị tỉnh được quản lý tài khoản.",
  onBoard(officer) {
    me = officer.username;
    refresh();
  },
});
