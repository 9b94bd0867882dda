/* The frame: close open dropdowns on outside click or Escape, show the busy
   indicator for forms marked data-busy (sent once: their buttons are disabled
   while the request runs), confirm actions marked data-confirm. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.o-dropdown[open]").forEach(function (details) {
      if (!details.contains(event.target)) { details.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.o-dropdown[open]").forEach(function (details) {
        details.removeAttribute("open");
        var summary = details.querySelector("summary");
        if (summary) { summary.focus(); }
      });
    }
  });
  // <button data-confirm="Really?"> and <form data-confirm="..."> ask before submitting
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    var busy = (submitter && submitter.getAttribute("data-busy")) || form.getAttribute("data-busy");
    if (busy) {
      // a long operation is sent once: later submits are ignored while it runs
      if (busySent) {
        event.preventDefault();
        return;
      }
      busySent = true;
      var box = document.querySelector(".o-busy");
      if (box) {
        box.querySelector(".o-busy-text").textContent = busy;
        box.hidden = false;
      }
      // after this event, or the button pressed would be missing from the form data
      window.setTimeout(function () { busyButtons(true); }, 0);
    }
  }, true);
  var busySent = false;
  function busyButtons(disabled) {
    document.querySelectorAll("form[data-busy] button, button[data-busy]").forEach(function (button) {
      button.disabled = disabled;
    });
  }
  // a page left and shown again from the history may be used again
  window.addEventListener("pageshow", function () {
    var box = document.querySelector(".o-busy");
    if (box) { box.hidden = true; }
    busySent = false;
    busyButtons(false);
  });
  window.tessera = window.tessera || {};
  /* The message of a JSON-RPC error for the user (Odoo's shape: the text is in data.message). */
  window.tessera.errorText = function (error) {
    return (error && ((error.data && error.data.message) || error.message)) || String(error);
  };
  /* The way out a RedirectWarning offers (Odoo's arguments: message, action id, button text,
     context): {url, label} of the action's page, coming back here; null for other errors. */
  window.tessera.errorAction = function (error) {
    var data = error && error.data;
    var args = data && data.arguments;
    if (!data || data.name !== "odoo.exceptions.RedirectWarning" || !args || typeof args[1] !== "number") {
      return null;
    }
    var query = "?back=" + encodeURIComponent(window.location.pathname + window.location.search);
    if (args[3] && typeof args[3] === "object") {
      query += "&context=" + encodeURIComponent(JSON.stringify(args[3]));
    }
    return {url: "/web/action/" + args[1] + query, label: String(args[2] || "")};
  };
  /* POST JSON to a route of type json; resolves with the result, rejects with the error. */
  window.tessera.rpc = function (url, params) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({jsonrpc: "2.0", method: "call", id: Date.now(), params: params || {}})
    }).then(function (response) { return response.json(); }).then(function (body) {
      if (body.error) { throw body.error; }
      return body.result;
    });
  };
})();
