// Landing page: show which center this server is set up for. The static page stays usable if this fails.
import { $ } from "/ui/shared/dom.js";
import { loadCenter } from "/ui/shared/http.js";

loadCenter()
  .then((center) => {
    $("center-name").textContent = center.name;
    $("center-address").textContent = center.address || "";
    document.title = `Hàng đợi – ${center.name}`;
  })
  .catch(() => {});
