// The feedback inbox (/admin/feedback): every "Không hài lòng" and every comment, newest first, filtered by state,
// dates, department, service, counter and officer. A supervisor opens an item, takes it in hand, writes what was
// done and closes it; its history shows who did what and when. The list is read from the server (GET
// /api/feedback) and read again after every change anyone makes (the `feedback_changed` and `rating_recorded`
// queue events) and after every reconnection, so what it shows is what is stored.
import { $, button, el } from "/ui/shared/dom.js";
import { upgradeDateInputs } from "/ui/shared/date_input.js";
import { dateTime, pad2 } from "/ui/shared/format.js";
import { json, loadCenter as fetchCenter } from "/ui/shared/http.js";
import { coalesce, connect, showConnection } from "/ui/shared/live.js";
import { SUPERVISING_ROLES, startSignIn } from "/ui/shared/signin.js";

const PAGE = 50;
const RELOAD_AFTER_EVENT_MS = 300; // a burst of events costs one request
const FILTERS = ["state", "dissatisfied", "first", "last", "department", "service", "counter", "officer"];
const DEFAULT_STATE = "new,in_progress";
const CHANNEL = { tablet: "Máy đánh giá tại quầy", phone: "Điện thoại của công dân" };
const KIND = { true: "Không hài lòng", false: "Góp ý" };

const state = {
  items: [],
  total: 0,
  choices: null,       // /api/feedback/filters
  shown: null,         // the item open in the dialog
  loading: 0,          // the newest list request: an older answer arriving late is dropped
};
let live = null;
let gate = null;

// ----- formatting ---------------------------------------------------------------------------------

/** A moment of the server (epoch seconds) on the center's clock: "08:05 23/11/2026". */
const when = (epochSeconds) => dateTime(epochSeconds * 1000);

const badge = (item) => el("span", `badge badge-${item.state}`, item.state_name);

function counterText(item) {
  return `Quầy ${pad2(item.counter_number)}`;
}

// ----- filters ------------------------------------------------------------------------------------

/** The filters as the URL has them (so a reload or a link keeps them); the state defaults to open items. */
function filtersFromUrl() {
  const query = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const input = $(`f-${name}`);
    const value = query.has(name) ? query.get(name) : (name === "state" ? DEFAULT_STATE : "");
    if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
      input.append(el("option", { value }, value)); // a code no longer configured: still a valid filter
    }
    input.value = value;
  }
}

function filterQuery() {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = $(`f-${name}`).value;
    if (value || (name === "state" && value !== DEFAULT_STATE)) query.set(name, value);
  }
  return query;
}

