// Admin › Cấu hình trung tâm (/admin/config): edit the center section by section (departments and services,
// counters, officers, hours, priority, rating, general), each with its own "Lưu". The server checks the whole
// configuration and refuses what today's queue cannot follow; its Vietnamese message is shown beside the section.
// A saved change reaches kiosks, displays and consoles at once. Admin accounts only.
import { dateInput } from "/ui/shared/date_input.js";
import { $, button, el } from "/ui/shared/dom.js";
import { dateTime, pad2 } from "/ui/shared/format.js";
import { json as api, loadCenter } from "/ui/shared/http.js";
import { ADMIN_ROLES, startSignIn } from "/ui/shared/signin.js";
import { appointmentsEditor } from "/ui/admin/config_appointments.js";

const DAYS = [["T2", "Thứ Hai"], ["T3", "Thứ Ba"], ["T4", "Thứ Tư"], ["T5", "Thứ Năm"], ["T6", "Thứ Sáu"],
  ["T7", "Thứ Bảy"], ["CN", "Chủ nhật"]];
const ROLES = [["officer", "Công chức"], ["supervisor", "Giám sát"], ["admin", "Quản trị"]];
const POLICIES = [["interleave", "Xen kẽ: một số ưu tiên sau mỗi N số thường"],
  ["strict", "Luôn gọi số ưu tiên trước"]];
const SCALES = [["3", "3 mức: Rất hài lòng, Hài lòng, Không hài lòng"],
  ["5", "5 mức: thêm Bình thường và Rất không hài lòng"]];
// The levels of the rating scales (server/core/center.py RATING_LEVELS, OFFICIAL_LEVELS), best first.
const OFFICIAL_LEVELS = ["Rất hài lòng", "Hài lòng", "Không hài lòng"];
const FIVE_LEVELS = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"];
// Columns of the editable tables and fields of the forms: `kind` says how a value is read back.
const SERVICE_COLUMNS = [
  { key: "code", label: "Mã" }, { key: "name", label: "Tên lĩnh vực", wide: true },
  { key: "prefix", label: "Chữ đầu số" }, { key: "daily_cap", label: "Số tối đa/ngày", kind: "number" },
  { key: "target_wait_minutes", label: "Chờ mục tiêu (phút)", kind: "number", optional: true },
  { key: "service_minutes", label: "Phút/lượt", kind: "number", optional: true },
  { key: "counters", label: "Quầy phục vụ", kind: "numbers", placeholder: "1, 2" },
];
const DEPARTMENT_FIELDS = [{ key: "code", label: "Mã Sở, ngành" }, { key: "name", label: "Tên Sở, ngành", wide: true }];
const COUNTER_COLUMNS = [
  { key: "number", label: "Số quầy", kind: "number" },
  { key: "name", label: "Tên hiển thị", optional: true, placeholder: "Quầy 01" },
  { key: "services", label: "Lĩnh vực (mã, theo thứ tự ưu tiên)", kind: "list", wide: true },
];
const GROUP_COLUMNS = [{ key: "code", label: "Mã" }, { key: "name", label: "Tên nhóm ưu tiên", wide: true }];
const REASON_COLUMNS = [{ key: "text", label: "Lý do không hài lòng", wide: true }];
const SESSION_COLUMNS = [{ key: "start", label: "Bắt đầu", placeholder: "07:30" },
  { key: "end", label: "Kết thúc", placeholder: "11:30" }];
