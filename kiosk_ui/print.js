// The 80 mm print page of one ticket: /kiosk/print/<token>. The kiosk loads it with ?auto=1 in a hidden frame;
// it prints itself once everything on it (fonts, QR code) has arrived, so the paper never comes out half drawn.
import { fitTicketNumber } from "/ui/shared/access.js";
import { $, el, setText } from "/ui/shared/dom.js";
import { answer } from "/ui/shared/http.js";

const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const auto = new URLSearchParams(location.search).get("auto") === "1";

function showError(message) {
  setText("error-text", message);
  $("tools").hidden = true; // nothing to print; the notice has its own way back
  $("error").hidden = false;
  document.body.dataset.ready = "error";
}

/** Resolves when the QR image has loaded or failed: a ticket without QR still prints. */
function imageSettled(img) {
  if (img.complete) return Promise.resolve();
  return new Promise((resolve) => {
    img.addEventListener("load", resolve, { once: true });
    img.addEventListener("error", () => { img.hidden = true; resolve(); }, { once: true });
  });
}

async function fetchTicket() {
  // One retry: the kiosk has just issued this ticket, so a failure is at most a passing hiccup.
  for (let attempt = 0; ; attempt++) {
    try {
      const { ok, body } = await answer("GET", `/api/tickets/${encodeURIComponent(token)}`);
      if (ok && body) return body;
      if (body && body.message) throw Object.assign(new Error(body.message), { shown: true });
      throw new Error("bad answer");
    } catch (err) {
      if (err.shown || attempt >= 1) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Fetch the weights the ticket uses for the characters it shows. `document.fonts.ready` alone can resolve
 *  before layout has even asked for them, and the paper would come out in a fallback font. */
function fontsLoaded() {
  const text = $("ticket").textContent;
  const loads = ["400", "600", "700", "800"].map((weight) => document.fonts.load(`${weight} 12pt "Be Vietnam Pro"`, text));
  return Promise.all(loads).then(() => document.fonts.ready).catch(() => {}); // a missing font must not stop printing
}

/** Give the page the ticket's length, so the roll is cut just after it (see print.css). */
function fitPageToTicket() {
  const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith("/print.css"));
  if (!sheet) return;
  const lengthMm = Math.ceil(($("ticket").getBoundingClientRect().height * 25.4) / 96) + 2;
  sheet.insertRule(`@page { size: 80mm ${lengthMm}mm; margin: 0; }`, sheet.cssRules.length);
}

async function render() {
  let ticket;
  try {
    ticket = await fetchTicket();
  } catch (err) {
    return showError(err.shown ? err.message : "Không tải được phiếu. Vui lòng thử lại hoặc liên hệ cán bộ hướng dẫn.");
  }
  const lines = ticket.print;
  setText("t-center", lines.center_name);
  setText("t-title", lines.title);
  setText("t-label", lines.label);
  setText("t-priority", lines.priority);
  setText("t-booked", lines.booked || ""); // a booked citizen's time (server/core/ticket_print.py booked_line)
  setText("t-department", lines.department);
  setText("t-service", lines.service);
  setText("t-counters", lines.counters);
  setText("t-ahead", lines.ahead);
  setText("t-wait", lines.wait);
  setText("t-issued", lines.issued);
  setText("t-scan", lines.scan);
  $("t-footer").replaceChildren(...lines.footer.map((text) => el("p", null, text)));
  document.title = `Phiếu ${lines.label}`;
  const qr = $("t-qr");
  qr.src = ticket.qr_url;
  $("ticket").hidden = false;
  await Promise.all([imageSettled(qr), fontsLoaded()]);
  fitTicketNumber($("t-label")); // at least 20 mm high, for citizens with low vision
  fitPageToTicket();
  document.body.dataset.ready = "1";
  if (auto) window.print();
}

$("print-again").addEventListener("click", () => window.print());
render();
