/* The chatter, enhanced: one panel open at a time (its first field focused), the
   autocomplete of "Add a follower" and of an activity's responsible, older messages
   loaded in place.  Without
   this script every panel still opens and every form still posts (the server then
   resolves a typed name itself). */
(function () {
  "use strict";
  var chatter = document.getElementById("o-chatter");
  if (!chatter) { return; }
  chatter.classList.add("o-js");

  /* ---------------------------------------------------------------- panels */
  var panels = chatter.querySelectorAll(".o-chatter-panel");
  Array.prototype.forEach.call(panels, function (panel) {
    panel.addEventListener("toggle", function () {
      if (!panel.open) { return; }
      Array.prototype.forEach.call(panels, function (other) {
        if (other !== panel && other.open) { other.open = false; }
      });
      var first = panel.querySelector("textarea, input[type=text], select, input[type=file]");
      if (first) { first.focus(); }
    });
  });

  /* ---------------------------------------------------------------- pickers (contact, user) */
  function setupPicker(picker) {
    var hidden = picker.parentNode.querySelector("input[type=hidden]");
    var list = document.getElementById(picker.getAttribute("aria-controls"));
    var timer = null;
    var active = -1;
    var options = function () { return list.querySelectorAll("[role=option]"); };
    var close = function () {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      picker.setAttribute("aria-expanded", "false");
      picker.removeAttribute("aria-activedescendant");
    };
    var highlight = function (index) {
      var items = options();
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      Array.prototype.forEach.call(items, function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      picker.setAttribute("aria-activedescendant", items[active].id);
    };
    var choose = function (item) {
      hidden.value = item.dataset.id;
      picker.value = item.textContent;
      close();
    };
    var search = function () {
      var text = picker.value.trim();
      if (!text) { close(); return; }
      window.tessera.rpc("/web/dataset/name_search", {model: picker.dataset.model, name: text, limit: 8})
        .then(function (found) {
          list.innerHTML = "";
          found.forEach(function (pair, index) {
            var item = document.createElement("li");
            item.setAttribute("role", "option");
            item.id = list.id + "-" + index;
            item.dataset.id = pair[0];
            item.textContent = pair[1];
            list.appendChild(item);
          });
          list.hidden = !found.length;
          picker.setAttribute("aria-expanded", found.length ? "true" : "false");
          active = -1;
        }).catch(function () { close(); });
    };
    picker.addEventListener("input", function () {
      hidden.value = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    picker.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options()[active]); }
      else if (event.key === "Escape") { event.stopPropagation(); close(); }
    });
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { event.preventDefault(); choose(item); }
    });
    picker.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }
  Array.prototype.forEach.call(chatter.querySelectorAll(".o-chatter-picker input[role=combobox]"), setupPicker);

  /* ---------------------------------------------------------------- older messages */
  chatter.addEventListener("click", function (event) {
    var link = event.target.closest(".o-chatter-older a");
    if (!link) { return; }
    event.preventDefault();
    var item = link.parentNode;
    link.setAttribute("aria-busy", "true");
    fetch(link.href + "&fragment=1", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(response.statusText); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("ol");
      holder.innerHTML = html;
      var first = holder.querySelector(".o-message");
      while (holder.firstChild) { item.parentNode.insertBefore(holder.firstChild, item); }
      item.parentNode.removeChild(item);
      if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
    }).catch(function () {
      window.location.href = link.href;      // the page of older messages, without script
    });
  });
})();