const HOLIDAY_COLUMNS = [{ key: "date", label: "Ngày nghỉ", kind: "date" }];
const QUEUE_FIELDS = [
  { key: "priority_policy", label: "Cách gọi số ưu tiên", kind: "select", choices: POLICIES, wide: true },
  { key: "priority_every", label: "N (xen kẽ): số thường giữa hai số ưu tiên", kind: "number" },
  { key: "default_service_minutes", label: "Thời gian phục vụ mặc định (phút/lượt)", kind: "number" },
  { key: "default_target_wait_minutes", label: "Thời gian chờ mục tiêu mặc định (phút)", kind: "number" },
  { key: "no_show_min_calls", label: "Vắng mặt: số lần gọi tối thiểu", kind: "number" },
  { key: "no_show_min_seconds", label: "Vắng mặt: số giây tối thiểu từ lần gọi đầu", kind: "number" },
];
const CENTER_FIELDS = [
  { key: "name", label: "Tên trung tâm", wide: true }, { key: "address", label: "Địa chỉ", optional: true, wide: true },
  { key: "notice", label: "Dòng thông báo trên màn hình phòng chờ", optional: true, wide: true, kind: "long" },
  { key: "timezone", label: "Múi giờ", placeholder: "Asia/Ho_Chi_Minh" },
];

const state = { config: null, version: null, auditBefore: null, editors: {} };

// ----- editors ------------------------------------------------------------------------------------

/** One input (or select) for a column, holding `value`. */
function control(column, value) {
  let node;
  if (column.kind === "select") {
    node = el("select", "cell-input");
    if (column.optional) node.append(el("option", null, "—"));
    for (const [code, text] of column.choices) {
      const option = el("option", null, text);
      option.value = code;
      node.append(option);
    }
    if (column.optional) node.options[0].value = "";
  } else if (column.kind === "long") {
    node = el("textarea", "cell-input cell-long"); // a sentence or two: it wraps instead of scrolling out of sight
    node.rows = 2;
  } else {
    node = el("input", "cell-input");
    node.type = "text";
    if (column.kind === "date") dateInput(node); // dd/mm/yyyy on screen, YYYY-MM-DD as its value
    if (column.kind === "number") node.inputMode = "decimal";
    if (column.placeholder) node.placeholder = column.placeholder;
  }
  if (column.wide) node.classList.add("cell-wide");
  node.dataset.key = column.key;
  node.setAttribute("aria-label", column.label);
  if (value !== undefined && value !== null) node.value = Array.isArray(value) ? value.join(", ") : String(value);
  return node;
}

/** A control's value as the API takes it; undefined leaves an optional key out. What cannot be read is sent as
 *  typed, so that the server names the key and the problem. */
function valueOf(column, node) {
  const text = node.value.trim();
  if (text === "" && column.optional) return undefined;
  if (column.kind === "number") {
    const number = text.replace(",", "."); // 6,5 as written in Vietnamese
    return /^-?\d+(\.\d+)?$/.test(number) ? Number(number) : text;
  }
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  if (column.kind === "list") return parts;
  if (column.kind === "numbers") return parts.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return text;
}

function read(columns, fields) {
  const item = {};
  for (const column of columns) {
    const value = valueOf(column, fields[column.key]);
    if (value !== undefined) item[column.key] = value;
  }
  return item;
}

/** Labelled fields for one object (a form, not a table): {node, read()}. */
function fieldsEditor(columns, value) {
  const node = el("div", "config-fields");
  const fields = {};
  for (const column of columns) {
    const label = el("label", `field${column.wide ? " field-wide" : ""}`);
    fields[column.key] = control(column, value[column.key]);
    label.append(el("span", "field-label", column.label), fields[column.key]);
    node.append(label);
  }
  return { node, read: () => read(columns, fields) };
}

/** An editable table: a row per item, "Xóa" on each, "Thêm" under it: {node, read()}. `decorate(row, item)` may
 *  add to a row (data attributes, buttons). */
function tableEditor(columns, items, addLabel, decorate) {
  const node = el("div", "rows-editor");
  const table = el("table", "config-table");
  const head = el("tr");
  for (const column of columns) head.append(el("th", null, column.label));
  head.append(el("th"));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  table.append(thead, body);

  function addRow(item) {
    const row = el("tr", "config-row");
    row.fields = {};
    for (const column of columns) {
      const cell = el("td");
      row.fields[column.key] = control(column, item[column.key]);
      cell.append(row.fields[column.key]);
      row.append(cell);
    }
    const actions = el("td", "row-actions");
    actions.append(button("Xóa", "btn btn-small btn-danger remove-row", () => row.remove()));
    row.append(actions);
    if (decorate) decorate(row, item);
    body.append(row);
    return row;
  }

  for (const item of items) addRow(item);
  node.append(table, button(addLabel, "btn btn-small add-row", () => {
    const row = addRow({});
    row.querySelector("input, select").focus();
  }));
  const rows = () => Array.from(body.children).filter((row) => row.fields);
  return { node, read: () => rows().map((row) => read(columns, row.fields)) };
}

