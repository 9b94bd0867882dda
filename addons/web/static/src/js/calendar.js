/* The calendar page (templates/web/calendar*.html): the server places the events; this
   script adds what needs a pointer.
   - A click on an empty place (a day of the month, the all-day band, a half hour of a
     day column) makes an event there: the quick-create popover asks for a name
     (JSON route quick_create), or, with quick_create="0", the form opens with the
     dates as defaults (route calendar/new, which the "+" links use without script).
   - An event dragged moves: by whole days in the month and the all-day band, to a
     quarter hour in the day columns; its bottom edge dragged changes its end (JSON
     route move).  Pointer events: mouse, pen and touch alike.  When the server refuses,
     the event goes back and the reason is shown.
   After a change the page is loaded again, at the same scroll position. */
(function () {
  "use strict";
  var root = document.querySelector(".o-calendar");
  if (!root) { return; }
  var tessera = window.tessera;
  var message = root.querySelector(".o-cal-message");
  var frame = root.querySelector(".o-cal-days");
  var quick = root.querySelector(".o-cal-quick");
  var SCROLL_KEY = "o-cal-scroll:" + window.location.pathname;
  var CLICK_STEP = 30;    // minutes a click in a day column snaps to
  var DRAG_STEP = 15;     // minutes a drag in a day column snaps to
  var THRESHOLD = 5;      // pixels a pointer moves before a press becomes a drag
  var suppressClick = false;

  // ------------------------------------------------------------ helpers
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function addDays(day, n) {
    return new Date(Date.parse(day + "T00:00:00Z") + n * 86400000).toISOString().slice(0, 10);
  }
  function daysBetween(from, to) {
    return Math.round((Date.parse(to + "T00:00:00Z") - Date.parse(from + "T00:00:00Z")) / 86400000);
  }
  /* "YYYY-MM-DDTHH:MM" of minute `minutes` of `day` (1440: the next midnight) */
  function localTime(day, minutes) {
    if (minutes >= 1440) { day = addDays(day, 1); minutes -= 1440; }
    return day + "T" + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }
  function minutesAt(column, clientY, step, offset) {
    var rect = column.getBoundingClientRect();
    var minutes = ((clientY - rect.top) - (offset || 0)) / rect.height * 1440;
    minutes = Math.round(minutes / step) * step;
    return Math.max(0, Math.min(1440 - step, minutes));
  }
  /* a JSON route whose URL carries parameters in its query (the menu, the context) */
  function call(url, params) {
    var parsed = new URL(url, window.location.href);
    var all = {};
    parsed.searchParams.forEach(function (value, key) { all[key] = value; });
    return tessera.rpc(parsed.pathname, Object.assign(all, params));
  }
  function reload() {
    if (frame) { window.sessionStorage.setItem(SCROLL_KEY, String(frame.scrollTop)); }
    window.location.reload();
  }
  function showMessage(text) {
    message.textContent = text;
    message.hidden = false;
  }

  // ------------------------------------------------------------ opening at the right hour
  if (frame) {
    var grid = frame.querySelector(".o-cal-grid");
    var stored = window.sessionStorage.getItem(SCROLL_KEY);
    window.sessionStorage.removeItem(SCROLL_KEY);
    frame.scrollTop = stored !== null ? Number(stored)
      : grid.offsetHeight * Number(root.dataset.scrollHour || 8) / 24;
  }

  // ------------------------------------------------------------ creating
  function newUrl(slot) {
    var url = new URL(root.dataset.newUrl, window.location.href);
    url.searchParams.set("start", slot.start);
    if (slot.allday) { url.searchParams.set("allday", "1"); }
    return url.pathname + url.search;
  }

  /* The slot a click on an empty place means, with words for it; null elsewhere. */
  function slotAt(event) {
    var column = event.target.closest(".o-cal-col");
    if (column) {
      var minutes = Math.min(minutesAt(column, event.clientY, CLICK_STEP), 1440 - CLICK_STEP);
      var start = localTime(column.dataset.date, minutes);
      return {start: start, allday: false, column: column, minutes: minutes,
              label: column.getAttribute("aria-label") + ", " + start.slice(11)};
    }
    var band = event.target.closest(".o-cal-band-day");
    if (band) { return {start: band.dataset.date, allday: true, label: band.getAttribute("aria-label")}; }
    var cell = event.target.closest(".o-cal-day");
    if (cell) {
      var number = cell.querySelector(".o-cal-daynum");
      return {start: cell.dataset.date, allday: !!root.dataset.allday,
              label: number ? number.getAttribute("aria-label") : cell.dataset.date};
    }
    return null;
  }

  var current = null;
  var mark = null;
  var opener = null;

  function openQuick(slot, event) {
    current = slot;
    opener = document.activeElement;
    quick.hidden = false;
    quick.querySelector(".o-cal-quick-when").textContent = slot.label;
    quick.querySelector(".o-cal-quick-edit").href = newUrl(slot);
    quick.querySelector(".o-cal-quick-error").hidden = true;
    quick.querySelector(".o-cal-quick-create").disabled = false;
    var input = quick.querySelector("input[name=name]");
    input.value = "";
    if (slot.column) {
      mark = document.createElement("div");
      mark.className = "o-cal-slot-mark";
      mark.style.top = (slot.minutes / 1440 * 100) + "%";
      mark.style.height = (60 / 1440 * 100) + "%";
      slot.column.appendChild(mark);
    }
    var box = root.getBoundingClientRect();
    var left = Math.max(0, Math.min(event.clientX - box.left, root.clientWidth - quick.offsetWidth));
    quick.style.left = left + "px";
    quick.style.top = (event.clientY - box.top + 8) + "px";
    input.focus();
  }

  function closeQuick() {
    if (!quick || quick.hidden) { return; }
    quick.hidden = true;
    current = null;
    if (mark) { mark.remove(); mark = null; }
    if (opener && opener.focus) { opener.focus(); }
  }

  if (quick) {
    quick.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = quick.querySelector("input[name=name]").value.trim();
      var error = quick.querySelector(".o-cal-quick-error");
      if (!name || !current) { return; }
      var button = quick.querySelector(".o-cal-quick-create");
      button.disabled = true;
      call(root.dataset.quickUrl, {name: name, start: current.start, allday: current.allday}).then(reload, function (err) {
        button.disabled = false;
        error.textContent = tessera.errorText(err);
        error.hidden = false;
      });
    });
    quick.querySelector(".o-cal-quick-cancel").addEventListener("click", closeQuick);
    quick.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.stopPropagation(); closeQuick(); }
    });
  }

  root.addEventListener("click", function (event) {
    if (suppressClick) {      // the click that ends a drag opens nothing
      suppressClick = false;
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (quick && !quick.hidden) {
      if (!quick.contains(event.target)) { closeQuick(); }
      return;
    }
    if (!root.dataset.canCreate || event.target.closest("a, button, input, form")) { return; }
    var slot = slotAt(event);
    if (!slot) { return; }
    if (root.dataset.quickCreate) {
      openQuick(slot, event);
    } else {
      window.location.href = newUrl(slot);
    }
  }, true);

  // ------------------------------------------------------------ moving and resizing
  var drag = null;

  root.addEventListener("dragstart", function (event) {   // the browser's own dragging of links
    if (event.target.closest && event.target.closest(".o-cal-event")) { event.preventDefault(); }
  });

  root.addEventListener("pointerdown", function (event) {
    if (!root.dataset.canMove || event.button !== 0 || drag) { return; }
    var link = event.target.closest(".o-cal-event[data-movable]");
    if (!link) { return; }
    var column = link.closest(".o-cal-col");
    var resize = !!event.target.closest(".o-cal-resize");
    drag = {link: link, pointer: event.pointerId, x: event.clientX, y: event.clientY, started: false,
            resize: resize, column: column, parent: link.parentNode, next: link.nextSibling,
            day: link.dataset.date, target: null, ghost: null, drop: null};
    if (column) {
      var rect = column.getBoundingClientRect();
      drag.top = link.offsetTop / rect.height * 1440;
      drag.offset = event.clientY - link.getBoundingClientRect().top;
    }
    if (resize) { event.preventDefault(); }
  });

  function startDrag() {
    drag.started = true;
    closeQuick();
    message.hidden = true;
    if (drag.column) {
      drag.link.classList.add("o-cal-dragging");
      return;
    }
    // whole days: a copy follows the pointer, the day it would land on is marked
    var rect = drag.link.getBoundingClientRect();
    var ghost = drag.link.cloneNode(true);
    ghost.classList.add("o-cal-dragging");
    ghost.removeAttribute("href");
    ghost.style.position = "fixed";
    ghost.style.width = rect.width + "px";
    ghost.style.left = rect.left + "px";
    ghost.style.top = rect.top + "px";
    document.body.appendChild(ghost);
    drag.ghost = ghost;
    drag.origin = {left: rect.left, top: rect.top};
    drag.link.classList.add("o-cal-busy");
  }

  function dragTo(event) {
    var below = document.elementFromPoint(event.clientX, event.clientY);
    if (drag.resize) {
      var rect = drag.column.getBoundingClientRect();
      var end = Math.max(drag.top + DRAG_STEP,
        Math.min(1440, Math.round((event.clientY - rect.top) / rect.height * 1440 / DRAG_STEP) * DRAG_STEP));
      drag.link.style.height = ((end - drag.top) / 1440 * 100) + "%";
      drag.target = {stop: localTime(drag.day, end)};
    } else if (drag.column) {
      var column = below && below.closest(".o-cal-col");
      if (!column) { return; }
      var minutes = minutesAt(column, event.clientY, DRAG_STEP, drag.offset);
      if (drag.link.parentNode !== column) { column.appendChild(drag.link); }
      drag.link.style.top = (minutes / 1440 * 100) + "%";
      drag.link.style.left = "0";
      drag.link.style.width = "calc(100% - 3px)";
      drag.target = {start: localTime(column.dataset.date, minutes)};
    } else {
      drag.ghost.style.left = (drag.origin.left + event.clientX - drag.x) + "px";
      drag.ghost.style.top = (drag.origin.top + event.clientY - drag.y) + "px";
      var kind = drag.parent.closest(".o-cal-band-day") ? ".o-cal-band-day" : ".o-cal-day";
      var day = below && below.closest(kind);
      if (drag.drop) { drag.drop.classList.remove("o-cal-drop"); }
      drag.drop = day;
      if (day) { day.classList.add("o-cal-drop"); }
      drag.target = day ? {days: daysBetween(drag.day, day.dataset.date)} : null;
    }
  }

  function cleanUp(state) {
    if (state.ghost) { state.ghost.remove(); }
    if (state.drop) { state.drop.classList.remove("o-cal-drop"); }
    state.link.classList.remove("o-cal-dragging", "o-cal-busy");
  }

  function putBack(state) {
    cleanUp(state);
    if (state.link.parentNode !== state.parent) { state.parent.insertBefore(state.link, state.next); }
    ["top", "left", "width", "height"].forEach(function (name) { state.link.style.removeProperty(name); });
  }

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (!drag.started) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < THRESHOLD) { return; }
      startDrag();
    }
    event.preventDefault();
    dragTo(event);
  });

  document.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var state = drag;
    drag = null;
    if (!state.started) { return; }     // a press without a move: the link opens as a click
    suppressClick = true;
    window.setTimeout(function () { suppressClick = false; }, 0);
    var target = state.target;
    var unchanged = !target || target.days === 0 ||
      (target.start && target.start === localTime(state.day, Math.round(state.top)));
    if (unchanged) {
      putBack(state);
      return;
    }
    state.link.classList.add("o-cal-busy");
    call(root.dataset.moveUrl, Object.assign({id: Number(state.link.dataset.id)}, target)).then(function () {
      cleanUp(state);
      reload();
    }, function (error) {
      putBack(state);
      showMessage(tessera.errorText(error));
    });
  });

  document.addEventListener("pointercancel", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (drag.started) { putBack(drag); }
    drag = null;
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (drag && drag.started) { putBack(drag); drag = null; return; }
    closeQuick();
  });
})();
