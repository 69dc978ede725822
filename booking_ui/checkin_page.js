// /checkin: the check-in panel alone (a screen beside the kiosks that only checks in bookings and remote numbers).
import { $, setText } from "/ui/shared/dom.js";
import { loadCenter } from "/ui/shared/http.js";
import { mountCheckIn } from "/ui/booking/checkin.js";

const RESULT_SECONDS = 15;
let back = null;

const checkIn = mountCheckIn($("checkin"), {
  device: new URLSearchParams(location.search).get("kiosk"),
  onTicket(answer) {
    checkIn.stop();
    setText("result-label", answer.ticket.label);
    setText("result-service", `Lĩnh vực: ${answer.ticket.service_name}`);
    setText("result-message", answer.message);
    $("checkin").hidden = true;
    $("result").hidden = false;
    back = setTimeout(again, RESULT_SECONDS * 1000);
  },
});

function again() {
  clearTimeout(back);
  $("result").hidden = true;
  $("checkin").hidden = false;
  checkIn.start();
}

$("again").addEventListener("click", again);
loadCenter(3000).then((center) => setText("center-name", center.name));
checkIn.start();
