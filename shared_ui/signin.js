// The one sign-in flow of the staff screens: live overview, reports and their print page, feedback, configuration,
// devices and the counter console. Each screen imports it and names the roles that may open it; the server checks
// again on every request (server/web/auth.py role_required), so this only decides what the screen draws.
//
// The page's HTML has a loading notice, an empty sign-in section (the standard form is built into it, or the page
// writes its own form there, with inputs named username and password, an element .form-error and a submit button:
// the console adds its counter choice that way), the board, and optionally #user-box with #user-name and the
// sign-out button (#sign-out, or the id in `signOutButton`), which this module wires.
//
//   import { startSignIn, SUPERVISING_ROLES } from "/ui/shared/signin.js";
//   const gate = startSignIn({roles: SUPERVISING_ROLES, title: "Đăng nhập giám sát", help: "…",
//     forbidden: "Chỉ lãnh đạo, giám sát …", onBoard(officer, session) {…}, onLeave() {…}});
//   gate.showSignIn(message)   // e.g. when the server says the session has ended
import { $, el } from "/ui/shared/dom.js";
import { answer, json } from "/ui/shared/http.js";

/** Who supervises (server/core/center.py SUPERVISING_ROLES): the live view, reports and feedback. */
export const SUPERVISING_ROLES = ["supervisor", "admin"];
/** Who changes the center: configuration and devices. */
export const ADMIN_ROLES = ["admin"];
/** Every account may work at a counter (the server asks only for the counter). */
export const ALL_ROLES = ["officer", "supervisor", "admin"];

// The staff pages, and who may open each: the links in the header, and where a refused account can go instead.
const PAGES = [
  { path: "/admin/live", label: "Giám sát", roles: SUPERVISING_ROLES },
  { path: "/admin/feedback", label: "Phản ánh", roles: SUPERVISING_ROLES },
  { path: "/admin/reports", label: "Báo cáo", roles: SUPERVISING_ROLES },
  { path: "/admin/config", label: "Cấu hình", roles: ADMIN_ROLES },
  { path: "/admin/devices", label: "Thiết bị", roles: ADMIN_ROLES },
];
const CONSOLE_PAGE = { path: "/counter", label: "Bàn làm việc của quầy" };
// The day's bookings, linked only where the center takes bookings (GET /api/appointments/status), after the
// feedback inbox.
const BOOKINGS_PAGE = { path: "/admin/bookings", label: "Lịch hẹn", roles: SUPERVISING_ROLES, after: "/admin/feedback" };
let bookingsTaken = null;

/** The center's staff pages, with the bookings page where the center takes bookings (asked once per page). */
async function centerPages() {
  bookingsTaken ??= answer("GET", "/api/appointments/status").then((reply) => Boolean(reply.ok && reply.body.taken), () => false);
  if (!(await bookingsTaken)) return PAGES;
  const at = PAGES.findIndex((page) => page.path === BOOKINGS_PAGE.after) + 1;
  return [...PAGES.slice(0, at), BOOKINGS_PAGE, ...PAGES.slice(at)];
}

const RETRY_MS = 3000;

function field(label, attrs) {
  const wrapper = el("label", { class: "field" });
  wrapper.append(el("span", { class: "field-label" }, label), el("input", { class: "field-input", ...attrs }));
  return wrapper;
}

/** The page's own form in the sign-in section, or the standard one built there. */
function signInForm(section, options) {
  const own = section.querySelector("form");
  if (own) return own;
  const form = el("form", { id: "signin-form", class: "signin-card", novalidate: "" });
  form.append(el("h2", { class: "signin-title" }, options.title || "Đăng nhập"),
    el("p", { class: "signin-help" }, options.help || ""),
    field("Tên đăng nhập", { id: "username", name: "username", autocomplete: "username", autocapitalize: "off",
      spellcheck: "false", required: "" }),
    field("Mật khẩu", { id: "password", name: "password", type: "password", autocomplete: "current-password",
      required: "" }),
    el("p", { id: "signin-error", class: "form-error", role: "alert", hidden: "" }),
    el("p", { class: "signin-elsewhere", hidden: "" }),
    el("button", { id: "signin-submit", class: "btn btn-primary signin-submit", type: "submit" }, "Đăng nhập"));
  section.replaceChildren(form);
  return form;
}

/** The staff pages an account of this role may open (of `pages`: another server's list, e.g. the hub's). */
export function pagesFor(role, pages = PAGES) {
  return pages.filter((page) => page.roles.includes(role));
}

/** Whether a session ({officer, counter} from GET /api/session) may open a page for these roles. */
export function allows(roles, session, needsCounter = false) {
  const officer = session && session.officer;
  return Boolean(officer && roles.includes(officer.role) && (!needsCounter || session.counter));
}

/** Links to the other pages this account may open, in the header's user box (when the page has one). */
function navigation(officer, pages) {
  const box = $("user-box");
  if (!box) return;
  let nav = $("admin-nav");
  if (!nav) {
    nav = el("nav", { id: "admin-nav", class: "admin-nav", "aria-label": "Khu vực quản trị" });
    box.prepend(nav);
  }
  const draw = (list) => nav.replaceChildren(...pagesFor(officer.role, list).map((page) => {
    const link = el("a", { href: page.path, class: "admin-nav-link" }, page.label);
    if (location.pathname === page.path) link.setAttribute("aria-current", "page");
    return link;
  }));
  draw(pages || PAGES);
  nav.dataset.role = officer.role;
  if (!pages && BOOKINGS_PAGE.roles.includes(officer.role)) {
    centerPages().then((list) => nav.dataset.role === officer.role && draw(list)); // still that account's nav
  }
}

