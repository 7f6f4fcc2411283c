// Review page: save edits, mark segments reviewed, move between segments with the keyboard.
// Text from the server is only ever set with textContent / value, never as HTML.
"use strict";

(function () {
  function setupSubmit() {
    var form = document.getElementById("submit-form");
    if (!form) return;
    var text = document.getElementById("text");
    var count = document.getElementById("count");
    var max = parseInt(text.dataset.max, 10);
    function update() {
      count.textContent = text.value.length.toLocaleString() + " / " + max.toLocaleString() + " characters";
    }
    text.addEventListener("input", update);
    update();
    form.addEventListener("submit", function () {
      var button = document.getElementById("translate");
      button.disabled = true;
      button.textContent = "Translating…";
    });
  }

  function setupReview() {
    var table = document.getElementById("segments");
    if (!table) return;
    var saveUrl = table.dataset.saveUrl;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr.seg"));
    var statusBar = document.getElementById("status");
    var progress = document.getElementById("progress");

    function area(row) { return row.querySelector("textarea.target"); }
    function say(message, failed) {
      statusBar.textContent = message;
      statusBar.classList.toggle("failed", !!failed);
    }
    function checkTerms(row) {
      var value = area(row).value;
      row.querySelectorAll("ul.terms li").forEach(function (li) {
        var missing = li.dataset.target && value.indexOf(li.dataset.target) < 0;
        li.classList.toggle("missing", missing);
        li.title = missing ? "this term's translation is not in the target" : "";
      });
    }
    function focusRow(index) {
      if (index < 0 || index >= rows.length) return;
      var target = area(rows[index]);
      target.focus();
      target.setSelectionRange(target.value.length, target.value.length);
      rows[index].scrollIntoView({block: "center"});
    }
    function nextUnreviewed(from) {
      for (var i = from + 1; i < rows.length; i++) {
        if (rows[i].dataset.status !== "reviewed") return i;
      }
      return Math.min(from + 1, rows.length - 1);
    }
    // Saves of one row go out one after the other, so a draft saved on blur can
    // never land after the "reviewed" save that followed it.
    var pending = {};
    function save(row, reviewed) {
      var index = row.dataset.index;
      pending[index] = (pending[index] || Promise.resolve()).then(function () {
        return send(row, reviewed);
      });
      return pending[index];
    }
    function send(row, reviewed) {
      var index = parseInt(row.dataset.index, 10);
      var value = area(row).value;
      if (!reviewed && value === row.dataset.saved) return Promise.resolve(true);
      say("Saving segment " + (index + 1) + "…");
      return fetch(saveUrl + index, {
        method: "PUT",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({target: value, reviewed: reviewed}),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
          return body;
        });
      }).then(function (body) {
        var status = body.reviewed ? "reviewed" : body.segment.origin;
        row.dataset.status = status;
        row.dataset.saved = value;
        row.classList.remove("dirty");
        row.querySelector(".status").textContent = status;
        progress.textContent = body.progress.reviewed + " / " + body.progress.total + " reviewed";
        say("Segment " + (index + 1) + (body.reviewed ? " saved as reviewed" : " saved as draft"));
        return true;
      }).catch(function (error) {
        say("Could not save segment " + (index + 1) + ": " + error.message, true);
        return false;
      });
    }

    rows.forEach(function (row, i) {
      var target = area(row);
      row.dataset.saved = target.value;
      checkTerms(row);
      target.addEventListener("focus", function () {
        rows.forEach(function (r) { r.classList.remove("current"); });
        row.classList.add("current");
      });
      target.addEventListener("input", function () {
        row.classList.toggle("dirty", target.value !== row.dataset.saved);
        checkTerms(row);
      });
      target.addEventListener("blur", function (event) {
        var toMark = event.relatedTarget && event.relatedTarget === row.querySelector("button.mark");
        if (!toMark && target.value !== row.dataset.saved) save(row, false);
      });
      target.addEventListener("keydown", function (event) {
        var mod = event.ctrlKey || event.metaKey;
        if (mod && event.key === "Enter") {
          event.preventDefault();
          save(row, true).then(function (ok) { if (ok) focusRow(nextUnreviewed(i)); });
        } else if (mod && (event.key === "s" || event.key === "S")) {
          event.preventDefault();
          save(row, false);
        } else if (event.altKey && event.key === "ArrowDown") {
          event.preventDefault();
          focusRow(i + 1);
        } else if (event.altKey && event.key === "ArrowUp") {
          event.preventDefault();
          focusRow(i - 1);
        } else if (event.key === "Escape") {
          target.value = row.dataset.saved;
          row.classList.remove("dirty");
          checkTerms(row);
        }
      });
      row.querySelector("button.mark").addEventListener("click", function () {
        save(row, true);
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (table.querySelector("tr.dirty")) event.preventDefault();
    });
    var first = rows.findIndex(function (r) { return r.dataset.status !== "reviewed"; });
    if (rows.length) focusRow(first < 0 ? 0 : first);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSubmit();
    setupReview();
  });
})();
