// Landing page: show which center this server is set up for. The static page stays usable if this fails.
"use strict";

fetch("/api/center")
  .then((response) => (response.ok ? response.json() : null))
  .then((center) => {
    if (!center) return;
    document.getElementById("center-name").textContent = center.name;
    document.getElementById("center-address").textContent = center.address || "";
    document.title = `Hàng đợi – ${center.name}`;
  })
  .catch(() => {});
