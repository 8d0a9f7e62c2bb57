/* Warn before leaving a story's change form with unsaved edits.
 *
 * The form works without this: it only adds the browser's "Leave site?"
 * question once a field has changed, and never while the form is being
 * submitted (Save, Save and continue, Delete). */
(function () {
  "use strict";

  function watch(form) {
    var changed = false;
    var submitting = false;
    function markChanged() { changed = true; }
    form.addEventListener("input", markChanged);
    form.addEventListener("change", markChanged);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (changed && !submitting) {
        event.preventDefault();
        event.returnValue = "";  // older browsers need a value to ask
      }
    });
  }

  function start() {
    var form = document.querySelector("#article_form");
    if (form) { watch(form); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