/** A table of single strings (reasons, holidays) read back as a list of strings. */
function stringsEditor(columns, values, addLabel) {
  const key = columns[0].key;
  const editor = tableEditor(columns, values.map((value) => ({ [key]: value })), addLabel);
  return { node: editor.node, read: () => editor.read().map((item) => item[key]) };
}

// ----- the sections ---------------------------------------------------------------------------------

function departmentsEditor(departments) {
  const node = el("div", "departments");
  const list = el("div", "department-list");
  const cards = [];

  function addDepartment(department) {
    const card = el("div", "department");
    card.dataset.code = department.code || "";
    const fields = fieldsEditor(DEPARTMENT_FIELDS, department);
    // Which counters serve each service, from the counters section: saved with the service, so that a new
    // service gets its counters in the same save.
    const served = (department.services || []).map((service) => ({
      ...service, counters: state.config.counters.filter((c) => c.services.includes(service.code)).map((c) => c.number),
    }));
    const services = tableEditor(SERVICE_COLUMNS, served, "Thêm lĩnh vực",
      (row, service) => { row.dataset.code = service.code || ""; });
    const entry = { card, read: () => ({ ...fields.read(), services: services.read() }) };
    const head = el("div", "department-head");
    head.append(fields.node, button("Xóa Sở, ngành", "btn btn-small btn-danger", () => {
      card.remove();
      cards.splice(cards.indexOf(entry), 1);
    }));
    card.append(head, el("h3", "department-services", "Lĩnh vực"), services.node);
    list.append(card);
    cards.push(entry);
    return card;
  }

  for (const department of departments) addDepartment(department);
  node.append(list, button("Thêm Sở, ngành", "btn add-department", () => {
    addDepartment({ services: [{}] }).querySelector("input").focus();
  }));
  return { node, read: () => cards.map((entry) => entry.read()) };
}

function officersEditor(officers) {
  const departments = state.config.departments.map((d) => [d.code, `${d.code} – ${d.name}`]);
  const columns = [
    { key: "username", label: "Tên đăng nhập" }, { key: "name", label: "Họ và tên", wide: true },
    { key: "department", label: "Sở, ngành", kind: "select", choices: departments, optional: true },
    { key: "role", label: "Vai trò", kind: "select", choices: ROLES },
  ];
  const saved = new Set(state.config.officers.map((o) => o.username));
  const reset = passwordForm();
  const table = tableEditor(columns, officers, "Thêm công chức", (row, officer) => {
    row.dataset.username = officer.username || "";
    if (!saved.has(officer.username)) return; // a new account gets its password once it is saved
    row.lastChild.prepend(
      button("Đặt lại mật khẩu", "btn btn-small reset-password", () => reset.open(officer)),
      button("Đăng xuất khỏi mọi máy", "btn btn-small sign-out-everywhere", () => signOutEverywhere(officer)));
  });
  const locks = el("div", "sign-in-locks");
  const node = el("div");
  node.append(table.node, reset.node, locks);
  showLocks(locks);
  return { node, read: table.read };
}

/** Ends every session of an account at once (a lost or shared password, a counter PC left signed in). */
async function signOutEverywhere(officer) {
  try {
    const answer = await api("POST", `/api/admin/officers/${encodeURIComponent(officer.username)}/sign-out`);
    say("officers", `Đã đăng xuất ${officer.name} khỏi ${answer.ended} máy.`, false);
    state.auditBefore = null; // the audit list is stale
  } catch (err) {
    handle("officers", err);
  }
}

