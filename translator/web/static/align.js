/* The alignment page: the beads of an original and its translation, least certain first;
   merge, split, move a sentence, accept or leave out; the accepted pairs go to the desk's
   memory (POST /align/memory). Keyboard first: every action has a key on a focused pair. */
(function () {
  "use strict";
  const dataNode = document.getElementById("align-data");
  if (!dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const list = document.getElementById("beads");
  const status = document.getElementById("align-status");
  const order = document.getElementById("align-order");
  const addButton = document.getElementById("align-add");
  let nextId = 0;
  const text = (side, indices) => indices.map(i => data[side + "_sentences"][i]).join(" ");
  const defaultAccept = b => b.source.length > 0 && b.target.length > 0 && !b.low &&
    text("source", b.source).trim() !== text("target", b.target).trim();
  let beads = data.beads.map(b => ({id: nextId++, source: b.source.slice(), target: b.target.slice(),
                                    score: b.score, low: b.low, accepted: false}));
  beads.forEach(b => { b.accepted = defaultAccept(b); });

  function edited(b) {
    b.score = null; b.low = false;
    b.accepted = b.source.length > 0 && b.target.length > 0;
  }
  function say(message) { status.textContent = message; }
  function position(id) { return beads.findIndex(b => b.id === id); }

  function merge(k) {
    if (k + 1 >= beads.length) { say("This is the last pair: nothing to merge it with."); return false; }
    const b = beads[k], n = beads[k + 1];
    b.source = b.source.concat(n.source); b.target = b.target.concat(n.target);
    beads.splice(k + 1, 1); edited(b);
    say("Merged with the next pair."); return true;
  }
  function split(k) {
    const b = beads[k];
    const count = Math.max(b.source.length, b.target.length);
    if (count < 2) { say("This pair has one sentence a side: nothing to split."); return false; }
    const parts = [];
    for (let i = 0; i < count; i++) {
      const p = {id: nextId++, source: i < b.source.length ? [b.source[i]] : [],
                 target: i < b.target.length ? [b.target[i]] : [], accepted: false};
      if (i === 0) p.id = b.id;
      edited(p); parts.push(p);
    }
    beads.splice(k, 1, ...parts);
    say("Split into " + count + " pairs."); return true;
  }
  function dropEmpty() { beads = beads.filter(b => b.source.length || b.target.length); }
  function moveDown(k, side) {
    const b = beads[k];
    if (!b[side].length) { say("This pair has no sentence there to move."); return false; }
    if (k + 1 >= beads.length) beads.push({id: nextId++, source: [], target: [], accepted: false});
    const n = beads[k + 1];
    n[side].unshift(b[side].pop()); edited(b); edited(n); dropEmpty();
    say("Sentence moved to the next pair."); return true;
  }
  function moveUp(k, side) {
    const n = beads[k + 1];
    if (!n || !n[side].length) { say("The next pair has no sentence there to take."); return false; }
    const b = beads[k];
    b[side].push(n[side].shift()); edited(b); edited(n); dropEmpty();
    say("Sentence taken from the next pair."); return true;
  }

  function shown() {
    const rows = beads.map((b, k) => ({b, k}));
    if (order.value === "score") {
      // a sentence without a counterpart first, then the lowest scores; edited pairs last
      const rank = b => (b.source.length && b.target.length ? 1 : 0) + (b.score === null ? 2 : b.score);
      rows.sort((x, y) => rank(x.b) - rank(y.b) || x.k - y.k);
    }
    return rows;
  }
  function sentences(side, b, label) {
    const wrap = document.createElement("div");
    wrap.className = "side " + side;
    const h = document.createElement("span");
    h.className = "visually-hidden"; h.textContent = label + ": ";
    wrap.appendChild(h);
    if (!b[side].length) {
      const none = document.createElement("em");
      none.className = "muted"; none.textContent = "(nothing)"; wrap.appendChild(none);
    }
    b[side].forEach(i => {
      const s = document.createElement("span");
      s.className = "sentence"; s.textContent = data[side + "_sentences"][i] + " ";
      wrap.appendChild(s);
    });
    return wrap;
  }
  function button(label, action, title) {
    const el = document.createElement("button");
    el.type = "button"; el.className = "secondary"; el.textContent = label;
    el.dataset.action = action; el.title = title;
    return el;
  }
  function render(focusId) {
    list.textContent = "";
    for (const {b, k} of shown()) {
      const li = document.createElement("li");
      li.className = "bead" + (b.accepted ? " accepted" : "") + (b.low ? " low" : "");
      li.id = "bead-" + b.id; li.tabIndex = 0; li.dataset.id = b.id;
      const head = document.createElement("div");
      head.className = "bead-head";
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.checked = b.accepted; box.className = "accept";
      box.disabled = !(b.source.length && b.target.length);
      label.appendChild(box);
      label.appendChild(document.createTextNode(" Accept pair " + (k + 1)));
      const score = document.createElement("span");
      score.className = "score";
      score.textContent = b.score === null ? "edited" : Math.round(b.score * 100) + "%";
      head.append(label, score);
      const tools = document.createElement("div");
      tools.className = "bead-tools";
      tools.append(button("Merge with next", "merge", "m"), button("Split", "split", "s"),
                   button("Translation: last sentence down", "down-target", "]"),
                   button("Translation: take next sentence", "up-target", "["),
                   button("Original: last sentence down", "down-source", "Shift+]"),
                   button("Original: take next sentence", "up-source", "Shift+["));
      li.append(head, sentences("source", b, "Original"), sentences("target", b, "Translation"), tools);
      li.setAttribute("aria-label", "Pair " + (k + 1) + ", " + score.textContent +
                      (b.accepted ? ", accepted" : ", left out"));
      list.appendChild(li);
    }
    const accepted = beads.filter(b => b.accepted).length;
    document.getElementById("align-counts").textContent =
      beads.length + " pairs, " + accepted + " accepted";
    if (focusId !== undefined) {
      const el = document.getElementById("bead-" + focusId);
      if (el) el.focus();
    }
  }

  function act(id, action) {
    const k = position(id);
    if (k < 0) return;
    const done = {merge: () => merge(k), split: () => split(k),
                  "down-target": () => moveDown(k, "target"), "up-target": () => moveUp(k, "target"),
                  "down-source": () => moveDown(k, "source"), "up-source": () => moveUp(k, "source"),
                  accept: () => { const b = beads[k];
                    if (!(b.source.length && b.target.length)) { say("A pair needs both sides to be accepted."); return false; }
                    b.accepted = !b.accepted; say(b.accepted ? "Accepted." : "Left out."); return true; }}[action]();
    if (done) render(position(id) >= 0 ? id : (beads[Math.min(k, beads.length - 1)] || {}).id);
  }

  async function addToMemory() {
    const pairs = beads.filter(b => b.accepted && b.source.length && b.target.length)
      .map(b => [text("source", b.source), text("target", b.target)]);
    if (!pairs.length) { say("No pair is accepted: nothing to add."); return; }
    addButton.disabled = true;
    try {
      const response = await fetch(addButton.dataset.url, {method: "POST",
        headers: {"Content-Type": "application/json"}, credentials: "same-origin",
        body: JSON.stringify({source_lang: data.source_lang, target_lang: data.target_lang,
                              source_name: data.source_name, target_name: data.target_name, pairs})});
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        say("Nothing was added: " + ((body.error && body.error.message) || body.message || response.status));
      } else {
        say("Added " + body.stored + " pairs to the memory of " + body.desk + ".");
      }
    } catch (e) {
      say("Nothing was added: the service did not answer.");
    } finally {
      addButton.disabled = false;
    }
  }

  list.addEventListener("click", ev => {
    const el = ev.target.closest("button[data-action]");
    if (el) act(+el.closest("li.bead").dataset.id, el.dataset.action);
  });
  list.addEventListener("change", ev => {
    if (ev.target.classList.contains("accept")) act(+ev.target.closest("li.bead").dataset.id, "accept");
  });
  list.addEventListener("keydown", ev => {
    const li = ev.target.closest("li.bead");
    if (!li || ev.altKey || ev.metaKey) return;
    if (ev.ctrlKey) {
      if (ev.key === "Enter") { ev.preventDefault(); addToMemory(); }
      return;
    }
    if (ev.target !== li) return;  // the keys of a button or a checkbox stay theirs
    const id = +li.dataset.id;
    const keys = {" ": "accept", m: "merge", s: "split", "]": "down-target", "[": "up-target",
                  "}": "down-source", "{": "up-source"};
    if (ev.key === "ArrowDown" || ev.key === "j" || ev.key === "ArrowUp" || ev.key === "k") {
      ev.preventDefault();
      const sibling = (ev.key === "ArrowDown" || ev.key === "j") ? li.nextElementSibling : li.previousElementSibling;
      if (sibling) sibling.focus();
    } else if (keys[ev.key]) {
      ev.preventDefault(); act(id, keys[ev.key]);
    }
  });
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey && ev.key === "Enter" && !list.contains(ev.target)) { ev.preventDefault(); addToMemory(); }
  });
  order.addEventListener("change", () => render());
  addButton.addEventListener("click", addToMemory);
  render();
  const first = list.querySelector("li.bead");
  if (first) first.focus();
})();
