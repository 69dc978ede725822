// The "Đặt lịch hẹn" panel of /admin/config: the center's [appointments] (docs/APPOINTMENTS.md, docs/CONFIG.md)
// — switched on or off, its numbers, and per service the bookings a slot takes and the remote numbers a day gives.
// config.js draws it like its other sections and passes its own field editor; the server checks every value and
// names a refused one as this panel labels it (server/core/field_labels.py FIELDS["appointments"]).
import { el } from "/ui/shared/dom.js";

// The policy's numbers, in the order of docs/CONFIG.md (labels: server/core/field_labels.py), each a number field.
export const APPOINTMENT_FIELDS = [
  ["slot_minutes", "Độ dài khung giờ hẹn (phút)"],
  ["days_ahead", "Đặt lịch trước tối đa (ngày)"],
  ["close_minutes_before", "Ngừng nhận đặt trước giờ hẹn (phút)"],
  ["per_phone_per_day", "Số lần đặt tối đa/ngày của một số điện thoại"],
  ["per_address_per_day", "Số lần đặt tối đa/ngày của một địa chỉ mạng"],
  ["late_minutes", "Đến muộn quá (phút) thì xếp như khách trực tiếp"],
  ["booked_every", "N: số người hẹn gọi liên tiếp trước một khách trực tiếp"],
  ["remote_grace_minutes", "Giữ chỗ số lấy từ xa chưa có mặt (phút)"],
  ["retention_days", "Giữ họ tên, số điện thoại sau ngày hẹn (ngày)"],
].map(([key, label]) => ({ key, label, kind: "number" }));
// The two per-service maps: their column in the services' table.
const SERVICE_MAPS = [
  { key: "capacity", label: "Chỗ mỗi khung giờ (đặt lịch)" },
  { key: "remote_daily_cap", label: "Số lấy từ xa tối đa/ngày" },
];
// What a center that switches bookings on starts with (server/core/appointments_config.py's defaults).
const DEFAULTS = { slot_minutes: 30, days_ahead: 14, close_minutes_before: 60, per_phone_per_day: 3,
  per_address_per_day: 20, late_minutes: 15, booked_every: 3, remote_grace_minutes: 10, retention_days: 30 };

/** An empty cell leaves the service out of the map; anything else is sent as typed (the server names a bad one). */
function cellValue(input) {
  const text = input.value.trim();
  if (!text) return undefined;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/**
 * The panel's editor: {node, read(), field(key)}. `policy` is the saved [appointments] (undefined: off),
 * `departments` the saved departments (one row per service), `fieldsEditor` config.js's labelled fields.
 * read() is the section's value: false when switched off (the server then removes [appointments]). field(key) is the input a refusal's key names
 * ("appointments.capacity.ly-lich", "appointments.slot_minutes").
 */
export function appointmentsEditor(policy, departments, fieldsEditor) {
  const node = el("div", "appointments-editor");
  const toggle = el("input");
  toggle.type = "checkbox";
  toggle.id = "appointments-enabled";
  toggle.dataset.key = "enabled";
  toggle.checked = Boolean(policy);
  const switchLabel = el("label", "field-check");
  switchLabel.append(toggle, " Nhận đặt lịch hẹn và lấy số từ xa");
  const numbers = fieldsEditor(APPOINTMENT_FIELDS, { ...DEFAULTS, ...(policy || {}) });

  const table = el("table", "config-table appointments-services");
  const head = el("tr");
  head.append(el("th", null, "Lĩnh vực"), ...SERVICE_MAPS.map((map) => el("th", null, map.label)));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  const inputs = {}; // map key → service code → input
  for (const map of SERVICE_MAPS) inputs[map.key] = {};
  for (const service of departments.flatMap((department) => department.services)) {
    const row = el("tr", "config-row");
    row.dataset.service = service.code;
    row.append(el("td", "text", `${service.name} (${service.code})`));
    for (const map of SERVICE_MAPS) {
      const input = el("input", "cell-input");
      input.type = "text";
      input.inputMode = "numeric";
      input.dataset.key = map.key;
      input.setAttribute("aria-label", `${map.label}: ${service.name}`);
      const saved = policy && policy[map.key] ? policy[map.key][service.code] : undefined;
      if (saved !== undefined) input.value = String(saved);
      inputs[map.key][service.code] = input;
      const cell = el("td");
      cell.append(input);
      row.append(cell);
    }
    body.append(row);
  }
  table.append(body);
  const hint = el("p", "field-hint", "Để trống: lĩnh vực không nhận đặt lịch (hoặc không cho lấy số từ xa).");
  const details = el("div", "appointments-details");
  details.append(numbers.node, table, hint);
  details.hidden = !toggle.checked;
  toggle.addEventListener("change", () => { details.hidden = !toggle.checked; });
  node.append(switchLabel, details);

  function read() {
    if (!toggle.checked) return false;
    const value = numbers.read();
    for (const map of SERVICE_MAPS) {
      value[map.key] = {};
      for (const [code, input] of Object.entries(inputs[map.key])) {
        const cell = cellValue(input);
        if (cell !== undefined) value[map.key][code] = cell;
      }
    }
    return value;
  }

  function field(key) {
    const [, name, code] = key.split(".");
    if (!name) return toggle;
    if (code !== undefined) return (inputs[name] || {})[code] || null;
    return numbers.node.querySelector(`[data-key="${CSS.escape(name)}"]`);
  }

  return { node, read, field };
}