function rememberFilters() {
  const query = filterQuery();
  const item = new URLSearchParams(location.search).get("item");
  if (item && state.shown) query.set("item", item);
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function options(select, entries) {
  const kept = select.value;
  select.replaceChildren(el("option", { value: "" }, "Tất cả"),
    ...entries.map(([value, label]) => el("option", { value }, label)));
  select.value = kept;
  if (select.value !== kept) select.value = "";
}

/** Services follow the chosen department. */
function fillServices() {
  const department = $("f-department").value;
  const services = state.choices.departments
    .filter((d) => !department || d.code === department)
    .flatMap((d) => d.services.map((s) => [s.code, s.name]));
  options($("f-service"), services);
}

function fillChoices(choices) {
  state.choices = choices;
  options($("f-department"), choices.departments.map((d) => [d.code, d.name]));
  fillServices();
  options($("f-counter"), choices.counters.map((c) => [String(c.number), `Quầy ${pad2(c.number)}`]));
  options($("f-officer"), choices.officers.map((o) => [o.username, o.name]));
}

// ----- the list -----------------------------------------------------------------------------------

async function loadList(append = false) {
  const ticket = ++state.loading;
  const query = filterQuery();
  query.set("limit", String(PAGE));
  query.set("offset", String(append ? state.items.length : 0));
  if (!query.has("state")) query.set("state", DEFAULT_STATE);
  if (query.get("state") === "") query.delete("state");
  try {
    const [page, summary] = await Promise.all([
      json("GET", `/api/feedback?${query}`), json("GET", "/api/feedback/summary")]);
    if (ticket !== state.loading) return;
    state.items = append ? state.items.concat(page.items) : page.items;
    state.total = page.total;
    $("list-error").hidden = true;
    renderSummary(summary);
    renderList(page.more);
  } catch (err) {
    if (ticket !== state.loading) return;
    if (err.status === 401 || err.status === 403) return gate.showSignIn(err.message);
    $("list-error").textContent = err.message;
    $("list-error").hidden = false;
  }
}

/** The list (and the item open in the dialog) again, once for a burst of events. */
const reloadSoon = coalesce(() => {
  loadList();
  if (state.shown) openItem(state.shown.id, { keepNote: true });
}, RELOAD_AFTER_EVENT_MS);

function renderSummary(summary) {
  $("open-count").textContent = summary.open
    ? `${summary.open} phản ánh chưa xử lý xong (${summary.new} mới, ${summary.in_progress} đang xử lý)`
    : "Không có phản ánh nào chờ xử lý.";
  $("open-count").classList.toggle("open-count-some", summary.open > 0);
}

function renderList(more) {
  const list = $("items");
  list.replaceChildren(...state.items.map(itemCard));
  $("items-empty").hidden = state.items.length > 0;
  $("list-count").textContent = state.total ? `${state.total} phản ánh, mới nhất ở trên cùng.` : "";
  $("more").hidden = !more;
}

/** What a citizen said and about whom: the same on the card and in the dialog. */
function describe(item, into) {
  const head = el("div", "item-head");
  head.append(el("span", "item-time", when(item.opened_at)), badge(item),
    el("span", `item-level ${item.dissatisfied ? "item-level-bad" : ""}`, item.level_name),
    el("span", "item-kind", KIND[item.dissatisfied]));
  const who = el("p", "item-who");
  who.append(el("span", "item-counter", counterText(item)), el("span", "item-officer", item.officer_name || "—"),
    el("span", "item-ticket", `Số ${item.label}`), el("span", "item-service",
      `${item.service_name} (${item.department_name})`));
  into.append(head, who);
  if (item.reasons.length) {
    const reasons = el("ul", "item-reasons");
    reasons.append(...item.reasons.map((r) => el("li", "item-reason", r)));
    into.append(reasons);
  }
  if (item.comment) {
    const comment = el("p", "item-comment");
    comment.append(el("span", "item-comment-label", "Góp ý: "), el("span", "item-comment-text", item.comment));
    into.append(comment);
  }
}

function itemCard(item) {
  const card = el("li", `item item-${item.state}`);
  card.dataset.id = String(item.id);
  describe(item, card);
  const lastAction = item.history[item.history.length - 1];
  const foot = el("div", "item-foot");
  if (lastAction) {
    const note = lastAction.note ? ` — ${lastAction.note}` : "";
    foot.append(el("span", "item-last",
      `${lastAction.to_state_name}: ${lastAction.actor_name}, ${when(lastAction.at)}${note}`));
  }
  foot.append(button(item.state === "done" ? "Xem lịch sử" : "Xem và xử lý", "btn item-open",
    () => openItem(item.id)));
  card.append(foot);
  return card;
}

// ----- one item: details, history, actions --------------------------------------------------------

async function openItem(id, { keepNote = false } = {}) {
  let item;
  try {
    item = await json("GET", `/api/feedback/${id}`);
  } catch (err) {
    $("list-error").textContent = err.message;
    $("list-error").hidden = false;
    return;
  }
  state.shown = item;
  const query = new URLSearchParams(location.search);
  query.set("item", String(id));
  history.replaceState(null, "", `?${query}`);
  renderItem(item, keepNote);
  const dialog = $("item-dialog");
  if (!dialog.open) dialog.showModal();
}

function renderItem(item, keepNote) {
  $("dialog-title").textContent = `Phản ánh số ${item.label} — ${counterText(item)}`;
  const stateBadge = $("dialog-state");
  stateBadge.className = `badge badge-${item.state}`;
  stateBadge.textContent = item.state_name;
  const body = $("dialog-body");
  body.replaceChildren();
  describe(item, body);
  body.append(el("p", "item-channel", `Đánh giá qua: ${CHANNEL[item.channel] || item.channel}`));

  $("history").replaceChildren(...item.history.map((h) => {
    const row = el("li", "history-row");
    row.append(el("span", "history-time", when(h.at)), el("span", `badge badge-${h.to_state}`, h.to_state_name),
      el("span", "history-actor", h.actor_name));
    if (h.note) row.append(el("p", "history-note", h.note));
    return row;
  }));
  $("history-empty").hidden = item.history.length > 0;

  $("take").hidden = item.state !== "new";
  $("close").hidden = item.state === "done";
  $("reopen").hidden = item.state !== "done";
  if (!keepNote) {
    $("note").value = "";
    $("action-error").hidden = true;
  }
}

async function change(event) {
  const clicked = event.currentTarget;
  const item = state.shown;
  if (!item) return;
  for (const b of document.querySelectorAll("#action-form [data-change]")) b.disabled = true;
  try {
    const updated = await json("POST", `/api/feedback/${item.id}/${clicked.dataset.change}`,
      { note: $("note").value });
    state.shown = updated;
    renderItem(updated, false);
    loadList();
  } catch (err) {
    $("action-error").textContent = err.message;
    $("action-error").hidden = false;
    if (err.status === 409) openItem(item.id, { keepNote: true }); // someone else moved it meanwhile
  } finally {
    for (const b of document.querySelectorAll("#action-form [data-change]")) b.disabled = false;
  }
}

function closeDialog() {
  $("item-dialog").close();
}

function dialogClosed() {
  state.shown = null;
  const query = new URLSearchParams(location.search);
  query.delete("item");
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

// ----- live ---------------------------------------------------------------------------------------

function onEvent(event) {
  if (event.kind === "feedback_changed" || event.kind === "rating_recorded") reloadSoon();
}

async function startBoard() {
  stopLive();
  try {
    fillChoices(await json("GET", "/api/feedback/filters"));
  } catch (err) {
    if (err.status === 401 || err.status === 403) return gate.showSignIn(err.message);
  }
  filtersFromUrl();
  fillServices();
  const item = new URLSearchParams(location.search).get("item");
  // Every (re)connection draws the list again: changes made while the socket was away are in it.
  live = connect({
    screen: "supervisor", onSnapshot: () => loadList(), onEvent, onStatus: showConnection,
    onRefused: (reply) => gate.showSignIn(reply.message),
  });
  loadList();
  if (item && /^\d+$/.test(item)) openItem(Number(item));
}

function stopLive() {
  reloadSoon.cancel();
  if (live) {
    live.socket.disconnect();
    live = null;
  }
}

function leaveBoard() {
  stopLive();
  if ($("item-dialog").open) closeDialog();
  state.items = [];
  $("items").replaceChildren();
  $("open-count").textContent = "";
}

async function loadCenter() {
  try {
    const center = await fetchCenter(); // its time zone: times read as the center's clock
    $("center-name").textContent = center.name || "";
  } catch (err) {
    // Decoration: times then read on Việt Nam's clock.
  }
}

function start() {
  upgradeDateInputs(); // dd/mm/yyyy whatever the browser's language; their value stays YYYY-MM-DD
  $("filters").addEventListener("change", (event) => {
    if (event.target.id === "f-department") fillServices();
    rememberFilters();
    loadList();
  });
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("f-reset").addEventListener("click", () => {
    for (const name of FILTERS) $(`f-${name}`).value = name === "state" ? DEFAULT_STATE : "";
    fillServices();
    rememberFilters();
    loadList();
  });
  $("more").addEventListener("click", () => loadList(true));
  for (const b of document.querySelectorAll("#action-form [data-change]")) b.addEventListener("click", change);
  $("action-form").addEventListener("submit", (event) => event.preventDefault());
  $("dialog-cancel").addEventListener("click", closeDialog);
  $("item-dialog").addEventListener("close", dialogClosed);
  loadCenter().finally(() => {
    gate = startSignIn({
      roles: SUPERVISING_ROLES,
      title: "Đăng nhập giám sát",
      help: "Theo dõi, xử lý phản ánh của công dân: dành cho lãnh đạo, cán bộ giám sát của Trung tâm.",
      forbidden: "Tài khoản này không có quyền theo dõi, xử lý phản ánh; mời đăng nhập tài khoản giám sát.",
      onBoard: startBoard,
      onLeave: leaveBoard,
    });
  });
}

start();
