// Policy editor: validates a JSON policy as you type, with the server's
// Access Analyzer-style checks (POST /console/api/validate-policy), and
// lists the findings with line and column. Clicking a finding selects the
// text it points at.
//
// Markup:
//   <textarea id="doc" data-policy-editor="identity|resource|trust"
//             data-findings="#findings-list"></textarea>
//   <div id="findings-list" aria-live="polite"></div>
//   the page's CSRF token in any <input name="csrf">.
// Without this script the form still works: the server validates on submit.
(function () {
  "use strict";

  function csrfToken() {
    var el = document.querySelector('input[name="csrf"]');
    return el ? el.value : "";
  }

  function render(box, textarea, findings) {
    box.textContent = "";
    var summary = document.createElement("p");
    summary.className = "small muted";
    summary.setAttribute("data-testid", "findings-summary");
    var counts = { ERROR: 0, SECURITY_WARNING: 0, WARNING: 0, SUGGESTION: 0 };
    findings.forEach(function (f) { counts[f.type] = (counts[f.type] || 0) + 1; });
    summary.textContent = findings.length === 0
      ? "No findings: the policy is valid."
      : counts.ERROR + " errors, " + counts.SECURITY_WARNING + " security warnings, " + counts.WARNING + " warnings, " + counts.SUGGESTION + " suggestions";
    box.appendChild(summary);
    if (findings.length === 0) return;
    var ul = document.createElement("ul");
    ul.className = "findings";
    ul.setAttribute("data-testid", "findings");
    findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding finding-" + f.type;
      li.setAttribute("data-code", f.code);
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = f.type;
      var code = document.createElement("code");
      code.textContent = f.code;
      var where = document.createElement("button");
      where.type = "button";
      where.className = "link where";
      where.textContent = "Ln " + f.line + ", Col " + f.column;
      where.setAttribute("aria-label", "Go to line " + f.line + ", column " + f.column);
      where.addEventListener("click", function () {
        textarea.focus();
        // Offsets are bytes; for ASCII policies they are characters too.
        textarea.setSelectionRange(f.offset, Math.max(f.offset, f.endOffset));
      });
      var msg = document.createElement("span");
      msg.textContent = " " + f.message;
      li.appendChild(badge); li.appendChild(document.createTextNode(" "));
      li.appendChild(code); li.appendChild(document.createTextNode(" "));
      li.appendChild(where); li.appendChild(msg);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function setup(textarea) {
    var kind = textarea.getAttribute("data-policy-editor");
    var box = document.querySelector(textarea.getAttribute("data-findings"));
    if (!box) return;
    var timer = null, seq = 0;
    function validate() {
      var mine = ++seq;
      fetch("/console/api/validate-policy?kind=" + encodeURIComponent(kind), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: textarea.value,
        credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data && mine === seq) render(box, textarea, data.findings || []);
      }).catch(function () {});
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(validate, 300);
    });
    // Tab inserts two spaces instead of leaving the editor; Escape then Tab leaves.
    var escaped = false;
    textarea.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { escaped = true; return; }
      if (ev.key === "Tab" && !ev.shiftKey && !escaped) {
        ev.preventDefault();
        var s = textarea.selectionStart, e = textarea.selectionEnd;
        textarea.setRangeText("  ", s, e, "end");
        textarea.dispatchEvent(new Event("input"));
      }
      escaped = false;
    });
    validate();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-policy-editor]").forEach(setup);
  });
})();
