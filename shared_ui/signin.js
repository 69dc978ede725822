// The sign-in of the admin area's pages (live overview, devices, configuration): one form, one flow.
// The page's HTML has #loading, an empty <section id="signin">, #board, and #user-box with #user-name and
// #sign-out. Usage:
//   const gate = HangDoiSignIn.start({roles: ["admin"], title: "Đăng nhập quản trị", help: "…",
//     forbidden: "Chỉ quản trị viên …", onBoard(officer) {…}, onLeave() {…}});
//   gate.showSignIn(message)   // e.g. when the server says the session has ended
// Needs shared_ui/http.js.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function field(label, attrs) {
    const wrapper = el("label", { class: "field" });
    wrapper.append(el("span", { class: "field-label" }, label), el("input", { class: "field-input", ...attrs }));
    return wrapper;
  }

  function buildForm(options) {
    const form = el("form", { id: "signin-form", class: "signin-card", novalidate: "" });
    form.append(el("h2", { class: "signin-title" }, options.title), el("p", { class: "signin-help" }, options.help),
      field("Tên đăng nhập", { id: "username", name: "username", autocomplete: "username", autocapitalize: "off",
        spellcheck: "false", required: "" }),
      field("Mật khẩu", { id: "password", name: "password", type: "password", autocomplete: "current-password",
        required: "" }),
      el("p", { id: "signin-error", class: "form-error", role: "alert", hidden: "" }),
      el("button", { id: "signin-submit", class: "btn btn-primary signin-submit", type: "submit" }, "Đăng nhập"));
    $("signin").replaceChildren(form);
    return form;
  }

  // The admin area's pages, and who may open each.
  const PAGES = [
    { path: "/admin/live", label: "Giám sát", roles: ["supervisor", "admin"] },
    { path: "/admin/reports", label: "Báo cáo", roles: ["supervisor", "admin"] },
    { path: "/admin/config", label: "Cấu hình", roles: ["admin"] },
    { path: "/admin/devices", label: "Thiết bị", roles: ["admin"] },
  ];

  /** Links to the other pages this account may open, in the header's user box. */
  function navigation(officer) {
    let nav = $("admin-nav");
    if (!nav) {
      nav = el("nav", { id: "admin-nav", class: "admin-nav", "aria-label": "Khu vực quản trị" });
      $("user-box").prepend(nav);
    }
    nav.replaceChildren(...PAGES.filter((page) => page.roles.includes(officer.role)).map((page) => {
      const link = el("a", { href: page.path, class: "admin-nav-link" }, page.label);
      if (location.pathname === page.path) link.setAttribute("aria-current", "page");
      return link;
    }));
  }

  function view(name) {
    document.body.dataset.view = name;
    $("loading").hidden = name !== "loading";
    $("signin").hidden = name !== "signin";
    $("board").hidden = name !== "board";
    $("user-box").hidden = name !== "board";
  }

  function start(options) {
    const allowed = (officer) => officer && options.roles.includes(officer.role);

    function showSignIn(message) {
      if (options.onLeave) options.onLeave();
      view("signin");
      $("signin-error").textContent = message || "";
      $("signin-error").hidden = !message;
      $("password").value = "";
      $("username").focus();
    }

    function enter(officer) {
      $("user-name").textContent = officer.name;
      navigation(officer);
      view("board");
      options.onBoard(officer);
    }

    async function signIn(event) {
      event.preventDefault();
      const username = $("username").value.trim();
      const password = $("password").value;
      if (!username || !password) return showSignIn("Vui lòng nhập tên đăng nhập và mật khẩu.");
      $("signin-submit").disabled = true;
      try {
        const session = await HangDoiHttp.json("POST", "/api/session", { username, password });
        if (allowed(session.officer)) return enter(session.officer);
        await HangDoiHttp.json("DELETE", "/api/session").catch(() => null);
        showSignIn(options.forbidden);
      } catch (err) {
        showSignIn(err.message);
        $("username").value = username;
        $("password").focus();
      } finally {
        $("signin-submit").disabled = false;
      }
    }

    buildForm(options).addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", async () => {
      await HangDoiHttp.json("DELETE", "/api/session").catch(() => null); // the screen leaves regardless
      showSignIn("");
    });
    HangDoiHttp.json("GET", "/api/session").then((session) => {
      if (allowed(session.officer)) enter(session.officer);
      else showSignIn(session.officer ? options.forbidden : "");
    }).catch((err) => showSignIn(err.message));
    return { showSignIn: showSignIn };
  }

  window.HangDoiSignIn = { start: start };
})();
