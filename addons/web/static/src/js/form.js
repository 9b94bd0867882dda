/* The form view, enhanced: notebook tabs, autocomplete of relational fields (with
   "Create" and "Create and edit…"), tags, lines added and deleted in place, live
   onchange (the server computes values and modifiers; nothing is evaluated here),
   Ctrl+S / Alt+S to save and Escape to discard.  Without this script the form still
   works: pages are sections, typed names are resolved on save, "Add a line" posts
   the form back. */
(function () {
  "use strict";
  var form = document.getElementById("o-form");
  if (!form) { return; }
  form.classList.add("o-js");
  var editing = form.dataset.mode === "edit";
  var rpc = window.tessera.rpc;
  var dirty = false;
  var lineCounter = 0;

  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || form).querySelectorAll(selector), fn);
  }
  function sel(value) { return window.CSS && CSS.escape ? CSS.escape(value) : value; }

  /* ---------------------------------------------------------------- notebooks */
  function selectTab(notebook, tab, focus) {
    each('[role="tab"]', notebook.querySelector(".o-tabs"), function (other) {
      var on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) { panel.classList.toggle("o-page-inactive", !on); }
    });
    if (focus) { tab.focus(); }
  }
  function visibleTabs(notebook) {
    return Array.prototype.filter.call(notebook.querySelectorAll('.o-tabs [role="tab"]'),
      function (tab) { return !tab.hidden; });
  }
  function fixNotebooks() {
    each(".o-notebook-js", form, function (notebook) {
      var current = notebook.querySelector('.o-tabs [aria-selected="true"]');
      if (!current || current.hidden) {
        var first = visibleTabs(notebook)[0];
        if (first) { selectTab(notebook, first, false); }
      }
    });
  }
  each(".o-notebook", form, function (notebook) {
    var tablist = notebook.querySelector(".o-tabs");
    if (!tablist) { return; }
    notebook.classList.add("o-notebook-js");
    tablist.hidden = false;
    tablist.addEventListener("click", function (event) {
      var tab = event.target.closest('[role="tab"]');
      if (tab) { selectTab(notebook, tab, false); }
    });
    tablist.addEventListener("keydown", function (event) {
      var tabs = visibleTabs(notebook);
      var index = tabs.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight") { next = tabs[(index + 1) % tabs.length]; }
      else if (event.key === "ArrowLeft") { next = tabs[(index - 1 + tabs.length) % tabs.length]; }
      else if (event.key === "Home") { next = tabs[0]; }
      else if (event.key === "End") { next = tabs[tabs.length - 1]; }
      if (next) { event.preventDefault(); selectTab(notebook, next, true); }
    });
    var initial = null;
    each(".o-page", notebook, function (page) {
      if (page.querySelector(".o-field-error")) {
        var tab = document.getElementById(page.getAttribute("aria-labelledby"));
        if (tab) { tab.classList.add("o-tab-error"); initial = initial || tab; }
      }
    });
    initial = initial || visibleTabs(notebook)[0];
    if (initial) { selectTab(notebook, initial, false); }
  });
  var message = document.getElementById("o-form-message");
  if (message) { message.focus(); }

  /* ---------------------------------------------------------------- onchange */
  var queue = [];
  var running = false;

  function formValues() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && !(name in values) && name !== "csrf_token") { values[name] = value; }
    });
    return values;
  }
  function showWarning(text) {
    var box = document.querySelector(".o-onchange-warning");
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
  }
  function onchange(changed) {
    if (!editing) { return; }
    if (queue[queue.length - 1] !== changed) { queue.push(changed); }
    if (!running) { flush(); }
  }
  function flush() {
    if (!queue.length) { running = false; form.removeAttribute("aria-busy"); return; }
    running = true;
    form.setAttribute("aria-busy", "true");
    var changed = queue.shift();
    rpc("/web/dataset/onchange", {
      model: form.dataset.model, action_id: form.dataset.action || null, id: form.dataset.id || null,
      context: form.dataset.context || null, menu_id: form.dataset.menu || null,
      values: formValues(), changed: changed
    }).then(apply, function (error) {
      var text = window.tessera.errorText(error);
      showWarning((form.dataset.errorMessage || "%s").replace("%s", text));
    }).then(flush, flush);
  }
  function replaceContent(element, html) {
    if (!element || element.contains(document.activeElement)) { return; }
    element.innerHTML = html;
    initTags(element);
  }
  function apply(answer) {
    Object.keys(answer.fields || {}).forEach(function (key) {
      each('[data-widget="' + sel(key) + '"]', form, function (element) { replaceContent(element, answer.fields[key]); });
    });
    Object.keys(answer.cells || {}).forEach(function (key) {
      replaceContent(form.querySelector('[data-cell="' + sel(key) + '"]'), answer.cells[key]);
    });
    Object.keys(answer.modifiers || {}).forEach(function (key) {
      var state = answer.modifiers[key];
      var selector = sel(key);
      each('[data-node="' + selector + '"]', form, function (element) {
        element.hidden = !!state[0];
        each(".o-form-label", element, function (label) { label.classList.toggle("o-required", !!state[2]); });
      });
      each('[data-widget="' + selector + '"]', form, function (element) {
        if (element.hasAttribute("data-readonly")) {
          each("input, select, textarea, button", element, function (input) { input.disabled = !!state[1]; });
        }
        each("input, select, textarea", element, function (input) {
          if (input.type !== "hidden") {
            if (state[2]) { input.setAttribute("aria-required", "true"); } else { input.removeAttribute("aria-required"); }
          }
        });
      });
    });
    Object.keys(answer.columns || {}).forEach(function (name) {
      var table = form.querySelector('.o-x2m[data-name="' + sel(name) + '"]');
      if (!table) { return; }
      Object.keys(answer.columns[name]).forEach(function (col) {
        each('[data-col="' + sel(col) + '"]', table, function (cell) { cell.hidden = !!answer.columns[name][col]; });
      });
    });
    var warning = answer.warning;
    showWarning(warning ? [warning.title, warning.message].filter(Boolean).join(": ") : "");
    fixNotebooks();
  }
  /* the field an input belongs to, as the onchange route names it */
  function changedName(input) {
    var parts = (input.name || "").split(".");
    if (parts.length === 3 && parts[2] !== "_delete" && parts[2] !== "id") { return input.name; }
    return parts[0];
  }

  if (editing) {
    form.addEventListener("change", function (event) {
      var input = event.target;
      dirty = true;
      if (!input.name || input.matches(".o-m2o-input, .o-m2m-input, .o-line-delete")) { return; }
      onchange(changedName(input));
    });
    form.addEventListener("input", function () { dirty = true; });
  }

  /* ---------------------------------------------------------------- autocomplete */
  var ac = null;           // {input, box, list, items, active}
  var searchSeq = 0;
  var searchTimer = null;

  function acClose() {
    if (!ac) { return; }
    ac.list.hidden = true;
    ac.list.innerHTML = "";
    ac.input.setAttribute("aria-expanded", "false");
    ac.input.removeAttribute("aria-activedescendant");
    ac = null;
  }
  function acActivate(index) {
    if (!ac || !ac.items.length) { return; }
    ac.active = (index + ac.items.length) % ac.items.length;
    ac.items.forEach(function (item, i) { item.setAttribute("aria-selected", i === ac.active ? "true" : "false"); });
    ac.input.setAttribute("aria-activedescendant", ac.items[ac.active].id);
    ac.items[ac.active].scrollIntoView({block: "nearest"});
  }
  function option(list, index, text, data, className) {
    var li = document.createElement("li");
    li.id = list.id + "-" + index;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.textContent = text;
    if (className) { li.className = className; }
    Object.keys(data).forEach(function (key) { li.dataset[key] = data[key]; });
    return li;
  }
  function chosenIds(box) {
    return Array.prototype.map.call(box.querySelectorAll(".o-tag-check, .o-m2m-item input[type=checkbox]"),
      function (input) { return parseInt(input.name.split(".").pop(), 10); });
  }
  function acSearch(input) {
    var box = input.closest(".o-m2o, .o-m2m");
    var list = box.querySelector(".o-autocomplete");
    var seq = ++searchSeq;
    var text = input.value.trim();
    var domain = [];
    try { domain = JSON.parse(box.dataset.domain || "[]"); } catch (e) { domain = []; }
    rpc("/web/dataset/name_search", {model: box.dataset.model, name: text, domain: domain, limit: 8})
      .then(function (found) {
        if (seq !== searchSeq || document.activeElement !== input) { return; }
        var exclude = box.classList.contains("o-m2m") ? chosenIds(box) : [];
        list.innerHTML = "";
        var items = [];
        found.forEach(function (pair) {
          if (exclude.indexOf(pair[0]) < 0) {
            items.push(option(list, items.length, pair[1], {id: pair[0], name: pair[1], action: "pick"}));
          }
        });
        if (!items.length) {
          var empty = option(list, "empty", box.dataset.emptyLabel || "", {action: "none"}, "o-ac-empty");
          empty.setAttribute("aria-disabled", "true");
          list.appendChild(empty);
        }
        if (text && box.dataset.create) {
          items.push(option(list, items.length, (box.dataset.createLabel || "%s").replace("%s", text),
            {action: "create"}, "o-ac-create"));
        }
        if (box.dataset.createEdit) {
          items.push(option(list, items.length, box.dataset.createEditLabel || "…", {action: "create-edit"}, "o-ac-create"));
        }
        items.forEach(function (item) { list.appendChild(item); });
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        ac = {input: input, box: box, list: list, items: items, active: -1};
      }, function () { acClose(); });
  }
  function acChoose(item) {
    var state = ac;
    if (!state || !item) { return; }
    var action = item.dataset.action;
    var input = state.input;
    var box = state.box;
    acClose();
    if (action === "pick") {
      setRelation(box, input, parseInt(item.dataset.id, 10), item.dataset.name);
    } else if (action === "create") {
      rpc("/web/dataset/name_create", {model: box.dataset.model, name: input.value.trim()}).then(function (pair) {
        setRelation(box, input, pair[0], pair[1]);
      }, function (error) { showWarning(window.tessera.errorText(error)); });
    } else if (action === "create-edit") {
      var url = "/web/model/" + encodeURIComponent(box.dataset.model) + "/new";
      if (input.value.trim()) {
        url += "?context=" + encodeURIComponent(JSON.stringify({default_name: input.value.trim()}));
      }
      window.open(url, "_blank", "noopener");
    }
  }
  function setRelation(box, input, id, name) {
    dirty = true;
    if (box.classList.contains("o-m2o")) {
      input.value = name;
      box.querySelector(".o-m2o-id").value = String(id);
      onchange(box.querySelector(".o-m2o-id").name);
      return;
    }
    var field = box.dataset.name;
    var tags = box.querySelector(".o-tags, .o-m2m-list");
    var boxId = input.id + "-" + id;
    var li = document.createElement("li");
    li.className = box.classList.contains("o-m2m-tags") ? "o-tag" : "o-m2m-item";
    li.dataset.id = String(id);
    var check = document.createElement("input");
    check.type = "checkbox"; check.id = boxId; check.name = field + "." + id; check.value = "1";
    check.checked = true; check.className = "o-tag-check";
    var label = document.createElement("label");
    label.htmlFor = boxId; label.textContent = name;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "o-tag-remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", (box.dataset.removeLabel || "%s").replace("%s", name));
    li.appendChild(check); li.appendChild(label); li.appendChild(remove);
    tags.appendChild(li);
    input.value = "";
    onchange(field);
  }
  function initTags(root) {
    each(".o-tag-remove", root, function (button) { button.hidden = false; });
  }
  initTags(form);

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches(".o-m2o-input, .o-m2m-input")) { return; }
    if (input.matches(".o-m2o-input")) {
      var box = input.closest(".o-m2o");
      var hidden = box.querySelector(".o-m2o-id");
      if (hidden.value) { hidden.value = ""; onchange(hidden.name); }
      var open = box.querySelector(".o-m2o-open");
      if (open) { open.hidden = true; }
    }
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { acSearch(input); }, 200);
  });
  form.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches(".o-m2o-input, .o-m2m-input") && !input.value) {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { acSearch(input); }, 150);
    }
  });
  form.addEventListener("focusout", function (event) {
    if (ac && event.target === ac.input) { setTimeout(function () { if (ac && document.activeElement !== ac.input) { acClose(); } }, 150); }
  });
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!ac || input !== ac.input) {
      if (event.key === "Enter" && input.matches && input.matches(".o-m2m-input")) { event.preventDefault(); }
      if (event.key === "ArrowDown" && input.matches && input.matches(".o-m2o-input, .o-m2m-input")) {
        event.preventDefault(); acSearch(input);
      }
      return;
    }
    if (event.key === "ArrowDown") { event.preventDefault(); acActivate(ac.active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); acActivate(ac.active - 1); }
    else if (event.key === "Enter") {
      if (ac.active >= 0) { event.preventDefault(); acChoose(ac.items[ac.active]); }
      else if (ac.items.length && ac.items[0].dataset.action === "pick") { event.preventDefault(); acChoose(ac.items[0]); }
    } else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); acClose(); }
    else if (event.key === "Tab") { acClose(); }
  });
  form.addEventListener("mousedown", function (event) {
    var item = event.target.closest && event.target.closest(".o-autocomplete [role=option]");
    if (item) { event.preventDefault(); if (item.dataset.action !== "none") { acChoose(item); } }
  });
  form.addEventListener("click", function (event) {
    var remove = event.target.closest(".o-tag-remove");
    if (!remove) { return; }
    var box = remove.closest(".o-m2m");
    remove.closest("li").remove();
    dirty = true;
    var adder = box.querySelector(".o-m2m-input");
    if (adder) { adder.focus(); }
    onchange(box.dataset.name);
  });

  /* ---------------------------------------------------------------- lines */
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".o-add-line");
    if (!button) { return; }
    event.preventDefault();
    var x2m = button.closest(".o-x2m-editable");
    var template = x2m.querySelector("template.o-line-template");
    var row = template.content.firstElementChild.cloneNode(true);
    var key = "x" + (++lineCounter);
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (element) {
      Array.prototype.forEach.call(element.attributes, function (attribute) {
        if (attribute.value.indexOf("__KEY__") >= 0) {
          element.setAttribute(attribute.name, attribute.value.split("__KEY__").join(key));
        }
      });
    });
    x2m.querySelector("tbody").appendChild(row);
    dirty = true;
    var first = row.querySelector("input:not([type=hidden]):not(.o-line-delete), select, textarea");
    if (first) { first.focus(); }
    onchange(x2m.dataset.name);
  });
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches(".o-line-delete") || !box.checked) { return; }
    var row = box.closest("tr");
    var x2m = box.closest(".o-x2m-editable");
    var id = row.querySelector('input[name$=".id"]');
    var next = row.nextElementSibling || row.previousElementSibling;
    if (id && id.value) { row.hidden = true; } else { row.remove(); }
    var focus = next && next.querySelector(".o-line-delete");
    (focus || x2m.querySelector(".o-add-line")).focus();
    dirty = true;
    onchange(x2m.dataset.name);
  });

  /* ---------------------------------------------------------------- keyboard */
  document.addEventListener("keydown", function (event) {
    if (!editing) { return; }
    var key = (event.key || "").toLowerCase();
    if (key === "s" && (event.ctrlKey || event.metaKey || event.altKey)) {
      event.preventDefault();
      var save = document.querySelector(".o-form-save");
      if (form.requestSubmit) { form.requestSubmit(save); } else { save.click(); }
    } else if (event.key === "Escape" && !ac && !document.querySelector("details.o-dropdown[open]")) {
      if (dirty && !window.confirm(form.dataset.dirtyMessage || "Discard?")) { return; }
      window.location.href = form.dataset.discard;
    }
  }, true);
})();
