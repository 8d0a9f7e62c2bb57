// Enhancements for the comment section. Every action here is also a plain
// form or link that works without this script; if anything fails we fall
// back to it rather than leave the reader stuck.
(function () {
  "use strict";

  var section = document.getElementById("comments");
  if (!section) {
    return;
  }
  var form = document.getElementById("comment-form");
  var formHome = form ? form.parentNode : null;
  var formNext = form ? form.nextSibling : null;

  function textarea() {
    return form ? form.querySelector("textarea") : null;
  }

  // Reply in place: move the one comment form under the comment replied to.
  function setParent(value, label) {
    var parent = form.querySelector("input[name=parent]");
    if (parent) {
      parent.value = value;
    }
    var labelEl = form.querySelector("label[for]");
    if (labelEl) {
      if (!labelEl.dataset.original) {
        labelEl.dataset.original = labelEl.textContent;
      }
      labelEl.textContent = label || labelEl.dataset.original;
    }
  }

  function cancelReply() {
    setParent("", "");
    var cancel = form.querySelector("[data-cancel-reply]");
    if (cancel) {
      cancel.remove();
    }
    formHome.insertBefore(form, formNext);
  }

  function replyTo(link) {
    var article = link.closest("article");
    var author = article.querySelector(".comment__author");
    setParent(link.dataset.replyTo, "Your reply to " + (author ? author.textContent : "this comment"));
    if (!form.querySelector("[data-cancel-reply]")) {
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = "Cancel reply";
      cancel.setAttribute("data-cancel-reply", "");
      cancel.addEventListener("click", cancelReply);
      form.querySelector(".comment-form__actions").appendChild(cancel);
    }
    article.after(form);
    textarea().focus();
  }

  // Posted, then Back: the browser brings the page back with the text still
  // in the box, and sending it again would only be refused as a repeat. The
  // text sent is noted; the page the post landed on says it was saved (its
  // message is marked "posted"); back on a page whose box still holds exactly
  // that text, the box is emptied. Text from a post that failed is kept.
  function remember(key, value) {
    try {
      if (value === null) {
        window.sessionStorage.removeItem(key);
      } else {
        window.sessionStorage.setItem(key, value);
      }
    } catch (error) {
      // Storage refused (private mode): the box keeps its text, as without script.
    }
  }

  function recall(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  if (document.querySelector(".message--posted") && recall("newsroom:sending") !== null) {
    remember("newsroom:posted", recall("newsroom:sending"));
    remember("newsroom:sending", null);
  }
  if (form) {
    form.addEventListener("submit", function () {
      remember("newsroom:posted", null);
      remember("newsroom:sending", textarea().value);
    });
    window.addEventListener("pageshow", function () {
      var posted = recall("newsroom:posted");
      if (posted !== null && posted !== "" && textarea().value === posted) {
        remember("newsroom:posted", null);
        textarea().value = "";
        if (form.querySelector("[data-cancel-reply]")) {
          cancelReply();
        }
      }
    });
  }

  // How many characters are left, under the box (the limit itself is the
  // textarea's maxlength, and the server's). Screen readers hear it only as
  // the end comes near, not at every key.
  if (form && textarea() && textarea().maxLength > 0) {
    var box = textarea();
    var count = document.createElement("span");
    count.className = "comment-form__count";
    count.id = "comment-form-count";
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    var lastSpoken = null;
    var showCount = function () {
      var left = box.maxLength - box.value.length;
      count.textContent = left.toLocaleString() + (left === 1 ? " character left" : " characters left");
      var mark = left <= 0 ? 0 : left <= 50 ? 50 : left <= 200 ? 200 : null;
      if (mark !== lastSpoken) {
        lastSpoken = mark;
        spoken.textContent = mark === null ? "" : count.textContent;
      }
    };
    box.after(count, spoken);
    box.addEventListener("input", showCount);
    showCount();
  }

  section.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (link && form) {
      event.preventDefault();
      replyTo(link);
    }
  });

  // Like without reload: the same POST, answered with JSON. Every like
  // button submits the thread's one like form to its own comment's URL.
  section.addEventListener("submit", function (event) {
    var likesForm = event.target.closest("form[data-likes-form]");
    var button = event.submitter;
    if (!likesForm || !button || !button.dataset.like || !window.fetch) {
      return;
    }
    event.preventDefault();
    var url = button.formAction;
    var token = likesForm.querySelector("input[name=csrfmiddlewaretoken]");
    button.disabled = true;
    fetch(url, {
      method: "POST",
      body: new FormData(likesForm),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.status === 401 && data.login_url) {
            window.location.assign(data.login_url);
            return;
          }
          if (!response.ok) {
            throw new Error(data.error || "like failed");
          }
          button.setAttribute("aria-pressed", data.liked ? "true" : "false");
          var label = section.querySelector('[data-like-label="' + button.dataset.like + '"]');
          if (label) {
            label.textContent = data.label;
          }
          button.disabled = false;
        });
      })
      .catch(function () {
        // As without the script: the form posted to this comment's URL.
        likesForm.action = url;
        likesForm.submit();
      });
  });

  // Collapse memory: threads the reader folded stay folded on this story.
  var storageKey = "newsroom:collapsed:" + (section.dataset.storyUrl || window.location.pathname);

  function readCollapsed() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "[]");
    } catch (error) {
      return [];
    }
  }

  function writeCollapsed(ids) {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(ids));
    } catch (error) {
      // Private mode or storage full: collapsing still works for this visit.
    }
  }

  var collapsed = readCollapsed();
  section.querySelectorAll("details[data-thread]").forEach(function (details) {
    if (collapsed.indexOf(details.dataset.thread) !== -1) {
      details.open = false;
    }
    details.addEventListener("toggle", function () {
      var ids = readCollapsed().filter(function (id) {
        return id !== details.dataset.thread;
      });
      if (!details.open) {
        ids.push(details.dataset.thread);
      }
      writeCollapsed(ids);
    });
  });

  // Quote: select text in the story, then put it into the comment box.
  var story = document.querySelector(".story__body");
  if (!story || !form) {
    return;
  }
  var quoteButton = document.createElement("button");
  quoteButton.type = "button";
  quoteButton.className = "quote-button";
  quoteButton.textContent = "Quote in a comment";
  quoteButton.hidden = true;
  story.after(quoteButton);

  function selectedStoryText() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return "";
    }
    var range = selection.getRangeAt(0);
    if (!story.contains(range.commonAncestorContainer)) {
      return "";
    }
    return selection.toString().trim();
  }

  document.addEventListener("selectionchange", function () {
    quoteButton.hidden = selectedStoryText() === "";
  });

  // mousedown would clear the selection before click fires.
  quoteButton.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });

  quoteButton.addEventListener("click", function () {
    var text = selectedStoryText();
    if (!text) {
      return;
    }
    var quoted = text
      .split(/\n+/)
      .map(function (line) {
        return "> " + line.trim();
      })
      .join("\n");
    var box = textarea();
    box.value = (box.value ? box.value.replace(/\s*$/, "\n\n") : "") + quoted + "\n\n";
    quoteButton.hidden = true;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
})();
