/* The list page, enhanced: every feature also works without this script (links and forms).
   - search box: Odoo's "Search <field> for: <text>" suggestions, records of relational
     fields, keyboard navigation, Backspace on an empty box removes the last facet;
   - selection: select-all, the action bar shown only with a selection, "all records";
   - rows open their form on click; the pager's "Count all" asks the exact count;
   - optional columns apply as soon as a box is ticked;
   - editable lists (editable="top|bottom"): a row turns into inputs on click and is
     saved on Enter or when the focus leaves it; "New" adds an empty row. */
(function () {
  "use strict";
  document.documentElement.classList.add("o-js");

  function rpc(url, params) { return window.tessera.rpc(url, params); }

  function withParam(base, name, value) {
    return base + (base.indexOf("?") >= 0 ? "&" : "?") + encodeURIComponent(name) + "=" + encodeURIComponent(value);
  }

  function errorText(error) { return window.tessera.errorText(error); }

  // ------------------------------------------------------------------ search box
  function setupSearch(panel) {
    var input = panel.querySelector(".o-search-text");
    var select = panel.querySelector(".o-search-field");
    var list = panel.querySelector(".o-search-suggestions");
    if (!input || !select || !list) { return; }
    var base = panel.getAttribute("data-search-base");
    var model = panel.getAttribute("data-model");
    var template = input.getAttribute("data-template") || "{field}: {text}";
    var timer = null;
    var serial = 0;

    function items() { return Array.prototype.slice.call(list.querySelectorAll("li")); }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function choose(li) { window.location.assign(withParam(base, li.dataset.param, li.dataset.value)); }
    function mark(index) {
      var all = items();
      all.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (all[index]) { input.setAttribute("aria-activedescendant", all[index].id); }
    }
    function selected() { return items().findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; }); }
    function item(id, label, param, value, sub) {
      var li = document.createElement("li");
      li.id = id;
      li.setAttribute("role", "option");
      li.textContent = label;
      li.dataset.param = param;
      li.dataset.value = value;
      if (sub) { li.className = "o-sub"; }
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
      return li;
    }
    function render() {
      var text = input.value.trim();
      list.innerHTML = "";
      if (!text) { close(); return; }
      var current = ++serial;
      Array.prototype.forEach.call(select.options, function (option, index) {
        var label = template.replace("{field}", option.dataset.label).replace("{text}", text);
        var li = item("o-sugg-" + index, label, "search", option.value + ":" + text);
        list.appendChild(li);
        var type = option.dataset.type;
        if (type === "many2one" || type === "many2many") {
          rpc("/web/search/records", {model: model, field: option.value, text: text}).then(function (records) {
            if (current !== serial) { return; }
            var anchor = li;
            records.forEach(function (record) {
              var sub = item("o-sugg-" + index + "-" + record[0], record[1], "searchid", option.value + ":" + record[0], true);
              anchor.after(sub);
              anchor = sub;
            });
          }).catch(function () { /* suggestions are a convenience: the text search still works */ });
        }
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(0);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 120);
    });
    input.addEventListener("keydown", function (event) {
      var all = items();
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault(); mark(Math.min(all.length - 1, selected() + 1));
      } else if (event.key === "ArrowUp" && !list.hidden) {
        event.preventDefault(); mark(Math.max(0, selected() - 1));
      } else if (event.key === "Enter" && !list.hidden && all.length) {
        event.preventDefault(); choose(all[Math.max(0, selected())]);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && !input.value) {
        var removes = panel.querySelectorAll(".o-facet-remove");
        if (removes.length) { window.location.assign(removes[removes.length - 1].href); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // ------------------------------------------------------------------ selection
  function setupSelection() {
    var form = document.getElementById("o-list-form");
    var table = document.querySelector(".o-list-table");
    if (!form || !table) { return; }
    var bar = form.querySelector(".o-action-bar");
    var all = table.querySelector(".o-select-all");
    var domain = form.querySelector(".o-select-domain");
    var counter = form.querySelector(".o-selected-count");
    var template = (bar && bar.getAttribute("data-selected-template")) || "{count}";
    function boxes() { return Array.prototype.slice.call(table.querySelectorAll(".o-select-row")); }
    function update() {
      var list = boxes();
      var ticked = list.filter(function (box) { return box.checked; }).length;
      if (bar) {
        if (ticked) { bar.removeAttribute("data-empty"); } else { bar.setAttribute("data-empty", ""); }
      }
      if (counter) { counter.textContent = ticked ? template.replace("{count}", ticked) : ""; }
      if (all) {
        all.checked = ticked > 0 && ticked === list.length;
        all.indeterminate = ticked > 0 && ticked < list.length;
      }
      if (domain) {
        domain.hidden = !(all && all.checked);
        if (domain.hidden) { domain.querySelector("input").checked = false; }
      }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    table.addEventListener("change", function (event) {
      if (event.target.classList.contains("o-select-row")) { update(); }
    });
    update();
  }

  // ------------------------------------------------------------------ rows and pager
  function setupRows() {
    var table = document.querySelector(".o-list-table");
    if (!table || table.hasAttribute("data-editable")) { return; }
    table.addEventListener("click", function (event) {
      var row = event.target.closest("tr.o-row");
      if (!row || event.target.closest("a, input, button, label, select, .o-list-select")) { return; }
      if (window.getSelection && String(window.getSelection())) { return; }   // selecting text
      window.location.assign(row.dataset.url);
    });
  }

  function setupPager() {
    var link = document.querySelector(".o-pager-exact");
    var total = document.querySelector(".o-pager-total[data-count-model]");
    if (!link || !total) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      rpc("/web/dataset/search_count", {
        model: total.dataset.countModel, domain: JSON.parse(total.dataset.countDomain)
      }).then(function (count) {
        total.textContent = new Intl.NumberFormat(document.documentElement.lang || undefined).format(count);
        link.remove();
      }).catch(function () { window.location.assign(link.href); });
    });
  }

  function setupOptionalColumns() {
    var form = document.querySelector(".o-optional-form");
    if (!form) { return; }
    form.addEventListener("change", function () { form.submit(); });
  }

  // ------------------------------------------------------------------ editable lists
  function setupEditable() {
    var table = document.querySelector(".o-list-table[data-editable]");
    var newButton = document.querySelector(".o-list-new[data-inline-new]");
    if (!table) { return; }
    var saveUrl = table.dataset.saveUrl;
    var inline = JSON.parse(table.dataset.inline || "[]");
    var heads = {};
    Array.prototype.forEach.call(table.querySelectorAll("thead th[data-name]"), function (th) {
      heads[th.dataset.name] = {type: th.dataset.type, label: th.textContent.trim(),
                                selection: th.dataset.selection ? JSON.parse(th.dataset.selection) : null};
    });
    var editing = null;

    function routeParams() {
      // a /web/model window carries its domain and context in the query: the route needs them
      var url = new URL(saveUrl, window.location.href);
      var params = {};
      url.searchParams.forEach(function (value, key) { params[key] = value; });
      return {path: url.pathname, params: params};
    }

    function input(name, value) {
      var head = heads[name] || {};
      var element;
      if (head.type === "boolean") {
        element = document.createElement("input");
        element.type = "checkbox";
        element.checked = !!value;
      } else if (head.type === "selection") {
        element = document.createElement("select");
        element.appendChild(new Option("", ""));
        (head.selection || []).forEach(function (pair) { element.appendChild(new Option(pair[1], pair[0])); });
        element.value = value || "";
      } else {
        element = document.createElement("input");
        element.type = head.type === "date" ? "date" : head.type === "datetime" ? "datetime-local" : "text";
        if (["integer", "float", "monetary"].indexOf(head.type) >= 0) { element.inputMode = "decimal"; }
        element.value = value === null || value === undefined || value === false ? "" : value;
      }
      element.name = name;
      element.setAttribute("aria-label", head.label || name);
      element.className = "o-inline-input";
      return element;
    }

    function start(row, focusName) {
      if (editing === row) { return; }
      if (editing && !finish(editing)) { return; }
      var values = JSON.parse(row.dataset.values || "{}");
      var readonly = (row.dataset.readonly || "").split(",");
      row.dataset.original = row.innerHTML;
      row.classList.add("o-editing");
      var first = null;
      Array.prototype.forEach.call(row.querySelectorAll("td[data-name]"), function (td) {
        var name = td.dataset.name;
        if (inline.indexOf(name) < 0 || readonly.indexOf(name) >= 0) { return; }
        var element = input(name, values[name]);
        td.innerHTML = "";
        td.appendChild(element);
        if (!first || name === focusName) { first = element; }
      });
      editing = row;
      if (first) { first.focus(); }
    }

    function changed(row) {
      var values = JSON.parse(row.dataset.values || "{}");
      var result = {};
      Array.prototype.forEach.call(row.querySelectorAll(".o-inline-input"), function (element) {
        var value = element.type === "checkbox" ? element.checked : element.value;
        var before = values[element.name];
        if (before === null || before === undefined || (before === false && element.type !== "checkbox")) { before = ""; }
        if (!row.dataset.id || String(value) !== String(before)) {
          result[element.name] = value;
        }
      });
      return result;
    }

    function clearError(row) {
      row.classList.remove("o-row-error");
      var next = row.nextElementSibling;
      if (next && next.classList.contains("o-row-error-message")) { next.remove(); }
    }

    function showError(row, message) {
      clearError(row);
      row.classList.add("o-row-error");
      var tr = document.createElement("tr");
      tr.className = "o-row-error-message";
      var td = document.createElement("td");
      td.colSpan = row.children.length;
      td.setAttribute("role", "alert");
      td.textContent = message;
      tr.appendChild(td);
      row.after(tr);
    }

    /* The saved row as the server renders it: result.cells are escaped HTML per column. */
    function render(row, result) {
      row.dataset.id = result.id;
      row.dataset.url = result.url;
      row.dataset.values = JSON.stringify(result.values);
      row.className = "o-row " + (result.classes || "");
      var box = row.querySelector(".o-select-row");
      if (box) { box.value = result.id; }
      Array.prototype.forEach.call(row.querySelectorAll("td[data-name]"), function (td, index) {
        var html = result.cells[td.dataset.name];
        td.innerHTML = "";
        if (index === 0) {
          var link = document.createElement("a");
          link.className = "o-row-link";
          link.href = result.url;
          link.innerHTML = html || "";
          td.appendChild(link);
        } else if (html !== null && html !== undefined) {
          td.innerHTML = html;
        }
      });
    }

    /* Save the row being edited; returns false while a save is refused (the row stays open). */
    function finish(row, cancel) {
      if (cancel) {
        if (!row.dataset.id) { clearError(row); row.remove(); }
        else { row.innerHTML = row.dataset.original; clearError(row); row.classList.remove("o-editing"); }
        editing = null;
        return true;
      }
      var values = changed(row);
      if (row.dataset.id && !Object.keys(values).length) {
        row.innerHTML = row.dataset.original;
        row.classList.remove("o-editing");
        clearError(row);
        editing = null;
        return true;
      }
      var target = routeParams();
      var params = Object.assign({}, target.params, {id: row.dataset.id ? Number(row.dataset.id) : null, values: values});
      row.setAttribute("aria-busy", "true");
      rpc(target.path, params).then(function (result) {
        row.removeAttribute("aria-busy");
        clearError(row);
        render(row, result);
        if (editing === row) { editing = null; }
      }).catch(function (error) {
        row.removeAttribute("aria-busy");
        showError(row, errorText(error));
        editing = row;
      });
      editing = null;
      return true;
    }

    table.addEventListener("click", function (event) {
      var row = event.target.closest("tr.o-row");
      if (!row || event.target.closest(".o-list-select")) { return; }
      if (row.classList.contains("o-editing")) { return; }
      event.preventDefault();
      var td = event.target.closest("td[data-name]");
      start(row, td && td.dataset.name);
    });
    table.addEventListener("keydown", function (event) {
      var row = event.target.closest("tr.o-row.o-editing");
      if (!row) { return; }
      if (event.key === "Enter") { event.preventDefault(); finish(row); }
      else if (event.key === "Escape") { event.preventDefault(); finish(row, true); }
    });
    table.addEventListener("focusout", function (event) {
      var row = event.target.closest("tr.o-row.o-editing");
      if (!row) { return; }
      setTimeout(function () {
        if (!row.contains(document.activeElement) && row.classList.contains("o-editing")) { finish(row); }
      }, 0);
    });
    if (newButton) {
      newButton.addEventListener("click", function (event) {
        event.preventDefault();
        var template = table.querySelector("thead tr");
        var row = document.createElement("tr");
        row.className = "o-row o-row-new";
        row.dataset.values = "{}";
        var select = document.createElement("td");
        select.className = "o-list-select";
        row.appendChild(select);
        Array.prototype.forEach.call(template.querySelectorAll("th[data-name]"), function (th) {
          var td = document.createElement("td");
          td.dataset.name = th.dataset.name;
          td.className = th.className;
          row.appendChild(td);
        });
        var body = table.tBodies[0];
        if (table.dataset.editable === "top") { body.insertBefore(row, body.firstChild); }
        else { body.appendChild(row); }
        start(row);
      });
    }
  }

  document.querySelectorAll(".o-search").forEach(setupSearch);
  setupSelection();
  setupRows();
  setupPager();
  setupOptionalColumns();
  setupEditable();
})();
