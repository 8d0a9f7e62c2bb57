// New comments announced while a story is open. An enhancement only:
// without this script the page is the same, less the notice.
//
// The comment section names the conversation as the page was rendered
// (data-live-version, data-live-count: the same for every reader of that
// rendering) and where to ask for it now (data-live-url). While the tab is
// visible this asks every data-live-poll seconds, twice as long after each
// answer with nothing new (up to 8 times), stops after 30 minutes without
// the reader doing anything (until they do), and when more comments are
// published than the page shows, says so in a polite live region with a
// link to the newest of them.
(function () {
  "use strict";

  var section = document.getElementById("comments");
  var notice = section && section.querySelector("[data-live-notice]");
  if (!notice || !section.dataset.liveUrl || !window.fetch) {
    return;
  }
  var url = section.dataset.liveUrl;
  var version = section.dataset.liveVersion || "";
  var shown = parseInt(section.dataset.liveCount, 10) || 0;
  var base = (parseFloat(section.dataset.livePoll) || 15) * 1000;
  var longest = base * 8;
  var idleLimit = 30 * 60 * 1000;
  var delay = base;
  var timer = null;
  var lastActivity = Date.now();
  var stopped = false; // after a while idle, until the reader is back
  var gone = false; // the story is no longer there for readers
  var announced = -1;

  function schedule(after) {
    window.clearTimeout(timer);
    timer = null;
    if (stopped || gone || document.hidden) {
      return;
    }
    timer = window.setTimeout(poll, after);
  }

  function announce(count, link) {
    if (count === announced) {
      return;
    }
    announced = count;
    notice.textContent = "";
    var text = document.createElement("p");
    text.className = "comments__live-text";
    text.appendChild(
      document.createTextNode(count + (count === 1 ? " new comment — " : " new comments — "))
    );
    var show = document.createElement("a");
    show.href = link;
    show.className = "comments__live-show";
    show.textContent = "show";
    text.appendChild(show);
    notice.appendChild(text);
  }

  function poll() {
    timer = null;
    if (Date.now() - lastActivity > idleLimit) {
      stopped = true;
      return;
    }
    window
      .fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) {
          gone = true;
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        var fresh = status && status.version !== version && status.count > shown;
        if (fresh) {
          announce(status.count - shown, status.latest_url || "#comments");
          delay = base;
        } else {
          delay = Math.min(delay * 2, longest);
        }
        schedule(delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, longest);
        schedule(delay);
      });
  }

  function active() {
    lastActivity = Date.now();
    if (stopped) {
      stopped = false;
      delay = base;
      schedule(0);
    }
  }

  ["keydown", "pointerdown", "scroll", "focusin"].forEach(function (name) {
    window.addEventListener(name, active, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else {
      // Back on the tab: ask now, from the first interval again.
      lastActivity = Date.now();
      stopped = false;
      delay = base;
      schedule(0);
    }
  });
  schedule(delay);
})();