/** Accounts and addresses waiting after too many failed sign-ins, each with "Mở khoá". */
async function showLocks(node) {
  let answer;
  try {
    answer = await api("GET", "/api/admin/sessions");
  } catch (err) {
    return handle("officers", err);
  }
  node.replaceChildren();
  if (!answer.locks.length) return;
  node.append(el("h3", "subsection", "Đăng nhập sai nhiều lần"));
  const list = el("ul", "lock-list");
  for (const lock of answer.locks) {
    const who = lock.kind === "account" ? `Tài khoản ${lock.name}` : `Máy có địa chỉ ${lock.name}`;
    const item = el("li", "lock", lock.locked_until
      ? `${who}: đang tạm khoá, còn ${lock.minutes_left} phút ` : `${who}: đã nhập sai ${lock.failures} lần `);
    item.append(button("Mở khoá", "btn btn-small unlock", async () => {
      try {
        await api("POST", "/api/admin/sign-in-locks/clear", { key: lock.key });
        say("officers", `Đã mở khoá: ${who}.`, false);
        state.auditBefore = null;
        showLocks(node);
      } catch (err) {
        handle("officers", err);
      }
    }));
    list.append(item);
  }
  node.append(list);
}

/** The one "Đặt lại mật khẩu" form of the officers section, opened for an officer. */
function passwordForm() {
  const node = el("form", "password-form");
  node.hidden = true;
  node.noValidate = true;
  const title = el("h3", "password-title");
  const input = el("input", "field-input");
  input.type = "password";
  input.autocomplete = "new-password";
  input.setAttribute("aria-label", "Mật khẩu mới");
  input.placeholder = "Mật khẩu mới (ít nhất 6 ký tự)";
  const submit = el("button", "btn btn-primary btn-small", "Đặt mật khẩu");
  submit.type = "submit";
  const account = el("input"); // whose password it is, for password managers
  account.autocomplete = "username";
  account.hidden = true;
  node.append(title, account, input, submit, button("Hủy", "btn btn-small", () => { node.hidden = true; }));
  let officer = null;
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api("POST", `/api/admin/officers/${encodeURIComponent(officer.username)}/password`,
        { password: input.value });
      node.hidden = true;
      say("officers", `Đã đặt mật khẩu mới cho ${officer.name}.`, false);
      state.auditBefore = null; // the audit list is stale
    } catch (err) {
      handle("officers", err);
    } finally {
      submit.disabled = false;
    }
  });
  return {
    node,
    open(chosen) {
      officer = chosen;
      title.textContent = `Đặt lại mật khẩu cho ${chosen.name} (${chosen.username})`;
      account.value = chosen.username;
      input.value = "";
      node.hidden = false;
      input.focus();
    },
  };
}

function hoursEditor(hours) {
  const node = el("div", "hours");
  const days = el("fieldset", "days");
  days.append(el("legend", "field-label", "Ngày làm việc"));
  const boxes = DAYS.map(([code, name]) => {
    const label = el("label", "day");
    const box = el("input");
    box.type = "checkbox";
    box.value = code;
    box.checked = hours.working_days.includes(code);
    label.append(box, el("span", null, name));
    days.append(label);
    return box;
  });
  const sessions = tableEditor(SESSION_COLUMNS, hours.sessions, "Thêm buổi");
  const stop = fieldsEditor([{ key: "stop_issuing_minutes_before_end",
    label: "Ngừng cấp số trước khi hết buổi (phút)", kind: "number" }], hours);
  const holidays = stringsEditor(HOLIDAY_COLUMNS, hours.holidays, "Thêm ngày nghỉ");
  node.append(days, el("h3", "subsection", "Các buổi làm việc"), sessions.node, stop.node,
    el("h3", "subsection", "Ngày nghỉ lễ, Tết"), holidays.node);
  return {
    node,
    read: () => ({
      working_days: boxes.filter((box) => box.checked).map((box) => box.value), sessions: sessions.read(),
      ...stop.read(), holidays: holidays.read(),
    }),
  };
}

/** The rating section: the scale, whether a dissatisfied citizen must pick a reason, the reasons, and for a
 *  five-level scale which official level each level counts as in the official reports ([rating.official]). */
