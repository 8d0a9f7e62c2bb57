// Keyboard shortcuts for the moderation queue (the Comment changelist).
//
// j / k move to the next / previous comment, a approves it, s marks it as
// spam, r removes it, ? opens the list of shortcuts. A decision is the
// admin's own action form, submitted for the one comment; after the page
// comes back the next comment is current. Without JavaScript the same
// actions are the checkboxes, the action menu and Run.
(function () {
  "use strict";

  var STORE = "newsroom.queue.position";
  var ACTIONS = { a: "approve_selected", s: "spam_selected", r: "remove_selected" };

  function start() {
    var form = document.getElementById("changelist-form");
    var table = document.getElementById("result_list");
    var help = document.getElementById("queue-shortcuts");
    if (!form || !table) {
      return;
    }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var actionMenu = form.querySelector("select[name=action]");
    if (help) {
      help.hidden = false;
    }
    var current = -1;

    function pk(row) {
      var box = row.querySelector("input.action-select");
      return box ? box.value : null;
    }

    function show(index) {
      if (!rows.length) {
        return;
      }
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (current >= 0) {
        rows[current].classList.remove("queue-current");
        rows[current].removeAttribute("aria-current");
      }
      current = index;
      var row = rows[current];
      row.classList.add("queue-current");
      row.setAttribute("aria-current", "true");
      row.tabIndex = -1;
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }

    function decide(action) {
      if (current < 0 || !actionMenu) {
        return;
      }
      var row = rows[current];
      rows.forEach(function (other) {
        var box = other.querySelector("input.action-select");
        if (box) {
          box.checked = other === row;
        }
      });
      actionMenu.value = action;
      sessionStorage.setItem(STORE, JSON.stringify({ index: current, pk: pk(row) }));
      form.submit();
    }

    // Where to carry on: the row after the one just decided, which is at
    // the same place when the decided comment left the list.
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(STORE));
    } catch (error) {
      saved = null;
    }
    sessionStorage.removeItem(STORE);
    if (saved && typeof saved.index === "number") {
      var same = rows[saved.index] && pk(rows[saved.index]) === saved.pk;
      show(same ? saved.index + 1 : saved.index);
    } else {
      show(0);
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
        return;
      }
      var target = event.target;
      if (target.closest("input, select, textarea, button, [contenteditable]")) {
        return;
      }
      var key = event.key;
      if (key === "j") {
        show(current + 1);
      } else if (key === "k") {
        show(current - 1);
      } else if (ACTIONS[key]) {
        decide(ACTIONS[key]);
      } else if (key === "?" && help) {
        help.open = !help.open;
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
