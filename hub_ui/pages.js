// The provincial hub's pages and who may open each: the header's links (shared_ui/signin.js `pages`).
// Roles: admin (Quản trị tỉnh), leader (Lãnh đạo tỉnh), district_leader (Lãnh đạo huyện) — server/hub/accounts.py.
export const HUB_ADMIN = ["admin"];
export const HUB_VIEWERS = ["admin", "leader", "district_leader"];

export const HUB_PAGES = [
  { path: "/hub/overview", label: "Tổng quan toàn tỉnh", roles: HUB_VIEWERS },
  { path: "/hub/reports", label: "Báo cáo", roles: HUB_VIEWERS },
  { path: "/hub/sites", label: "Đơn vị và mã truy cập", roles: HUB_ADMIN },
  { path: "/hub/accounts", label: "Tài khoản", roles: HUB_ADMIN },
];
