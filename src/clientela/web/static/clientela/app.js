// Clientela: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function nextIndex(container) {
    var max = -1;
    container.querySelectorAll("[name]").forEach(function (input) {
      var match = /^[a-z_]+-(\d+)-/.exec(input.getAttribute("name"));
      if (match) max = Math.max(max, parseInt(match[1], 10));
    });
    return max + 1;
  }

  function addRow(name) {
    var template = document.getElementById("tpl-" + name);
    var container = document.getElementById("rows-" + name);
    if (!template || !container) return;
    var index = String(nextIndex(container));
    var html = template.innerHTML.split("__prefix__").join(index);
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    container.appendChild(row);
    showJsOnly(row);
    if (window.htmx) window.htmx.process(row);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function showJsOnly(root) {
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
  }

  ready(function () {
    showJsOnly(document);
    var summary = document.getElementById("form-errors");
    if (summary) summary.focus();
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-add-row"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest(".row-item");
      if (row) row.remove();
    }
  });

  // Forms that change something irreversible ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // The language menu applies as soon as a language is picked.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form) form.submit();
  });

  // After the log form is replaced (saved or refused), put the focus back into it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "log-form") {
      var invalid = target.querySelector("[aria-invalid=true]");
      if (invalid) invalid.focus();
    }
  });
})();
