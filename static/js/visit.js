/* The visit form, made better: one section at a time, progress and running score, conditional
   items, every change saved on the phone at once and on the server shortly after, photos
   scaled down and uploaded through the outbox, and submission that waits for the network. */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form || !window.InspectOutbox) return;
  var outbox = window.InspectOutbox;
  var msg = JSON.parse(document.getElementById("visit-messages").textContent);
  var uuid = form.dataset.uuid, offlineStart = form.dataset.offlineStart ? JSON.parse(form.dataset.offlineStart) : null;
  if (offlineStart) {
    /* The empty form kept for use without signal: this visit's UUID comes with the address. */
    var params = new URLSearchParams(location.search);
    uuid = params.get("uuid") || outbox.uuid4();
    if (!params.get("uuid")) history.replaceState(null, "", location.pathname + "?uuid=" + uuid);
    ["draftUrl", "submitUrl", "photoUrl"].forEach(function (k) { form.dataset[k] = form.dataset[k].replace(form.dataset.uuidPlaceholder, uuid); });
    /* getAttribute: form.action would be the submit buttons named "action". */
    form.setAttribute("action", form.getAttribute("action").replace(form.dataset.uuidPlaceholder, uuid));
    form.dataset.uuid = uuid;
    outbox.all().then(function (records) {
      var queued = records.some(function (r) { return r.kind === "start" && r.visit === uuid; });
      if (!queued) outbox.add({ kind: "start", visit: uuid, url: form.dataset.startUrl, payload: { uuid: uuid, assignment_id: offlineStart.assignment_id } });
    });
  }
  /* The phone's copy belongs to the signed-in user: another user on this phone never sees it. */
  var key = "visit:" + outbox.user() + ":" + uuid;
  var serverRevision = parseInt(form.dataset.revision, 10) || 0;
  var vetoMax = parseFloat(form.dataset.vetoMax);
  var items = Array.prototype.slice.call(form.querySelectorAll(".item[data-item]"));
  var byId = {};
  items.forEach(function (el) { byId[el.dataset.item] = el; });
  var sections = Array.prototype.slice.call(form.querySelectorAll(".checklist-section"));
  var saveState = document.getElementById("save-state");
  var saveTimer = null, submitting = false, photoJobs = [];
  var UNIDENTIFIED = form.dataset.unidentified || "?";
  var rosterData = document.getElementById("visit-roster");
  var roster = rosterData ? JSON.parse(rosterData.textContent || "{}") : {};
  var servedBox = document.getElementById("item-visit.served_by");
  var slots = servedBox ? Array.prototype.slice.call(servedBox.querySelectorAll("select[data-served-slot]")) : [];

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function setSaveState(text, kind) { saveState.textContent = text; saveState.dataset.kind = kind || ""; }

  /* ---- reading and writing the form's state ---- */
  /* The answer's field name comes with the item (checklists/field_names.py). Only a page kept
     for use without signal from before it did falls back to that page's own spelling. */
  function answerField(el) { return el.dataset.answerField || "a__" + el.dataset.item.replace(/\./g, "__"); }
  function valueOf(el) {
    var name = answerField(el);
    var checked = form.querySelector('input[name="' + name + '"]:checked:not(.na-toggle)');
    if (checked) return checked.value;
    var na = el.querySelector(".na-toggle");
    if (na && na.checked) return "na";
    var input = form.querySelector('input[type="text"][name="' + name + '"], textarea[name="' + name + '"]');
    if (!input || input.value.trim() === "") return null;
    /* A text answer is sent as typed (a leading tab or line break kept); a number trimmed. */
    return input.tagName === "TEXTAREA" ? input.value : input.value.trim();
  }
  /* ---- who served, and whom each item about a person is attributed to ---- */
  function servedList() {
    var out = [];
    slots.forEach(function (s) { if (s.value && out.indexOf(s.value) < 0) out.push(s.value); });
    return out;
  }
  function personLabel(no) { var p = roster[no]; return (p && p.name ? p.name + " " : "") + no; }
  /* The item's choice: "" (who served), a 工号 named for this item, or UNIDENTIFIED. */
  function choiceOf(el) { var sel = el.querySelector(".attr-select"); return sel ? sel.value : null; }
  function attributionOf(el, served) {
    var c = choiceOf(el);
    if (c === null) return null;
    if (c === UNIDENTIFIED) return { kind: "unidentified" };
    if (c) return { kind: "named", no: c };
    return served.length ? { kind: "served", no: served[0] } : { kind: "none" };
  }
  function descriptionOf(el) { var d = el.querySelector(".attr-desc textarea"); return d && d.value.trim() ? d.value : null; }

  function collect() {
    var state = { visit: {}, answers: {} };
    form.querySelectorAll("[data-visit]").forEach(function (input) { state.visit[input.dataset.visit] = input.value || null; });
    if (slots.length) state.visit.served_by = servedList();
    items.forEach(function (el) {
      var id = el.dataset.item, comment = el.querySelector("details.comment textarea"), choice = choiceOf(el);
      var entry = { value: valueOf(el), comment: comment && comment.value.trim() ? comment.value : null };
      if (choice !== null) {
        entry.employee_no = choice && choice !== UNIDENTIFIED ? choice : null;
        entry.unidentified = choice === UNIDENTIFIED;
        entry.person_description = descriptionOf(el);
      }
      if (entry.value !== null || entry.comment || entry.employee_no || entry.unidentified || entry.person_description) state.answers[id] = entry;
    });
    return state;
  }
  function apply(state) {
    Object.keys(state.visit || {}).forEach(function (k) {
      var input = form.querySelector('[data-visit="' + k + '"]');
      if (input) input.value = state.visit[k] || "";
    });
    items.forEach(function (el) {
      var a = (state.answers || {})[el.dataset.item] || {}, name = answerField(el);
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        if (input.type === "radio") input.checked = a.value !== null && a.value !== undefined && String(a.value) === input.value;
        else if (input.type === "checkbox") input.checked = a.value === "na";
        else input.value = a.value !== null && a.value !== undefined && a.value !== "na" ? a.value : "";
      });
      var area = form.querySelector('textarea[name="' + name + '"]');
      if (area) area.value = a.value || "";
      var comment = el.querySelector("details.comment textarea");
      if (comment) { comment.value = a.comment || ""; if (a.comment) comment.closest("details").open = true; }
      var sel = el.querySelector(".attr-select");
      if (sel) sel.value = a.unidentified ? UNIDENTIFIED : (a.employee_no || "");
      if (sel && sel.selectedIndex < 0) sel.value = "";  /* a 工号 the page does not list */
      var desc = el.querySelector(".attr-desc textarea");
      if (desc) desc.value = a.person_description || "";
    });
    /* A copy saved before the served staff were asked for keeps what the page shows. */
    if (state.visit && Object.prototype.hasOwnProperty.call(state.visit, "served_by")) setServed(state.visit.served_by || []);
  }

  /* ---- saving: phone at once, server debounced ---- */
  function local() { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function saveLocal(dirty) {
    var entry = { state: collect(), base: serverRevision, dirty: dirty, at: Date.now() };
    try { localStorage.setItem(key, JSON.stringify(entry)); } catch (e) { /* storage full: the server copy still follows */ }
  }
  function changed() {
    saveLocal(true);
    setSaveState(msg.saved_phone, "phone");
    refresh();
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveServer, 1200);
  }
  /* One request now, not queued: the outbox's own sending (attempt id, stale-token renewal). */
  function post(url, body) {
    return outbox.sendNow(url, body).then(function (r) { var j = r.json; j._status = r.status; return j; });
  }
  function retrySave(text) { setSaveState(text, "phone"); clearTimeout(saveTimer); saveTimer = setTimeout(saveServer, 10000); }
  /* The server would not store this change (e.g. an invisible character pasted into a comment):
     say so beside the item, in words; the phone keeps the copy. */
  function draftRefused(res) {
    var m = /^answers\.(.+)\.(value|comment|employee_no|person_description)$/.exec(res.field || ""), errors = {};
    var field = (res.field || "").replace(/\[\d+\]$/, "");  /* visit.served_by[0] */
    if (m && byId[m[1]]) errors[m[1]] = [msg.bad_text];
    else if (/^visit\./.test(field) && document.getElementById("item-" + field)) errors[field] = [msg.bad_text];
    var first = showErrors(errors, true);
    setSaveState(first ? msg.draft_refused : fmt(msg.draft_refused_why, { why: res.message || "" }), "error");
  }
  var signedOut = false;
  function saveServer() {
    signedOut = false;
    if (submitting) return Promise.resolve();
    var state = collect();
    setSaveState(msg.saving, "saving");
    return post(form.dataset.draftUrl, state).then(function (res) {
      if (res._status === 200 || res._status === 422) {
        serverRevision = res.revision;
        var entry = local();
        /* Only mark clean if nothing changed while the request was out. */
        if (entry && JSON.stringify(entry.state) === JSON.stringify(state)) { entry.dirty = false; entry.base = serverRevision; localStorage.setItem(key, JSON.stringify(entry)); }
        setSaveState(msg.saved_server, "server");
        showErrors(res.errors || {}, true);
      } else if (res._status === 401) { signedOut = true; setSaveState(msg.signin, "error"); }
      else if (res._status === 409 && res.code !== "in_progress") { setSaveState(res.message || msg.conflict, "error"); }
      else if (res._status === 404 && offlineStart) { retrySave(msg.offline); /* the visit's start is still on its way */ }
      else if (res._status >= 500) { retrySave(msg.server_busy); }
      else if (res._status === 400 || res._status === 413) { draftRefused(res); }
      else { retrySave(msg.offline); }
    }, function () { retrySave(msg.offline); });
  }

  /* ---- errors beside their items ---- */
  function showErrors(errors, soft) {
    form.querySelectorAll(".js-error").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".has-error").forEach(function (el) { if (!soft || el.dataset.soft) el.classList.remove("has-error"); });
    var first = null;
    Object.keys(errors).forEach(function (id) {
      var el = document.getElementById("item-" + id);
      if (!el) return;
      el.classList.add("has-error");
      if (soft) el.dataset.soft = "1";
      errors[id].forEach(function (text) {
        var p = document.createElement("p"); p.className = "field-error js-error"; p.setAttribute("role", "alert"); p.textContent = text; el.appendChild(p);
      });
      first = first || el;
    });
    return first;
  }

  /* ---- conditions, progress, running score ---- */
  function visible(el, seen) {
    var cond = el.dataset.showIf;
    if (!cond) return true;
    cond = JSON.parse(cond);
    var target = byId[cond.item];
    if (!target || (seen || 0) > 20 || !visible(target, (seen || 0) + 1)) return false;
    var v = valueOf(target);
    return v !== null && cond.values.map(String).indexOf(String(v)) >= 0;
  }
  /* Scores come from the server's own scoring, rendered into each item as data (form_rules.py). */
  function rules(el) { if (!el._rules) el._rules = JSON.parse(el.dataset.rules || "{}"); return el._rules; }
  function itemScore(el, v) {
    var r = rules(el);
    if (v === null || v === "na") return null;
    var outcome = (r.outcomes || {})[String(v)];
    if (!outcome && r.bands && r.bands.length) {
      var n = Number(v); if (isNaN(n)) return null;
      for (var i = 0; i < r.bands.length && !outcome; i++) { if (n <= r.bands[i][0]) outcome = r.bands[i].slice(1); }
      if (!outcome) outcome = [0, r.possible, r.possible > 0];
    }
    if (!outcome) return null;
    return { earned: outcome[0], possible: outcome[1], failed: outcome[2] };
  }
  /* What the server will ask for before it takes the submission: {field id: [messages]}. */
  function missing(state) {
    var needs = {};
    function need(id, text) { (needs[id] = needs[id] || []).push(text); }
    ["arrived_at", "left_at"].forEach(function (k) { if (!state.visit[k]) need("visit." + k, msg.time); });
    items.forEach(function (el) {
      if (!visible(el)) return;
      var r = rules(el), v = valueOf(el), s = itemScore(el, v), a = state.answers[el.dataset.item] || {};
      if (v === null && r.required) need(el.dataset.item, msg.answer);
      var photos = el.querySelectorAll(".photos figure.thumb:not(.failed)").length;
      if ((r.photo === "always" || (r.photo === "on_fail" && s && s.failed)) && !photos) need(el.dataset.item, msg.photo);
      /* Every answered item about a person is attributed: who served, someone named, or
         "not identified" with a description. Failure asks nothing more. */
      var att = r.staff && s ? attributionOf(el, state.visit.served_by || []) : null;
      if (att && att.kind === "none") need(el.dataset.item, msg.attribute);
      if (att && att.kind === "unidentified" && !a.person_description) need(el.dataset.item, msg.describe);
    });
    return needs;
  }
  function showAttribution(el, att, personItem) {
    var box = el.querySelector(".attribution");
    if (!box || !att) return;
    box.dataset.attribution = att.kind;
    box.querySelector(".attr-who").textContent = att.kind === "unidentified" ? msg.not_identified : (att.kind === "none" ? msg.nobody : personLabel(att.no));
    box.querySelector(".attr-note").hidden = att.kind !== "served";
    box.querySelector(".attr-desc").hidden = att.kind !== "unidentified";
    box.classList.toggle("needs-person", personItem && att.kind === "none");
  }
  function summaryList(container, list) {
    var ul = container.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (el) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#item-" + el.dataset.item; a.dataset.gotoItem = el.dataset.item;
      a.textContent = el.querySelector(".item-text").textContent;
      li.appendChild(a); ul.appendChild(li);
    });
    container.hidden = !list.length;
  }
  function refresh() {
    var required = 0, answered = 0, totalWeight = 0, weighted = 0, veto = false;
    var served = servedList(), failedItems = [], unattributed = [];
    sections.forEach(function (section) {
      var e = 0, p = 0;
      section.querySelectorAll(".item[data-item]").forEach(function (el) {
        var show = visible(el);
        el.hidden = !show;
        var v = show ? valueOf(el) : null, s = show ? itemScore(el, v) : null;
        var att = attributionOf(el, served), personItem = !!(s && rules(el).staff);
        showAttribution(el, att, personItem);
        var badge = el.querySelector(".outcome-failed");
        if (badge) badge.hidden = !(s && s.failed);
        if (!show) return;
        if (el.dataset.required === "true") { required++; if (v !== null) answered++; }
        el.classList.toggle("is-failed", !!(s && s.failed));
        if (s && s.failed) failedItems.push(el);
        if (personItem && att && att.kind === "none") unattributed.push(el);
        if (!s) return;
        e += s.earned; p += s.possible;
        if (s.failed && el.dataset.veto === "true") veto = true;
      });
      var w = parseFloat(section.dataset.weight);
      if (p > 0 && w) { totalWeight += w; weighted += w * (100 * e / p); }
    });
    document.getElementById("progress-fill").style.width = (required ? 100 * answered / required : 0) + "%";
    document.getElementById("progress-text").textContent = fmt(msg.answered, { a: answered, b: required });
    var score = totalWeight ? weighted / totalWeight : null;
    if (score !== null && veto) score = Math.min(score, vetoMax);
    document.getElementById("running-score").textContent = score === null ? "" : fmt(msg.score, { s: score.toFixed(1) }) + (veto ? " · " + msg.veto : "");
    var summary = document.getElementById("submit-summary");
    if (summary) {
      summaryList(summary.querySelector(".summary-failed"), failedItems);
      summaryList(summary.querySelector(".summary-unattributed"), unattributed);
      summary.hidden = !(failedItems.length || unattributed.length);
    }
  }

  /* ---- the served-staff picker: a searchable list over the hall's roster ---- */
  function setServed(list) {
    slots.forEach(function (s, i) { s.value = list[i] || ""; if (s.selectedIndex < 0) s.value = ""; });
    renderServed();
  }
  function renderServed() {
    if (!servedBox) return;
    var picker = servedBox.querySelector(".served-picker"), list = servedList();
    var chosen = picker.querySelector(".served-chosen");
    chosen.textContent = "";
    list.forEach(function (no, i) {
      var li = document.createElement("li"), label = document.createElement("span"), remove = document.createElement("button");
      label.textContent = personLabel(no);
      li.appendChild(label);
      if (i === 0) { var tag = document.createElement("span"); tag.className = "tag"; tag.textContent = msg.first; li.appendChild(tag); }
      remove.type = "button"; remove.className = "served-remove"; remove.dataset.no = no; remove.textContent = "×";
      remove.setAttribute("aria-label", fmt(msg.remove_person, { name: personLabel(no) }));
      li.appendChild(remove);
      chosen.appendChild(li);
    });
    chosen.hidden = !list.length;
    picker.querySelectorAll(".served-option").forEach(function (b) { b.setAttribute("aria-pressed", list.indexOf(b.dataset.no) >= 0 ? "true" : "false"); });
  }
  /* A 工号 the roster search cannot find: the server says why (another hall's, left, on no
     roster), in the words a submission naming it would be refused with. Offline it stays unsaid. */
  var whyTimer = null, whyAsked = "";
  function explainMissing(text) {
    var picker = servedBox.querySelector(".served-picker"), why = picker.querySelector(".served-why");
    clearTimeout(whyTimer);
    if (text !== whyAsked) why.textContent = "";
    whyAsked = text;
    if (!/^(?=.*\d)[0-9A-Za-z-]{3,32}$/.test(text)) return;
    whyTimer = setTimeout(function () {
      var url = picker.dataset.checkUrl + "&no=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && data.message && whyAsked === text) why.textContent = data.message; })
        .catch(function () { /* no signal or signed out: the general advice stands */ });
    }, 300);
  }
  if (servedBox) {
    var picker = servedBox.querySelector(".served-picker"), search = picker.querySelector(".served-search");
    servedBox.querySelector(".served-slots").hidden = true;
    picker.hidden = false;
    picker.addEventListener("click", function (e) {
      var option = e.target.closest(".served-option"), remove = e.target.closest(".served-remove"), list = servedList();
      if (remove) list.splice(list.indexOf(remove.dataset.no), 1);
      else if (option && list.indexOf(option.dataset.no) >= 0) list.splice(list.indexOf(option.dataset.no), 1);
      else if (option && list.length < slots.length) list.push(option.dataset.no);
      else return;
      setServed(list);
      changed();
    });
    search.addEventListener("input", function (e) {
      e.stopPropagation();  /* filtering is not a change to the visit */
      var q = search.value.trim().toLowerCase(), shown = 0;
      picker.querySelectorAll(".served-option").forEach(function (b) {
        var hit = !q || b.dataset.search.indexOf(q) >= 0;
        b.parentNode.hidden = !hit; if (hit) shown++;
      });
      picker.querySelector(".served-none").hidden = shown > 0 || !q;
      picker.querySelector(".served-options").hidden = !shown && !!q;
      explainMissing(shown ? "" : search.value.trim());
    });
    search.addEventListener("change", function (e) { e.stopPropagation(); });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    renderServed();
  }
  /* Each item's "change" control: the choice stays folded away while it is the default. */
  items.forEach(function (el) {
    var box = el.querySelector(".attribution");
    if (!box) return;
    var button = box.querySelector(".attr-change"), edit = box.querySelector(".attr-edit");
    var open = choiceOf(el) !== "" || el.classList.contains("has-error");
    edit.hidden = !open; button.hidden = false; button.setAttribute("aria-expanded", open ? "true" : "false");
    button.addEventListener("click", function () {
      edit.hidden = !edit.hidden; button.setAttribute("aria-expanded", edit.hidden ? "false" : "true");
      if (!edit.hidden) edit.querySelector("select").focus();
    });
  });
  form.addEventListener("click", function (e) {
    var link = e.target.closest("[data-goto-item]");
    if (!link) return;
    var el = byId[link.dataset.gotoItem];
    if (!el) return;
    e.preventDefault();
    show(el.closest(".checklist-section").dataset.section);
    el.scrollIntoView({ block: "center" });
  });

  /* ---- one section at a time ---- */
  var tabs = document.getElementById("section-tabs");
  function show(id) {
    sections.forEach(function (s) { s.hidden = s.dataset.section !== id; });
    tabs.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-current", b.dataset.goto === id ? "step" : "false"); });
    try { sessionStorage.setItem(key + ":section", id); } catch (e) { /* private mode */ }
  }
  tabs.hidden = false;
  tabs.addEventListener("click", function (e) { var b = e.target.closest("button[data-goto]"); if (b) { show(b.dataset.goto); window.scrollTo(0, 0); } });
  sections.forEach(function (section, i) {
    var nav = section.querySelector(".section-nav");
    if (!nav) return;
    nav.hidden = false;
    var prev = nav.querySelector(".prev"), next = nav.querySelector(".next");
    if (prev) prev.addEventListener("click", function () { show(sections[i - 1].dataset.section); window.scrollTo(0, 0); });
    if (next) { if (i === sections.length - 1) next.hidden = true; else next.addEventListener("click", function () { show(sections[i + 1].dataset.section); window.scrollTo(0, 0); }); }
  });

  /* ---- photos: scale down on the phone, queue in the outbox ---- */
  function exifDate(buffer) {
    /* DateTimeOriginal from a JPEG's EXIF block, read before the canvas drops it. */
    try {
      var v = new DataView(buffer), off = 2;
      if (v.getUint16(0) !== 0xffd8) return null;
      while (off + 4 < v.byteLength) {
        var marker = v.getUint16(off), size = v.getUint16(off + 2);
        if (marker === 0xffe1 && v.getUint32(off + 4) === 0x45786966) {
          var t = off + 10, le = v.getUint16(t) === 0x4949;
          var u16 = function (o) { return v.getUint16(t + o, le); }, u32 = function (o) { return v.getUint32(t + o, le); };
          var findTag = function (ifd, tag) { var n = u16(ifd); for (var i = 0; i < n; i++) { var e = ifd + 2 + i * 12; if (u16(e) === tag) return e; } return null; };
          var exifPtr = findTag(u32(4), 0x8769); if (exifPtr === null) return null;
          var entry = findTag(u32(exifPtr + 8), 0x9003); if (entry === null) return null;
          var start = t + u32(entry + 8), s = "";
          for (var i = 0; i < 19; i++) s += String.fromCharCode(v.getUint8(start + i));
          return s;
        }
        off += 2 + size;
      }
    } catch (e) { /* not a JPEG we can read: the server looks itself */ }
    return null;
  }
  /* Scaled down on the phone like appeal photos: one function for both (photo-scale.js). */
  var downscale = window.InspectPhotoScale ? window.InspectPhotoScale.downscale : function (file) { return Promise.resolve(file); };
  function addThumb(container, photoUuid, src, pending) {
    var fig = document.createElement("figure");
    fig.className = "thumb" + (pending ? " pending" : "");
    fig.dataset.photoUuid = photoUuid;
    var img = document.createElement("img"); img.src = src; img.width = 80; img.height = 80; img.alt = "";
    fig.appendChild(img);
    container.insertBefore(fig, container.querySelector(".photo-add"));
    return fig;
  }
  form.addEventListener("change", function (e) {
    var input = e.target;
    if (input.type !== "file") return;
    var container = input.closest(".photos"), itemId = container.dataset.photosFor;
    var files = Array.prototype.slice.call(input.files);
    input.value = "";  /* the outbox owns them now; the no-JS post must not send them again */
    files.forEach(function (file) {
      var photoUuid = outbox.uuid4();
      var fig = addThumb(container, photoUuid, URL.createObjectURL(file), true);
      /* Submit waits for every photo still being scaled down, so none arrives after it. */
      photoJobs.push(file.slice(0, 131072).arrayBuffer().then(function (head) {
        var capturedAt = exifDate(head);
        return downscale(file).then(function (blob) {
          return outbox.add({ kind: "photo", visit: uuid, url: form.dataset.photoUrl, uuid: photoUuid, item: itemId, blob: blob, name: "photo.jpg", capturedAt: capturedAt });
        });
      }).catch(function () { fig.classList.add("failed"); }));
    });
    changed();
  });
  document.addEventListener("outbox:photo-done", function (e) {
    var fig = form.querySelector('figure[data-photo-uuid="' + e.detail.record.uuid + '"]');
    if (fig) { fig.classList.remove("pending"); if (e.detail.response.thumbnail_url) fig.querySelector("img").src = e.detail.response.thumbnail_url; }
  });
  function markPhoto(r) {
    var fig = form.querySelector('figure[data-photo-uuid="' + r.uuid + '"]');
    if (!fig) return;
    var why = fmt(msg.photo_refused, { why: (r.last || {}).message || "" });
    fig.classList.remove("pending"); fig.classList.add("failed"); fig.title = why;
    var errors = {}; errors[r.item] = [why]; showErrors(errors, true);
  }
  function submitRefused(r, response) {
    submitting = false;
    document.getElementById("submit-visit").disabled = false;
    var first = showErrors((response || {}).errors || (r.last || {}).errors || {}, false);
    setSaveState(fmt(msg.refused, { why: (response || {}).message || (r.last || {}).message || "" }), "error");
    if (first) { var section = first.closest(".checklist-section"); show(section.dataset.section); first.scrollIntoView({ block: "center" }); }
  }
  document.addEventListener("outbox:rejected", function (e) {
    var r = e.detail.record;
    if (r.visit !== uuid) return;
    if (r.kind === "photo") markPhoto(r);
    else if (r.kind === "submit") submitRefused(r, e.detail.response);
  });
  document.addEventListener("outbox:waiting", function (e) {
    var r = e.detail.record;
    if (r.visit !== uuid || !submitting) return;
    setSaveState(e.detail.status ? fmt(msg.waiting, { why: (e.detail.response || {}).message || e.detail.status }) : msg.queued, "phone");
  });
  /* Started on another device meanwhile: continue in that visit (the outbox moved our copy). */
  document.addEventListener("outbox:started", function (e) {
    var res = e.detail.response || {};
    if (e.detail.record.visit !== uuid || !res.uuid || res.uuid === uuid) return;
    if (submitting) { uuid = res.uuid; key = "visit:" + outbox.user() + ":" + uuid; }  /* follow it until it is sent */
    else window.location.replace(res.url);
  });
  document.addEventListener("outbox:submitted", function (e) {
    if (e.detail.record.visit !== uuid) return;
    localStorage.removeItem(key);
    try { sessionStorage.setItem("inspect:flash", msg.sent); } catch (err) { /* ignore */ }
    window.location.assign((e.detail.response || {}).redirect || form.dataset.homeUrl);
  });
  document.addEventListener("outbox:signin", function () { setSaveState(msg.signin, "error"); });
  document.addEventListener("outbox:sending", function (e) { if (submitting && e.detail.record.visit === uuid) setSaveState(msg.sending, "saving"); });
  document.addEventListener("outbox:pending", function (e) { if (submitting && e.detail.count && !e.detail.signedOut) setSaveState(msg.queued, "phone"); });

  /* ---- submit: queue it, so a dropped network loses nothing ---- */
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var action = e.submitter ? e.submitter.value : "save";
    saveLocal(true);
    if (action !== "submit") { clearTimeout(saveTimer); saveServer(); return; }
    if (submitting) return;
    /* Check before queueing: an incomplete visit is shown what it lacks, not sent. */
    var state = collect(), needs = missing(state), count = Object.keys(needs).length;
    if (count) {
      var first = showErrors(needs, false);
      setSaveState(fmt(msg.missing, { n: count }), "error");
      if (first) { var section = first.closest(".checklist-section"); show(section.dataset.section); first.scrollIntoView({ block: "center" }); }
      return;
    }
    submitting = true;
    clearTimeout(saveTimer);
    document.getElementById("submit-visit").disabled = true;
    setSaveState(msg.sending, "saving");
    Promise.all(photoJobs).then(function () { return outbox.all(); }).then(function (records) {
      var pending = [];
      records.forEach(function (r) {
        if (r.kind !== "submit" || r.visit !== uuid) return;
        if (r.state === "refused") outbox.remove(r.id); else pending.push(r);
      });
      if (pending.length) return outbox.flush();
      return outbox.add({ kind: "submit", visit: uuid, url: form.dataset.submitUrl, payload: collect() });
    });
  });

  form.addEventListener("input", function (e) { if (e.target.type !== "file") changed(); });
  form.addEventListener("change", function (e) {
    if (e.target.classList.contains("na-toggle")) {
      var num = e.target.closest(".number-row").querySelector("input.number");
      if (e.target.checked) num.value = "";
    }
    if (e.target.type !== "file") changed();
  });

  /* Back online, or back to this tab after signing in elsewhere: save now, not in 10 seconds. */
  function resume() {
    var entry = local();
    if (submitting || !(signedOut || (entry && entry.dirty) || saveState.dataset.kind === "phone")) return;
    clearTimeout(saveTimer); saveTimer = setTimeout(saveServer, 200);
  }
  window.addEventListener("online", resume);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) resume(); });
  window.addEventListener("focus", resume);

  /* ---- restore: the phone's unsent changes win over the page the server rendered ---- */
  var saved = local();
  /* A page kept for use without signal may be older than what this phone last saved. */
  if (saved && !saved.dirty && saved.base > serverRevision) { apply(saved.state); setSaveState(msg.saved_server, "server"); }
  else if (saved && saved.dirty) { apply(saved.state); setSaveState(msg.saved_phone, "phone"); saveTimer = setTimeout(saveServer, 300); }
  else if (saved && saved.base < serverRevision) { localStorage.removeItem(key); setSaveState(msg.saved_server, "server"); }
  else { setSaveState(msg.saved_server, "server"); }
  /* An empty form opened for a visit the server does not know yet: nothing is on the server. */
  if (offlineStart && serverRevision === 0) setSaveState(msg.saved_phone, "phone");
  /* Photos sent since this page was made (it may be a copy kept for use without signal). */
  outbox.keepSent(uuid, outbox.sentPhotos(uuid).filter(function (p) {
    if (form.querySelector('figure[data-photo-uuid="' + p.uuid + '"]')) return false;
    var c = form.querySelector('.photos[data-photos-for="' + p.item + '"]');
    if (c) addThumb(c, p.uuid, p.thumb, false);
    return true;
  }));
  outbox.all().then(function (records) {
    records.forEach(function (r) {
      if (r.visit !== uuid) return;
      if (r.kind === "photo") {
        var c = form.querySelector('.photos[data-photos-for="' + r.item + '"]');
        if (c) { var fig = addThumb(c, r.uuid, URL.createObjectURL(r.blob), true); fig.title = msg.photo_pending; }
        if (r.state === "refused") markPhoto(r);
      }
      if (r.kind === "submit" && r.state === "refused") submitRefused(r, null);
      else if (r.kind === "submit") { submitting = true; document.getElementById("submit-visit").disabled = true; setSaveState(msg.queued, "phone"); }
    });
  });
  var start = null;
  try { start = sessionStorage.getItem(key + ":section"); } catch (e) { /* ignore */ }
  var firstError = form.querySelector(".item.has-error, .field.has-error");
  show(firstError ? firstError.closest(".checklist-section").dataset.section : (start || "details"));
  refresh();
})();
