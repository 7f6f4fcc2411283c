// Review page: save edits, mark segments reviewed, move between segments with the keyboard,
// mark the words left untranslated, order by confidence and show what needs attention.
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

  // Where each span of `old` is in `now` after an edit, or null where the edit touched it.
  // The edit is read as one changed stretch between a common prefix and suffix (what typing
  // does); the server's answer to a save replaces this guess (translator.spans.follow_edit).
  function followEdit(old, now, spans) {
    var prefix = 0, suffix = 0;
    var limit = Math.min(old.length, now.length);
    while (prefix < limit && old[prefix] === now[prefix]) prefix++;
    while (suffix < limit - prefix && old[old.length - 1 - suffix] === now[now.length - 1 - suffix]) suffix++;
    var shift = now.length - old.length;
    return spans.map(function (span) {
      if (!span) return null;
      if (span[1] <= prefix) return span;
      if (span[0] >= old.length - suffix) return [span[0] + shift, span[1] + shift];
      return null;
    });
  }

  function percent(confidence) {
    if (confidence === null) return "–";
    var shown = Math.round(confidence * 100);
    return (confidence < 1 ? Math.min(shown, 99) : shown) + "%";
  }

  function setupReview() {
    var table = document.getElementById("segments");
    if (!table) return;
    var tbody = table.tBodies[0];
    var saveUrl = table.dataset.saveUrl;
    var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr.seg"));  // article order
    var statusBar = document.getElementById("status");
    var progress = document.getElementById("progress");
    var order = document.getElementById("order");
    var attention = document.getElementById("attention");
    var threshold = document.getElementById("threshold");
    var shown = document.getElementById("shown");
    var nothing = document.getElementById("nothing");
    var fallbackThreshold = parseFloat(threshold.defaultValue);
    var statusFilter = document.getElementById("status-filter");
    var warningsOnly = document.getElementById("warnings-only");
    var lowOnly = document.getElementById("low-only");
    var find = document.getElementById("find");
    var replaceWith = document.getElementById("replace-with");
    var words = document.getElementById("words");
    var progressBar = document.getElementById("progress-bar");
    var docUrl = saveUrl.replace(/\/segments\/$/, "");
    var state = new Map();  // row -> {saved, leftovers: [{li, word, kind, step}], savedSpans, spans}

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

    // -- words left untranslated, marked in a copy of the text behind the textarea --------
    function readLeftovers(row) {
      var items = Array.prototype.map.call(row.querySelectorAll("ul.leftovers li"), function (li) {
        return {li: li, word: li.dataset.word, kind: li.dataset.kind, step: parseInt(li.dataset.step, 10),
                span: [parseInt(li.dataset.start, 10), parseInt(li.dataset.end, 10)]};
      });
      var spans = items.map(function (item) { return item.span; });
      state.set(row, {saved: area(row).value, leftovers: items, savedSpans: spans, spans: spans});
    }
    function drawLeftovers(row) {
      var st = state.get(row);
      var text = area(row).value;
      var backdrop = row.querySelector(".backdrop");
      var marks = [];
      st.leftovers.forEach(function (item, n) {
        // only where the span still holds the word: a mark on the wrong letters misleads
        var span = st.spans[n];
        var there = !!span && text.slice(span[0], span[1]) === item.word;
        item.li.hidden = !there;
        if (there) marks.push({span: span, kind: item.kind});
      });
      var leftoverCount = marks.length;
      // glossary terms whose rendering the text holds, marked as in the source
      row.querySelectorAll("ul.terms li").forEach(function (li) {
        var rendering = li.dataset.target;
        if (!rendering) return;
        var at = text.indexOf(rendering);
        while (at >= 0 && marks.some(function (m) { return at < m.span[1] && m.span[0] < at + rendering.length; })) {
          at = text.indexOf(rendering, at + 1);
        }
        if (at >= 0) marks.push({span: [at, at + rendering.length], term: true});
      });
      marks.sort(function (a, b) { return a.span[0] - b.span[0]; });
      backdrop.textContent = "";
      var position = 0;
      marks.forEach(function (m) {
        if (m.span[0] < position) return;  // overlapping spans: the first one is marked
        backdrop.appendChild(document.createTextNode(text.slice(position, m.span[0])));
        var mark = document.createElement("mark");
        mark.className = m.term ? "term" : "leftover kind-" + (/^(unknown|generation|transfer)$/.test(m.kind) ? m.kind : "unknown");
        mark.textContent = text.slice(m.span[0], m.span[1]);
        backdrop.appendChild(mark);
        position = m.span[1];
      });
      backdrop.appendChild(document.createTextNode(text.slice(position)));
      row.querySelector("ul.leftovers").hidden = leftoverCount === 0;
      row.dataset.leftovers = leftoverCount;
      // A hidden list referenced by aria-describedby would still be read out, fixed words and all.
      area(row).setAttribute("aria-describedby", "cf" + row.dataset.index + (leftoverCount ? " lo" + row.dataset.index : ""));
    }
    function followTyping(row) {
      var st = state.get(row);
      st.spans = followEdit(st.saved, area(row).value, st.savedSpans);
      drawLeftovers(row);
    }
    // After a save, the server says which leftovers are still there (in reading order).
    function takeSaved(row, value, segment) {
      var st = state.get(row);
      var kept = segment.untranslated.slice().sort(function (a, b) { return a.target_span[0] - b.target_span[0]; });
      var next = 0;
      st.saved = value;
      st.savedSpans = st.leftovers.map(function (item) {
        var lo = kept[next];
        if (lo && lo.word === item.word && lo.kind === item.kind && lo.step === item.step) {
          next++;
          return lo.target_span;
        }
        return null;
      });
      followTyping(row);
      row.dataset.confidence = segment.confidence === null ? "" : String(segment.confidence);
    }

    // -- confidence and "needs attention" ------------------------------------------------------
    function confidenceOf(row) {
      return row.dataset.confidence === "" ? null : parseFloat(row.dataset.confidence);
    }
    function lowBelow() {
      var value = parseFloat(threshold.value);
      if (isNaN(value)) value = fallbackThreshold;
      return Math.min(100, Math.max(0, value)) / 100;
    }
    function needsAttention(row) {
      var confidence = confidenceOf(row);
      return row.dataset.status !== "reviewed" &&
        (row.dataset.leftovers > 0 || row.dataset.warnings > 0 || (confidence !== null && confidence < lowBelow()));
    }
    function showQuality(row) {
      var confidence = confidenceOf(row);
      var badge = row.querySelector(".confidence");
      var low = confidence !== null && confidence < lowBelow();
      badge.querySelector(".value").textContent = percent(confidence);
      badge.classList.toggle("low", low);
      badge.title = confidence === null ? "no confidence for this translation"
        : "confidence " + confidence + (low ? ", below the threshold" : "");
      var needs = needsAttention(row);
      row.classList.toggle("attention", needs);
      row.querySelector(".flag").hidden = !needs;
    }
    function count() {
      var needing = rows.filter(needsAttention).length;
      var visible = visibleRows().length;
      shown.textContent = attention.checked
        ? "showing " + visible + " of " + rows.length + " segments (" + needing + " need attention)"
        : needing + " of " + rows.length + " segments need attention";
      nothing.hidden = visible > 0;
    }

    // -- the order and filter the reviewer chose; keyboard moves follow what is shown ---------
    function visibleRows() {
      return Array.prototype.filter.call(tbody.querySelectorAll("tr.seg"), function (row) { return !row.hidden; });
    }
    function applyView() {
      var byConfidence = order.value === "confidence";
      var sorted = rows.slice();
      if (byConfidence) {
        sorted.sort(function (a, b) {  // lowest first; unrated last; ties in article order
          var ca = confidenceOf(a), cb = confidenceOf(b);
          if (ca !== cb) {
            if (ca === null) return 1;
            if (cb === null) return -1;
            return ca - cb;
          }
          return a.dataset.index - b.dataset.index;
        });
      }
      sorted.forEach(function (row) { tbody.appendChild(row); });
      table.classList.toggle("sorted", byConfidence);
      rows.forEach(function (row) {
        showQuality(row);
        row.hidden = !passes(row);
      });
      count();
      var query = new URLSearchParams();
      if (byConfidence) query.set("order", "confidence");
      if (attention.checked) query.set("attention", "1");
      if (threshold.value !== threshold.defaultValue) query.set("below", threshold.value);
      if (statusFilter.value) query.set("status", statusFilter.value);
      if (warningsOnly.checked) query.set("warnings", "1");
      if (lowOnly.checked) query.set("low", "1");
      if (find.value) query.set("find", find.value);
      var search = query.toString();
      history.replaceState(history.state, "", location.pathname + (search ? "?" + search : ""));
    }
    function readView() {
      var query = new URLSearchParams(location.search);
      if (query.get("order") === "confidence") order.value = "confidence";
      attention.checked = query.get("attention") === "1";
      var below = parseFloat(query.get("below"));
      if (!isNaN(below)) threshold.value = Math.min(100, Math.max(0, below));
      var status = query.get("status");
      if (status && statusFilter.querySelector('option[value="' + status.replace(/[^a-z]/g, "") + '"]')) statusFilter.value = status;
      warningsOnly.checked = query.get("warnings") === "1";
      lowOnly.checked = query.get("low") === "1";
      find.value = query.get("find") || "";
    }
    // Whether a row passes every filter chosen: attention, status, warnings, confidence, text.
    function passes(row) {
      if (attention.checked && !needsAttention(row)) return false;
      var status = statusFilter.value;
      if (status === "todo" ? row.dataset.status === "reviewed" : status && row.dataset.status !== status) return false;
      if (warningsOnly.checked && !(row.dataset.warnings > 0)) return false;
      var confidence = confidenceOf(row);
      if (lowOnly.checked && !(confidence !== null && confidence < lowBelow())) return false;
      var wanted = find.value.toLowerCase();
      if (wanted && (row.dataset.source + "\n" + area(row).value).toLowerCase().indexOf(wanted) < 0) return false;
      return true;
    }
    function showProgress() {
      var total = 0, done = 0, reviewed = 0;
      rows.forEach(function (row) {
        var n = parseInt(row.dataset.words, 10) || 0;
        total += n;
        if (row.dataset.status === "reviewed") { done += n; reviewed++; }
      });
      progress.textContent = reviewed + " / " + rows.length + " reviewed";
      words.textContent = done.toLocaleString() + " of " + total.toLocaleString() + " source words reviewed (" +
        (total ? Math.floor(100 * done / total) : 0) + "%)";
      progressBar.value = total ? done / total : 0;
    }

    function focusRow(row) {
      if (!row) return;
      var target = area(row);
      target.focus();
      target.setSelectionRange(target.value.length, target.value.length);
      row.scrollIntoView({block: "center"});
    }
    function step(row, by) {
      var visible = visibleRows();
      return visible[visible.indexOf(row) + by];
    }
    // The next unreviewed segment shown after `row`, from the top again past the last one;
    // null when every segment shown is reviewed.
    function nextUnreviewed(row) {
      var visible = visibleRows();
      var from = visible.indexOf(row);
      for (var i = 1; i <= visible.length; i++) {
        var other = visible[(from + i) % visible.length];
        if (other !== row && other.dataset.status !== "reviewed") return other;
      }
      return null;
    }
    // Save as reviewed and go on to the next unreviewed segment, saying where when it wraps.
    function reviewAndNext(row) {
      return save(row, true).then(function (ok) {
        if (!ok) return;
        var index = parseInt(row.dataset.index, 10);
        var next = nextUnreviewed(row);
        var visible = visibleRows();
        if (!next) {
          say("Segment " + (index + 1) + " saved as reviewed. Every segment shown is reviewed: export when ready.");
          area(row).focus();
        } else {
          if (visible.indexOf(next) < visible.indexOf(row)) {
            say("Segment " + (index + 1) + " saved as reviewed. That was the last segment shown: back to segment " +
                (parseInt(next.dataset.index, 10) + 1) + ", the first one not reviewed.");
          }
          focusRow(next);
        }
      });
    }

    // Saves of one row go out one after the other, so a draft saved on blur can
    // never land after the "reviewed" save that followed it.
    var pending = {};
    function save(row, reviewed, how) {
      var index = row.dataset.index;
      pending[index] = (pending[index] || Promise.resolve()).then(function () {
        return send(row, reviewed, how || "");
      });
      return pending[index];
    }
    // how: "" (a save), "unreview" (the same text, not reviewed any more), "restore" (the
    // machine's translation back)
    function send(row, reviewed, how) {
      var index = parseInt(row.dataset.index, 10);
      var value = area(row).value;
      if (!reviewed && !how && value === state.get(row).saved) return Promise.resolve(true);
      // A change to a reviewed segment stays reviewed (the memory gets the new text):
      // only "un-review" takes the mark away, never a draft save.
      var stillReviewed = !reviewed && !how && row.dataset.status === "reviewed";
      reviewed = reviewed || stillReviewed;
      say("Saving segment " + (index + 1) + "…");
      return fetch(saveUrl + index, how === "restore" ? {
        method: "DELETE", headers: {"Accept": "application/json"}, credentials: "same-origin"
      } : {
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
        if (how === "restore") {
          value = body.segment.target;
          area(row).value = value;
        }
        takeSaved(row, value, body.segment);
        row.classList.toggle("dirty", area(row).value !== value);
        row.querySelector(".status").textContent = status;
        showQuality(row);
        showWarnings(row, body.segment.warnings);
        matchCache.clear();
        // The repeats this save reached, as the server now has them (a copy of the review
        // follows its segment: un-reviewed, restored or edited with it).
        (body.repeats || []).forEach(function (entry) {
          var repeat = document.getElementById("s" + entry.index);
          if (!repeat) return;
          var repeatStatus = entry.reviewed ? "reviewed" : entry.segment.origin;
          area(repeat).value = entry.segment.target;
          repeat.classList.remove("dirty");
          repeat.dataset.status = repeatStatus;
          repeat.querySelector(".status").textContent = repeatStatus;
          takeSaved(repeat, entry.segment.target, entry.segment);
          showWarnings(repeat, entry.segment.warnings);
          checkTerms(repeat);
          showQuality(repeat);
        });
        count();
        showProgress();
        var also = (body.propagated || []).map(function (n) { return n + 1; });
        say("Segment " + (index + 1) + (how === "restore" ? ": the machine translation is back" :
            how === "unreview" ? " is no longer reviewed" : stillReviewed ? " saved; it stays reviewed" :
            body.reviewed ? " saved as reviewed" : " saved as draft") +
            (also.length ? "; also given to its repeats: segment" + (also.length > 1 ? "s " : " ") + also.join(", ") : ""));
        return true;
      }).catch(function (error) {
        say("Could not save segment " + (index + 1) + ": " + error.message, true);
        return false;
      });
    }

    function showWarnings(row, warnings) {
      var list = row.querySelector("ul.warnings");
      list.textContent = "";
      warnings.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
      row.dataset.warnings = warnings.length;
    }
    // -- translation memory matches of the segment being edited ------------------------------
    var matchCache = new Map();  // row -> Promise of the matches answer
    function loadMatches(row) {
      if (!matchCache.has(row)) {
        matchCache.set(row, fetch(saveUrl + row.dataset.index + "/matches", {
          headers: {"Accept": "application/json"}, credentials: "same-origin"
        }).then(function (response) {
          return response.ok ? response.json() : {matches: []};
        }).catch(function () { return {matches: []}; }));
      }
      return matchCache.get(row);
    }
    function provenance(match) {
      var parts = [];
      parts.push(match.document_title ? "from “" + match.document_title + "”"
                 : match.document_id ? "from another desk's document" : "imported");
      if (match.created_by) parts.push(match.created_by);
      parts.push(match.updated_at.replace("T", " ").replace("Z", " UTC"));
      if (match.desk === "*") parts.push("newsroom memory");
      return parts.join(" · ");
    }
    function useMatch(row, match) {
      var target = area(row);
      target.value = match.target;
      target.dispatchEvent(new Event("input"));
      target.focus();
      say("Segment " + (parseInt(row.dataset.index, 10) + 1) + ": memory match (" + match.similarity + "%) inserted");
    }
    function showMatches(row) {
      var panel = row.querySelector("section.matches");
      loadMatches(row).then(function (body) {
        panel.textContent = "";
        row.memoryMatches = body.matches || [];
        if (!row.memoryMatches.length) { panel.hidden = true; return; }
        var title = document.createElement("h3");
        title.textContent = "Memory";
        panel.appendChild(title);
        var list = document.createElement("ol");
        row.memoryMatches.forEach(function (match, n) {
          var li = document.createElement("li");
          li.className = "match";
          var score = document.createElement("span");
          score.className = "similarity" + (match.similarity === 100 ? " exact" : "");
          score.textContent = match.similarity + "%";
          li.appendChild(score);
          var source = document.createElement("span");
          source.className = "match-source";
          match.diff.forEach(function (piece) {
            var node = piece[0] === "equal" ? document.createElement("span")
              : document.createElement(piece[0] === "insert" ? "ins" : "del");
            if (piece[0] === "insert") node.title = "only in the memory's sentence";
            if (piece[0] === "delete") node.title = "only in this segment";
            node.textContent = piece[1];
            source.appendChild(node);
          });
          li.appendChild(source);
          var target = document.createElement("span");
          target.className = "match-target";
          target.textContent = match.target;
          li.appendChild(target);
          var from = document.createElement("span");
          from.className = "provenance";
          from.textContent = provenance(match);
          li.appendChild(from);
          var use = document.createElement("button");
          use.type = "button";
          use.className = "use";
          use.textContent = n === 0 ? "Use (Ctrl+I)" : "Use";
          use.setAttribute("aria-label", "Use the " + match.similarity + "% match in segment " + (parseInt(row.dataset.index, 10) + 1));
          use.addEventListener("click", function () { useMatch(row, match); });
          li.appendChild(use);
          list.appendChild(li);
        });
        panel.appendChild(list);
        panel.hidden = false;
      });
    }

    function saveDirty() {
      return Promise.all(Array.prototype.map.call(table.querySelectorAll("tr.dirty"), function (row) {
        return save(row, false);
      })).then(function (oks) { return oks.every(Boolean); });
    }

    rows.forEach(function (row) {
      var target = area(row);
      readLeftovers(row);
      drawLeftovers(row);
      checkTerms(row);
      target.addEventListener("focus", function () {
        rows.forEach(function (r) { r.classList.remove("current"); });
        row.classList.add("current");
        showMatches(row);
      });
      target.addEventListener("input", function () {
        row.classList.toggle("dirty", target.value !== state.get(row).saved);
        followTyping(row);
        showQuality(row);
        checkTerms(row);
      });
      target.addEventListener("blur", function (event) {
        var toMark = event.relatedTarget && event.relatedTarget === row.querySelector("button.mark");
        if (!toMark && target.value !== state.get(row).saved) save(row, false);
      });
      target.addEventListener("keydown", function (event) {
        var mod = event.ctrlKey || event.metaKey;
        if (mod && event.key === "Enter") {
          event.preventDefault();
          reviewAndNext(row);
        } else if (mod && (event.key === "s" || event.key === "S")) {
          event.preventDefault();
          save(row, false);
        } else if (event.altKey && event.key === "ArrowDown") {
          event.preventDefault();
          focusRow(step(row, 1));
        } else if (event.altKey && event.key === "ArrowUp") {
          event.preventDefault();
          focusRow(step(row, -1));
        } else if (event.ctrlKey && event.altKey && (event.key === "m" || event.key === "M")) {
          event.preventDefault();
          save(row, false, "restore");
        } else if (event.ctrlKey && event.altKey && (event.key === "u" || event.key === "U")) {
          event.preventDefault();
          save(row, false, "unreview");
        } else if (mod && (event.key === "i" || event.key === "I")) {
          event.preventDefault();
          if (row.memoryMatches && row.memoryMatches.length) useMatch(row, row.memoryMatches[0]);
          else say("No memory match for segment " + (parseInt(row.dataset.index, 10) + 1));
        } else if (event.key === "Escape") {
          target.value = state.get(row).saved;
          row.classList.remove("dirty");
          followTyping(row);
          showQuality(row);
          checkTerms(row);
        }
      });
      row.querySelector("button.mark").addEventListener("click", function () {
        reviewAndNext(row);
      });
      row.querySelector("button.restore").addEventListener("click", function () { save(row, false, "restore"); });
      row.querySelector("button.unreview").addEventListener("click", function () { save(row, false, "unreview"); });
    });
    [order, attention, statusFilter, warningsOnly, lowOnly].forEach(function (control) {
      control.addEventListener("change", applyView);
    });
    threshold.addEventListener("input", applyView);
    find.addEventListener("input", applyView);
    document.getElementById("replace-all").addEventListener("click", function () {
      var wanted = find.value;
      if (!wanted) { say("Type what to find first.", true); return; }
      var pattern = new RegExp(wanted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
      var count = 0, changed = [];
      visibleRows().forEach(function (row) {
        var target = area(row);
        var found = target.value.match(pattern);
        if (!found) return;
        count += found.length;
        target.value = target.value.replace(pattern, function () { return replaceWith.value; });
        target.dispatchEvent(new Event("input"));
        changed.push(row);
      });
      Promise.all(changed.map(function (row) { return save(row, false); })).then(function () {
        say("Replaced " + count + " occurrence" + (count === 1 ? "" : "s") + " in " + changed.length +
            " segment" + (changed.length === 1 ? "" : "s") + " (saved; reviewed ones stay reviewed).");
        applyView();
      });
    });
    var concordance = document.getElementById("concordance");
    var concordanceResults = document.getElementById("concordance-results");
    concordance.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var phrase = concordance.value.trim();
      if (!phrase) return;
      fetch(docUrl + "/concordance?q=" + encodeURIComponent(phrase), {
        headers: {"Accept": "application/json"}, credentials: "same-origin"
      }).then(function (response) { return response.json(); }).then(function (body) {
        concordanceResults.textContent = "";
        var title = document.createElement("h2");
        var entries = body.entries || [];
        title.textContent = "Concordance: “" + phrase + "” in the memory (" + entries.length + ")";
        concordanceResults.appendChild(title);
        var list = document.createElement("ul");
        entries.forEach(function (entry) {
          var li = document.createElement("li");
          var side = {source: "in the source", target: "in the translation", both: "in both"}[entry.matched] || "";
          [["match-source", entry.source], ["match-target", entry.target],
           ["provenance", (side ? side + " · " : "") + provenance(entry)]].forEach(function (part) {
            var span = document.createElement("span");
            span.className = part[0];
            span.textContent = part[1];
            li.appendChild(span);
          });
          list.appendChild(li);
        });
        concordanceResults.appendChild(list);
        concordanceResults.hidden = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && (event.key === "F" || event.key === "f")) {
        event.preventDefault();
        find.focus();
      }
    });
    document.querySelectorAll("a.export").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!table.querySelector("tr.dirty")) return;
        event.preventDefault();
        saveDirty().then(function (ok) {
          if (ok) location.href = link.href;
          else say("Not exported: an edit could not be saved (see above).", true);
        });
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (table.querySelector("tr.dirty")) event.preventDefault();
    });
    document.getElementById("tools").hidden = false;
    document.getElementById("search").hidden = false;
    showProgress();
    readView();
    applyView();
    var visible = visibleRows();
    var first = visible.find(function (r) { return r.dataset.status !== "reviewed"; });
    if (visible.length) focusRow(first || visible[0]);
  }

  // The segments' sticky column titles sit right under the sticky header, whose height
  // depends on how its links wrap.
  function trackHeader() {
    var header = document.querySelector("header.top");
    if (!header) return;
    function measure() {
      document.documentElement.style.setProperty("--header-h", header.getBoundingClientRect().height + "px");
    }
    window.addEventListener("resize", measure);
    measure();
  }

  document.addEventListener("DOMContentLoaded", function () {
    trackHeader();
    setupSubmit();
    setupReview();
  });
})();
