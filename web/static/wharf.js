// Wharf console enhancements. Everything works without this file; it adds
// copy buttons, confirmation before destructive actions, and fields that
// show only when a choice needs them. No inline handlers: the page's
// Content-Security-Policy forbids inline script.
(function () {
  "use strict";

  // <button data-copy="#id"> copies the text of the element #id.
  function setupCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var el = document.querySelector(btn.getAttribute("data-copy"));
        if (!el) return;
        var text = el.value !== undefined && el.tagName !== "PRE" && el.tagName !== "CODE" ? el.value : el.textContent;
        var done = function () {
          var old = btn.textContent;
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = old; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () {});
        } else {
          var ta = document.createElement("textarea");
          ta.value = text; document.body.appendChild(ta); ta.select();
          try { document.execCommand("copy"); done(); } catch (e) {}
          document.body.removeChild(ta);
        }
      });
    });
  }

  // <form data-confirm="Delete user x?"> asks before submitting.
  function setupConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
  }

  // <div data-show-when="radio-or-checkbox-id"> is shown only while that
  // input is checked.
  function setupShowWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (el) {
      var input = document.getElementById(el.getAttribute("data-show-when"));
      if (!input) return;
      var sync = function () { el.classList.toggle("hidden", !input.checked); };
      var group = input.name ? document.querySelectorAll('input[name="' + input.name + '"]') : [input];
      group.forEach(function (i) { i.addEventListener("change", sync); });
      sync();
    });
  }

  // <input type="search" data-filter="#table-id"> filters table rows as you type.
  function setupFilter(root) {
    root.querySelectorAll("[data-filter]").forEach(function (input) {
      var table = document.querySelector(input.getAttribute("data-filter"));
      if (!table) return;
      input.addEventListener("input", function () {
        var q = input.value.toLowerCase();
        table.querySelectorAll("tbody tr").forEach(function (tr) {
          tr.classList.toggle("hidden", q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCopy(document);
    setupConfirm(document);
    setupShowWhen(document);
    setupFilter(document);
  });
})();
