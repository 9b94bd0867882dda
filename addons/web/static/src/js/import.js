/* The CSV import's upload: sent with XMLHttpRequest to show its progress, then on to the
   page the server answers with (the mapping page).  Without JavaScript the form posts
   as usual; a refused file comes back as the same page with its message. */
(function () {
  "use strict";
  var form = document.querySelector("form.o-import-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = form.querySelector(".o-import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".o-import-progress-text");
  var button = form.querySelector("button[type=submit]");

  function showError(message) {
    var alert = document.querySelector(".o-import-error");
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "o-alert o-alert-danger o-import-error";
      alert.setAttribute("role", "alert");
      form.parentNode.insertBefore(alert, form);
    }
    alert.textContent = message;
  }

  function messageOf(xhr) {
    // the page the server answered with says what is wrong with the file
    var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var alert = page.querySelector(".o-import-error, .o-alert-danger, .o-error-message, main");
    return alert ? alert.textContent.trim() : (xhr.status + " " + xhr.statusText);
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) { return; }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    box.hidden = false;
    bar.value = 0;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.round(progress.loaded * 100 / progress.total);
        bar.value = percent;
        text.textContent = percent + " %";
      }
    });
    xhr.addEventListener("load", function () {
      // success: the server redirected to the mapping page, which XHR followed
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/import/") !== -1) {
        window.location.assign(xhr.responseURL);
        return;
      }
      button.disabled = false;
      box.hidden = true;
      showError(messageOf(xhr));
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      box.hidden = true;
      showError(form.getAttribute("data-network-error") || "Network error");
    });
    xhr.send(new FormData(form));
  });
})();