function ratingEditor(rating) {
  const scale = fieldsEditor([{ key: "scale", label: "Thang đánh giá", kind: "select", choices: SCALES }], rating);
  const required = el("label", "day reason-required");
  const requiredBox = el("input");
  requiredBox.type = "checkbox";
  requiredBox.id = "reason-required";
  requiredBox.checked = Boolean(rating.reason_required);
  required.append(requiredBox, el("span", null, "Bắt buộc chọn lý do khi không hài lòng"));
  const reasons = stringsEditor(REASON_COLUMNS, rating.reasons, "Thêm lý do");
  const mapping = officialMapping(rating.official || {});
  const scaleSelect = scale.node.querySelector("select");
  const showMapping = () => { mapping.node.hidden = Number(scaleSelect.value) === 3; };
  scaleSelect.addEventListener("change", showMapping);
  showMapping();
  const node = el("div");
  node.append(scale.node, required, el("h3", "subsection", "Lý do khi không hài lòng"), reasons.node, mapping.node);
  return {
    node,
    read: () => {
      const chosen = Number(scale.read().scale);
      const { official, reason_required: _, ...kept } = rating;
      const value = { ...kept, scale: chosen, reasons: reasons.read() };
      if (requiredBox.checked) value.reason_required = true;
      // Three levels are the official ones themselves; five count only through the mapping chosen here.
      const table = chosen === 5 ? mapping.read() : null;
      if (table) value.official = table;
      return value;
    },
  };
}

/** One select per level of the five-level scale: the official level it counts as, or "không quy đổi". Levels left
 *  unconverted stay out of the mapping; the server says what is missing (every level must count exactly once). */
function officialMapping(official) {
  const node = el("div", "official-mapping");
  node.append(el("h3", "subsection", "Quy đổi sang 3 mức chính thức (thang 5 mức)"),
    el("p", "mapping-help", "Báo cáo chính thức (QĐ 766/QĐ-TTg) dùng 3 mức. Chọn mỗi mức của thang 5 mức được tính "
      + "vào mức chính thức nào; để “Không quy đổi” ở mọi mức thì báo cáo chỉ có bảng 5 mức."));
  const fields = el("div", "config-fields");
  const selects = FIVE_LEVELS.map((level) => {
    const label = el("label", "field");
    const select = control({ key: level, label: `Mức “${level}” tính là`, kind: "select",
      choices: [["", "Không quy đổi"], ...OFFICIAL_LEVELS.map((name) => [name, name])] });
    select.value = OFFICIAL_LEVELS.find((name) => (official[name] || []).includes(level)) || "";
    label.append(el("span", "field-label", level), select);
    fields.append(label);
    return [level, select];
  });
  node.append(fields);
  return {
    node,
    read() {
      const table = {};
      for (const [level, select] of selects) {
        if (select.value) (table[select.value] = table[select.value] || []).push(level);
      }
      return Object.keys(table).length ? table : null;
    },
  };
}

const EDITORS = {
  departments: departmentsEditor,
  counters: (counters) => tableEditor(COUNTER_COLUMNS, counters, "Thêm quầy",
    (row, counter) => {
      row.dataset.number = counter.number || "";
      // What an empty name shows on the screens: this counter's own default, not the first one's.
      if (counter.number) row.fields.name.placeholder = `Quầy ${pad2(counter.number)}`;
    }),
  officers: officersEditor,
  hours: hoursEditor,
  priority_groups: (groups) => tableEditor(GROUP_COLUMNS, groups, "Thêm nhóm"),
  queue: (queue) => fieldsEditor(QUEUE_FIELDS, queue),
  rating: ratingEditor,
  center: (center) => fieldsEditor(CENTER_FIELDS, center),
  // [appointments] (config_appointments.js): a row per service of the saved departments.
  appointments: (policy) => appointmentsEditor(policy, state.config.departments, fieldsEditor),
};

function sectionNode(section) {
  return document.querySelector(`.config-section[data-section="${section}"]`);
}

