// Headers every screen's API calls carry: the session's CSRF token (double submit, from the readable cookie the
// server sets) and, on a paired device, its device token (kept in this browser's storage by device.js).
(function () {
  "use strict";

  function cookie(name) {
    const found = document.cookie.split("; ").find(function (part) { return part.startsWith(name + "="); });
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function deviceToken() {
    try {
      return localStorage.getItem("hangdoi.device.token") || "";
    } catch (err) {
      return "";  // storage disabled: the device is simply unpaired
    }
  }

  /** Headers for a request; `json` when it sends a JSON body. */
  function headers(json) {
    const result = {};
    if (json) result["Content-Type"] = "application/json";
    const csrf = cookie("hangdoi_csrf");
    if (csrf) result["X-CSRF-Token"] = csrf;
    const device = deviceToken();
    if (device) result["X-Device-Token"] = device;
    return result;
  }

  /** JSON from the API with these headers (and `extra` ones); a refusal throws an Error carrying the server's
   *  Vietnamese `message`, its `status` and its whole answer as `body`. */
  async function json(method, url, body, extra) {
    let response;
    try {
      response = await fetch(url, {
        method: method, cache: "no-store", credentials: "same-origin",
        headers: Object.assign(headers(body !== undefined), extra || {}),
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new Error("Không kết nối được máy chủ. Vui lòng thử lại.");
    }
    const data = await response.json().catch(function () { return null; });
    if (!response.ok) {
      const error = new Error((data && data.message) || "Máy chủ trả lời lỗi " + response.status + ".");
      error.status = response.status;
      error.body = data || {};
      throw error;
    }
    return data;
  }

  window.HangDoiHttp = { headers: headers, deviceToken: deviceToken, json: json };
})();
