/* The kanban board (templates/web/kanban.html): drag a card to another column (pointer
   events: mouse, pen, and touch after a long press), the "Move to" menu, quick create in a
   column, "load more", the priority stars.  Every one of them also works without this
   script (links and forms); here they are done in place with the JSON routes of
   controllers/kanbanview.py, whose answers carry the card and the column headers as the
   server renders them.  A refused change puts the card back and shows the message. */
(function () {
  "use strict";
  var board = document.querySelector(".o-kanban");
  if (!board) { return; }
  var tessera = window.tessera;
  var message = document.querySelector(".o-kanban-message");
  var DRAG_DISTANCE = 6;        // px a mouse moves before a press becomes a drag
  var LONG_PRESS = 350;         // ms a finger rests on a card before it can be dragged

  function call(urlName, params) {
    params.query = board.getAttribute("data-query");
    return tessera.rpc(board.getAttribute("data-" + urlName + "-url"), params);
  }

  function showError(error) {
    message.textContent = tessera.errorText(error) || board.getAttribute("data-error-text");
    var way = tessera.errorAction(error);     // a RedirectWarning: a button to its action
    if (way) {
      var link = document.createElement("a");
      link.className = "btn btn-primary o-kanban-message-action";
      link.href = way.url;
      link.textContent = way.label;
      message.appendChild(document.createTextNode(" "));
      message.appendChild(link);
    }
    message.hidden = false;
  }

  function clearError() { message.hidden = true; message.textContent = ""; }

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function column(key) {
    return Array.prototype.find.call(board.querySelectorAll(".o-kanban-column"), function (section) {
      return section.getAttribute("data-key") === key;
    });
  }

  function cardsOf(section) { return section.querySelector(".o-kanban-cards"); }

  /* The answer of a change: the card replaces ``card`` (or is dropped when its column is
     folded), the headers of the columns it touched replace theirs. */
  function apply(answer, card) {
    var fresh = fromHtml(answer.card);
    if (card && card.parentNode) {
      if (card.closest(".o-kanban-column.o-folded")) { card.remove(); } else { card.replaceWith(fresh); }
    }
    Object.keys(answer.headers || {}).forEach(function (key) {
      var section = column(key);
      if (section) { section.querySelector(".o-kanban-header").replaceWith(fromHtml(answer.headers[key])); }
    });
    clearError();
    return fresh;
  }

  /* Put ``card`` into ``section`` before ``before`` (null: at the end); folded: nowhere. */
  function place(card, section, before) {
    var list = cardsOf(section);
    if (!list) { card.remove(); return; }
    list.insertBefore(card, before || null);
  }

  function move(card, section, before) {
    var origin = {parent: card.parentNode, next: card.nextElementSibling};
    place(card, section, before);
    card.classList.add("o-saving");
    var list = cardsOf(section);
    var ids = list ? Array.prototype.map.call(list.querySelectorAll(".o-kanban-card"), function (item) {
      return parseInt(item.getAttribute("data-id"), 10);
    }) : null;
    var params = {id: parseInt(card.getAttribute("data-id"), 10), key: section.getAttribute("data-key")};
    if (ids) { params.ids = ids; }
    if (!card.parentNode) { origin.removed = card; }
    return call("move", params).then(function (answer) {
      if (card.parentNode) { apply(answer, card); } else { apply(answer, null); }
    }, function (error) {
      card.classList.remove("o-saving");
      origin.parent.insertBefore(card, origin.next && origin.next.parentNode === origin.parent ? origin.next : null);
      showError(error);
    });
  }

  // ---------------------------------------------------------------- drag and drop
  var drag = null;

  function interactive(target) {
    return target.closest("button, summary, details, input, select, textarea, label, form, .o-kanban-body a");
  }

  board.addEventListener("pointerdown", function (event) {
    if (!board.hasAttribute("data-movable") || event.button !== 0) { return; }
    var card = event.target.closest(".o-kanban-card");
    if (!card || !card.closest(".o-kanban-column") || interactive(event.target)) { return; }
    drag = {card: card, x: event.clientX, y: event.clientY, pointer: event.pointerId, started: false,
            touch: event.pointerType === "touch", ready: event.pointerType !== "touch"};
    if (drag.touch) {
      drag.timer = window.setTimeout(function () { if (drag) { drag.ready = true; start(event); } }, LONG_PRESS);
    }
  });

  function start(event) {
    drag.started = true;
    var card = drag.card;
    var box = card.getBoundingClientRect();
    drag.dx = drag.x - box.left;
    drag.dy = drag.y - box.top;
    drag.ghost = card.cloneNode(true);
    drag.ghost.classList.add("o-kanban-ghost");
    drag.ghost.removeAttribute("data-id");
    drag.ghost.style.width = box.width + "px";
    document.body.appendChild(drag.ghost);
    card.classList.add("o-dragging");
    document.body.classList.add("o-kanban-dragging");
    follow(event.clientX, event.clientY);
  }

  function follow(x, y) {
    drag.ghost.style.left = (x - drag.dx) + "px";
    drag.ghost.style.top = (y - drag.dy) + "px";
    drag.lastX = x;
    drag.lastY = y;
    var target = document.elementFromPoint(x, y);
    var section = target && target.closest(".o-kanban-column");
    board.querySelectorAll(".o-drop-target").forEach(function (item) {
      if (item !== section) { item.classList.remove("o-drop-target"); }
    });
    if (section) { section.classList.add("o-drop-target"); }
    drag.section = section;
  }

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (!drag.started) {
      var far = Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > DRAG_DISTANCE;
      if (drag.touch && !drag.ready) {
        if (far) { cancel(); }          // the finger scrolls the page
        return;
      }
      if (!far) { return; }
      start(event);
    }
    event.preventDefault();
    follow(event.clientX, event.clientY);
  });

  // a finger that drags must not scroll the page meanwhile
  document.addEventListener("touchmove", function (event) {
    if (drag && drag.started) { event.preventDefault(); }
  }, {passive: false});

  function cancel() {
    if (!drag) { return; }
    window.clearTimeout(drag.timer);
    if (drag.ghost) { drag.ghost.remove(); }
    drag.card.classList.remove("o-dragging");
    document.body.classList.remove("o-kanban-dragging");
    board.querySelectorAll(".o-drop-target").forEach(function (item) { item.classList.remove("o-drop-target"); });
    drag = null;
  }

  function beforeCard(section, y, card) {
    var list = cardsOf(section);
    if (!list) { return null; }
    var cards = Array.prototype.filter.call(list.querySelectorAll(".o-kanban-card"), function (item) {
      return item !== card;
    });
    return cards.find(function (item) {
      var box = item.getBoundingClientRect();
      return y < box.top + box.height / 2;
    }) || null;
  }

  document.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var started = drag.started;
    var card = drag.card;
    var section = drag.section;
    var y = drag.lastY;
    cancel();
    if (!started) { return; }
    suppressClick = true;
    window.setTimeout(function () { suppressClick = false; }, 0);
    if (!section) { return; }
    var before = beforeCard(section, y, card);
    var same = card.closest(".o-kanban-column") === section;
    if (same && (before === card.nextElementSibling || before === card)) { return; }
    move(card, section, before);
  });

  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointer) { cancel(); }
  });

  var suppressClick = false;
  board.addEventListener("click", function (event) {
    if (suppressClick) {
      event.preventDefault();
      event.stopPropagation();
      suppressClick = false;
    }
  }, true);
  // links and images must not start the browser's own drag
  board.addEventListener("dragstart", function (event) { event.preventDefault(); });

  // ---------------------------------------------------------------- forms done in place
  board.addEventListener("submit", function (event) {
    var form = event.target;
    var card = form.closest(".o-kanban-card");
    if (form.closest(".o-kanban-move") && card) {
      event.preventDefault();
      var key = event.submitter && event.submitter.value;
      var details = form.closest("details");
      if (details) { details.removeAttribute("open"); }
      var section = key && column(key);
      if (section) {
        var list = cardsOf(section);
        move(card, section, list ? list.firstElementChild : null).then(function () {
          var moved = board.querySelector('.o-kanban-card[data-id="' + card.getAttribute("data-id") + '"] .o-kanban-move summary');
          if (moved) { moved.focus(); }
        });
      }
    } else if (form.classList.contains("o-kanban-quick-form")) {
      event.preventDefault();
      quickCreate(form);
    } else if (form.classList.contains("o-priority") && card) {
      event.preventDefault();
      var value = event.submitter && event.submitter.value;
      call("priority", {id: parseInt(card.getAttribute("data-id"), 10), field: form.getAttribute("data-field"),
                        value: value}).then(function (answer) { apply(answer, card); }, showError);
    }
  });

  function quickCreate(form) {
    var input = form.querySelector("input[name=name]");
    var section = form.closest(".o-kanban-column");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    call("quick", {key: form.querySelector("input[name=key]").value, name: input.value}).then(function (answer) {
      var card = apply(answer, null);
      var list = cardsOf(section);
      list.insertBefore(card, list.firstElementChild);
      input.value = "";
      input.focus();
    }, showError).then(function () { button.disabled = false; });
  }

  // "New" opens the quick create of the first column (on_create="quick_create")
  var create = document.querySelector(".o-kanban-new[data-quick-create]");
  if (create) {
    create.addEventListener("click", function (event) {
      var details = board.querySelector(".o-kanban-column:not(.o-folded) .o-kanban-quick-create");
      if (!details) { return; }
      event.preventDefault();
      details.setAttribute("open", "");
      details.querySelector("input[name=name]").focus();
    });
  }

  // "Load more": the next cards of the column, appended
  board.addEventListener("click", function (event) {
    var link = event.target.closest(".o-kanban-more");
    if (!link || !board.contains(link)) { return; }
    event.preventDefault();
    var section = link.closest(".o-kanban-column");
    var list = cardsOf(section);
    var shown = list.querySelectorAll(".o-kanban-card").length;
    call("cards", {key: section.getAttribute("data-key"), offset: shown}).then(function (answer) {
      var template = document.createElement("template");
      template.innerHTML = answer.html;
      list.appendChild(template.content);
      var total = parseInt(section.querySelector(".o-kanban-count").textContent, 10);
      var left = total - list.querySelectorAll(".o-kanban-card").length;
      if (left > 0 && answer.count) {
        link.textContent = board.getAttribute("data-more-text").replace("{count}", left);
      } else {
        link.remove();
      }
      clearError();
    }, showError);
  });
})();