/** Draw a section from the saved configuration, with its status line and "Lưu". */
function render(section) {
  const editor = EDITORS[section](state.config[section]);
  state.editors[section] = editor;
  const body = sectionNode(section).querySelector(".section-body");
  body.textContent = "";
  const footer = el("div", "section-footer");
  const status = el("p", "section-status");
  status.id = `status-${section}`;
  status.setAttribute("role", "status");
  status.hidden = true;
  footer.append(button("Lưu", "btn btn-primary save", () => save(section)), status);
  body.append(editor.node, footer);
  if (section === "departments") drawServiceCodes();
  if (section === "departments" && state.editors.appointments) render("appointments"); // its rows are services
  if (section === "center") $("center-name").textContent = state.config.center.name;
}

function drawServiceCodes() {
  const codes = state.config.departments.flatMap((d) => d.services.map((s) => `${s.code} (${s.name})`));
  document.querySelector(".service-codes").textContent = `Mã lĩnh vực: ${codes.join("; ")}`;
}

function say(section, message, isError) {
  const status = sectionNode(section).querySelector(".section-status");
  status.textContent = message;
  status.classList.toggle("is-error", isError);
  status.hidden = !message;
}

function handle(section, err) {
  if (err.status === 401) return gate.showSignIn(err.message);
  if (err.body && err.body.error === "config_changed") {
    // Another admin saved this section meanwhile: offer the newest version rather than overwrite it.
    say(section, err.message, true);
    const reload = button("Tải lại cấu hình", "btn btn-small reload", () => startBoard());
    sectionNode(section).querySelector(".section-status").append(" ", reload);
    return undefined;
  }
  // The message names the field as this page does; the key (the file's name of it) finds the input to mark.
  say(section, err.message, true);
  const field = err.body && err.body.key ? fieldFor(err.body.key) : null;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", `status-${section}`); // read out with the field when it gets focus
    field.addEventListener("input", () => field.removeAttribute("aria-invalid"), { once: true });
    field.focus();
  }
  return undefined;
}

/** The input a configuration key names ("departments[0].services[1].prefix", "counters[2].services",
 *  "center.name"), or null when the key names a whole section or row. */
function fieldFor(key) {
  if (/^appointments(\.|$)/.test(key)) return state.editors.appointments ? state.editors.appointments.field(key) : null;
  const steps = key.split(".").map((part) => {
    const found = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(part);
    return found ? { name: found[1], index: found[2] === undefined ? null : Number(found[2]) } : { name: part };
  });
  const [first, ...rest] = steps;
  const section = sectionNode(first.name);
  if (!section) return null;
  let scope = section;
  if (first.name === "departments" && first.index !== null) {
    scope = section.querySelectorAll(".department")[first.index];
    const inner = rest[0];
    if (scope && inner && inner.name === "services" && inner.index !== null) {
      scope = scope.querySelectorAll("tr.config-row")[inner.index];
      rest.shift();
    } else if (scope) {
      scope = scope.querySelector(".department-head");
    }
  } else if (first.index !== null) {
    scope = section.querySelectorAll("tr.config-row")[first.index];
  } else if (first.name === "hours" && rest[0] && rest[0].name === "sessions" && rest[0].index !== null) {
    scope = section.querySelectorAll(".rows-editor")[0].querySelectorAll("tr.config-row")[rest.shift().index];
  }
  const last = rest[rest.length - 1];
  if (!scope || !last) return null;
  return scope.querySelector(`[data-key="${CSS.escape(last.name)}"]`);
}

async function save(section) {
  const saveButton = sectionNode(section).querySelector(".save");
  saveButton.disabled = true;
  say(section, "Đang lưu…", false);
  try {
    const edited = state.version ? { "X-Config-Version": String(state.version) } : {};
    const answer = await api("PUT", `/api/admin/config/${section}`, state.editors[section].read(), edited);
    // The saved section, and any other the change touched (a service's counters are the counters section's).
    Object.assign(state.config, answer.sections);
    setVersion(answer.version);
    for (const changed of Object.keys(answer.sections)) render(changed);
    say(section, "Đã lưu. Thay đổi có hiệu lực ngay trên các màn hình.", false);
    state.auditBefore = null;
  } catch (err) {
    handle(section, err);
  } finally {
    saveButton.disabled = false;
  }
}