/**
 * Start the flow: show the board to an account of `options.roles` (with a counter when `options.counter`), the
 * sign-in form to anyone else. Options: roles, title, help, forbidden (shown to a signed-in account of another
 * role), onBoard(officer, session), onLeave(), onSignInShown() (each time the form shows), extra() (more fields
 * to send, e.g. {counter}; all must be given), incomplete (the message when something is missing),
 * onSignOutRefused(message) (stay on the board when the server refuses to sign out), views ({loading, signin,
 * board} element ids), boardView (the body's data-view on the board, "board" by default) and pages (the header's
 * links, [{path, label, roles}], when the server is not a center's: the provincial hub's pages).
 */
export function startSignIn(options) {
  const views = { loading: "loading", signin: "signin", board: "board", ...(options.views || {}) };
  const boardView = options.boardView || "board";
  const forbidden = options.forbidden || "Tài khoản này không có quyền mở trang này.";
  const signOutButton = options.signOutButton || "sign-out";
  const form = signInForm($(views.signin), options);
  const error = form.querySelector(".form-error");
  const elsewhere = form.querySelector(".signin-elsewhere");
  const submit = form.querySelector("[type=submit]");
  const { username, password } = form.elements;
  const allowed = (session) => allows(options.roles, session, Boolean(options.counter));

  function view(name) {
    document.body.dataset.view = name === "board" ? boardView : name;
    for (const [key, id] of Object.entries(views)) $(id).hidden = key !== name;
    if ($("user-box")) $("user-box").hidden = name !== "board";
  }

  /** The pages a signed-in account of another role may open instead: never a dead end. */
  function showElsewhere(officer) {
    if (!elsewhere) return;
    const pages = officer ? pagesFor(officer.role, options.pages) : [];
    if (officer && !pages.length && !options.counter) pages.push(CONSOLE_PAGE);
    elsewhere.replaceChildren(...(pages.length ? [`Tài khoản ${officer.name} được mở: `] : []),
      ...pages.flatMap((page, i) => [...(i ? [", "] : []), el("a", { href: page.path }, page.label)]));
    elsewhere.hidden = !pages.length;
  }

  function showSignIn(message, keep = {}) {
    if (options.onLeave) options.onLeave();
    view("signin");
    error.textContent = message || "";
    error.hidden = !message;
    showElsewhere(keep.officer);
    if (!keep.password) password.value = "";
    if (options.onSignInShown) options.onSignInShown();
    (username.value ? password : username).focus();
  }

  function enter(session) {
    password.value = "";
    if ($("user-name")) $("user-name").textContent = session.officer.name;
    navigation(session.officer, options.pages);
    view("board");
    options.onBoard(session.officer, session);
  }

  async function signIn(event) {
    event.preventDefault();
    const extra = options.extra ? options.extra() : {};
    const body = { username: username.value.trim(), password: password.value, ...extra };
    if (!body.username || !body.password || !Object.values(extra).every(Boolean)) {
      showSignIn(options.incomplete || "Vui lòng nhập tên đăng nhập và mật khẩu.", { password: true });
      return;
    }
    submit.disabled = true;
    submit.textContent = "Đang đăng nhập…";
    try {
      const session = await json("POST", "/api/session", body);
      if (allowed(session)) return enter(session);
      await json("DELETE", "/api/session").catch(() => null);
      showSignIn(forbidden);
    } catch (err) {
      // Without a counter the server turns officers away with counter_required: on a supervisors' page that
      // means the account may not open it.
      const refused = !options.counter && err.body && err.body.error === "counter_required";
      showSignIn(refused ? forbidden : err.message, { password: err.status !== 401 });
    } finally {
      submit.disabled = false;
      submit.textContent = "Đăng nhập";
    }
  }

  /** Đăng xuất, once at a time (the button waits for the answer, and `canSignOut` may hold it back); when the
   *  server refuses (a citizen still being served) the page may keep its board. */
  async function signOut() {
    const button = $(signOutButton);
    if ((button && button.disabled) || (options.canSignOut && !options.canSignOut())) return;
    if (button) button.disabled = true;
    try {
      await json("DELETE", "/api/session");
    } catch (err) {
      if (options.onSignOutRefused) return options.onSignOutRefused(err.message);
    } finally {
      if (button) button.disabled = false;
    }
    showSignIn("");
  }

  async function check() {
    let session;
    try {
      session = await json("GET", "/api/session");
    } catch (err) {
      view("loading");
      $(views.loading).textContent = "Không kết nối được máy chủ, đang thử lại…";
      setTimeout(check, RETRY_MS);
      return;
    }
    if (allowed(session)) enter(session);
    else showSignIn(session.officer ? forbidden : session.ended || "", { officer: session.officer });
  }

  form.addEventListener("submit", signIn);
  if ($(signOutButton)) $(signOutButton).addEventListener("click", signOut);
  check();
  return { showSignIn, signOut };
}

/** For a page without a form of its own (the print page): the session, and whether these roles may open it. */
export async function signedIn(roles) {
  const session = await json("GET", "/api/session");
  return { officer: session.officer, allowed: allows(roles, session) };
}