function setVersion(version) {
  state.version = version;
  $("version").textContent = version ? `Phiên bản ${version}` : "";
}

// ----- audit --------------------------------------------------------------------------------------

/** A moment of the server (epoch seconds) on the center's clock. */
const when = (epoch) => dateTime(epoch * 1000);

function change(label, value) {
  const box = el("div", "audit-side");
  box.append(el("p", "audit-side-label", label),
    el("pre", "audit-json", value === null ? "—" : JSON.stringify(value, null, 2)));
  return box;
}

function drawEntry(entry) {
  const item = el("li", "audit-entry");
  item.dataset.action = entry.action;
  const head = el("p", "audit-head");
  // The server says each code in words (server/core/audit_words.py); the codes stay in the data attributes.
  item.dataset.target = entry.target;
  head.append(el("span", "audit-time", when(entry.at)), el("span", "audit-actor", entry.actor_text),
    el("span", "audit-action", entry.action_text), el("span", "audit-target", entry.target_text));
  item.append(head);
  if (entry.detail_text) item.append(el("p", "audit-detail", entry.detail_text));
  if (entry.before !== null || entry.after !== null) {
    const details = el("details", "audit-details");
    const sides = el("div", "audit-sides");
    sides.append(change("Trước", entry.before), change("Sau", entry.after));
    details.append(el("summary", null, "Trước và sau"), sides);
    item.append(details);
  }
  return item;
}

async function loadAudit(more) {
  const url = more && state.auditBefore ? `/api/admin/audit?before=${state.auditBefore}` : "/api/admin/audit";
  $("audit-error").hidden = true;
  try {
    const answer = await api("GET", url);
    if (!more) $("audit").textContent = "";
    for (const entry of answer.entries) $("audit").append(drawEntry(entry));
    state.auditBefore = answer.entries.length ? answer.entries[answer.entries.length - 1].id : null;
    $("audit-more").hidden = !answer.more;
  } catch (err) {
    if (err.status === 401) return gate.showSignIn(err.message);
    $("audit-error").textContent = err.message;
    $("audit-error").hidden = false;
  }
}

// ----- tabs, sign-in, start -----------------------------------------------------------------------

function showTab(name) {
  const tabs = Array.from(document.querySelectorAll(".tab"));
  const chosen = tabs.some((tab) => tab.dataset.tab === name) ? name : tabs[0].dataset.tab;
  for (const tab of tabs) tab.setAttribute("aria-selected", String(tab.dataset.tab === chosen));
  for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = panel.dataset.panel !== chosen;
  document.body.dataset.tab = chosen;
  if (chosen === "audit" && state.auditBefore === null) loadAudit(false);
  history.replaceState(null, "", `#${chosen}`);
}

async function startBoard() {
  try {
    const answer = await api("GET", "/api/admin/config");
    state.config = answer.sections;
    setVersion(answer.version);
  } catch (err) {
    return gate.showSignIn(err.message);
  }
  for (const section of Object.keys(EDITORS)) render(section);
  state.auditBefore = null;
  showTab(location.hash.slice(1));
}

let gate = null;

async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("audit-refresh").addEventListener("click", () => loadAudit(false));
  $("audit-more").addEventListener("click", () => loadAudit(true));
  gate = startSignIn({
    roles: ADMIN_ROLES,
    title: "Đăng nhập quản trị",
    help: "Thay đổi Sở, ngành, lĩnh vực, quầy, công chức, giờ làm việc, ưu tiên và đánh giá. Thay đổi có hiệu lực "
      + "ngay trên máy lấy số, màn hình và bàn làm việc của quầy.",
    forbidden: "Chỉ quản trị viên được thay đổi cấu hình.",
    onBoard: startBoard,
  });
  loadCenter().then((center) => { $("center-name").textContent = center.name; }).catch(() => null);
}

start();
