/* The visit form, made better: one section at a time, progress and running score, conditional
   items, every change saved on the phone at once and on the server shortly after, photos
   scaled down and uploaded through the outbox, and submission that waits for the network. */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form || !window.InspectOutbox) return;
  var outbox = window.InspectOutbox;
  var msg = JSON.parse(document.getElementById("visit-messages").textContent);
  var uuid = form.dataset.uuid, key = "visit:" + uuid;
  var serverRevision = parseInt(form.dataset.revision, 10) || 0;
  var vetoMax = parseFloat(form.dataset.vetoMax);
  var items = Array.prototype.slice.call(form.querySelectorAll(".item[data-item]"));
  var byId = {};
  items.forEach(function (el) { byId[el.dataset.item] = el; });
  var sections = Array.prototype.slice.call(form.querySelectorAll(".checklist-section"));
  var saveState = document.getElementById("save-state");
  var saveTimer = null, submitting = false, photoJobs = [];

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function setSaveState(text, kind) { saveState.textContent = text; saveState.dataset.kind = kind || ""; }

  /* ---- reading and writing the form's state ---- */
  function answerField(el) { return "a__" + el.dataset.item.replace(/\./g, "__"); }
  function valueOf(el) {
    var name = answerField(el);
    var checked = form.querySelector('input[name="' + name + '"]:checked:not(.na-toggle)');
    if (checked) return checked.value;
    var na = el.querySelector(".na-toggle");
    if (na && na.checked) return "na";
    var input = form.querySelector('input[type="text"][name="' + name + '"], textarea[name="' + name + '"]');
    return input && input.value.trim() !== "" ? input.value.trim() : null;
  }
  function collect() {
    var state = { visit: {}, answers: {} };
    form.querySelectorAll("[data-visit]").forEach(function (input) { state.visit[input.dataset.visit] = input.value || null; });
    items.forEach(function (el) {
      var id = el.dataset.item, comment = el.querySelector("details.comment textarea"), staff = el.querySelector(".staff-field input");
      var entry = { value: valueOf(el), comment: comment && comment.value.trim() ? comment.value : null, employee_no: staff && staff.value.trim() ? staff.value.trim() : null };
      if (entry.value !== null || entry.comment || entry.employee_no) state.answers[id] = entry;
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
      var staff = el.querySelector(".staff-field input");
      if (staff) staff.value = a.employee_no || "";
    });
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
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": form.querySelector('input[name="csrf_token"]').value }
    }).then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { j._status = r.status; return j; }); });
  }
  function saveServer() {
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
      } else if (res._status === 401) { setSaveState(msg.signin, "error"); }
      else if (res._status === 409) { setSaveState(res.message || msg.conflict, "error"); }
      else { setSaveState(msg.offline, "phone"); clearTimeout(saveTimer); saveTimer = setTimeout(saveServer, 10000); }
    }, function () { setSaveState(msg.offline, "phone"); clearTimeout(saveTimer); saveTimer = setTimeout(saveServer, 10000); });
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
  function itemScore(el, v) {
    var type = el.dataset.type, points = parseFloat(el.dataset.points) || 0, config = el.dataset.config ? JSON.parse(el.dataset.config) : {};
    if (v === null || v === "na" || type === "text") return null;
    var earned;
    if (type === "pass_fail") earned = v === "pass" ? points : 0;
    else if (type === "scale") earned = points * Number(v) / config.max;
    else if (type === "stars") earned = points * (Number(v) - 1) / 4;
    else if (type === "choice") {
      points = Math.max.apply(null, config.options.map(function (o) { return o.points; }));
      earned = (config.options.filter(function (o) { return o.value === v; })[0] || { points: 0 }).points;
    } else if (type === "number") {
      var n = Number(v); if (isNaN(n)) return null;
      earned = 0;
      for (var i = 0; i < config.bands.length; i++) { if (n <= config.bands[i].upto) { earned = config.bands[i].points; break; } }
    }
    return { earned: earned, possible: points, failed: earned < points };
  }
  function refresh() {
    var required = 0, answered = 0, totalWeight = 0, weighted = 0, veto = false;
    sections.forEach(function (section) {
      var e = 0, p = 0;
      section.querySelectorAll(".item[data-item]").forEach(function (el) {
        var show = visible(el);
        el.hidden = !show;
        if (!show) return;
        var v = valueOf(el);
        if (el.dataset.required === "true") { required++; if (v !== null) answered++; }
        var s = itemScore(el, v);
        el.classList.toggle("is-failed", !!(s && s.failed));
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
  }

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
  function downscale(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85); });
    }, function () { return file; /* e.g. HEIC this browser cannot draw: the server converts it */ });
  }
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
  document.addEventListener("outbox:rejected", function (e) {
    var r = e.detail.record;
    if (r.visit !== uuid) return;
    if (r.kind === "photo") {
      var fig = form.querySelector('figure[data-photo-uuid="' + r.uuid + '"]');
      if (fig) { fig.classList.remove("pending"); fig.classList.add("failed"); fig.title = fmt(msg.photo_failed, { why: (e.detail.response || {}).message || "" }); }
      showErrors(Object.fromEntries([[r.item, [fmt(msg.photo_failed, { why: (e.detail.response || {}).message || "" })]]]), true);
      outbox.remove(r.id);
    } else {
      submitting = false;
      outbox.remove(r.id);
      document.getElementById("submit-visit").disabled = false;
      var first = showErrors((e.detail.response || {}).errors || {}, false);
      setSaveState((e.detail.response || {}).message || msg.fix, "error");
      if (first) { var section = first.closest(".checklist-section"); show(section.dataset.section); first.scrollIntoView({ block: "center" }); }
    }
  });
  document.addEventListener("outbox:submitted", function (e) {
    if (e.detail.record.visit !== uuid) return;
    localStorage.removeItem(key);
    try { sessionStorage.setItem("inspect:flash", msg.sent); } catch (err) { /* ignore */ }
    window.location.assign((e.detail.response || {}).redirect || form.dataset.homeUrl);
  });
  document.addEventListener("outbox:signin", function () { setSaveState(msg.signin, "error"); });
  document.addEventListener("outbox:sending", function (e) { if (submitting && e.detail.record.visit === uuid) setSaveState(msg.sending, "saving"); });
  document.addEventListener("outbox:pending", function (e) { if (submitting && e.detail.count) setSaveState(msg.queued, "phone"); });

  /* ---- submit: queue it, so a dropped network loses nothing ---- */
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var action = e.submitter ? e.submitter.value : "save";
    saveLocal(true);
    if (action !== "submit") { clearTimeout(saveTimer); saveServer(); return; }
    if (submitting) return;
    submitting = true;
    clearTimeout(saveTimer);
    document.getElementById("submit-visit").disabled = true;
    setSaveState(msg.sending, "saving");
    Promise.all(photoJobs).then(function () { return outbox.all(); }).then(function (records) {
      var queued = records.some(function (r) { return r.kind === "submit" && r.visit === uuid && !r.rejected; });
      if (queued) return outbox.flush();
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

  /* ---- restore: the phone's unsent changes win over the page the server rendered ---- */
  var saved = local();
  if (saved && saved.dirty) { apply(saved.state); setSaveState(msg.saved_phone, "phone"); saveTimer = setTimeout(saveServer, 300); }
  else if (saved && saved.base < serverRevision) { localStorage.removeItem(key); setSaveState(msg.saved_server, "server"); }
  else { setSaveState(msg.saved_server, "server"); }
  outbox.all().then(function (records) {
    records.forEach(function (r) {
      if (r.visit !== uuid) return;
      if (r.kind === "photo") { var c = form.querySelector('.photos[data-photos-for="' + r.item + '"]'); if (c) addThumb(c, r.uuid, URL.createObjectURL(r.blob), true); }
      if (r.kind === "submit" && !r.rejected) { submitting = true; document.getElementById("submit-visit").disabled = true; setSaveState(msg.queued, "phone"); }
    });
  });
  var start = null;
  try { start = sessionStorage.getItem(key + ":section"); } catch (e) { /* ignore */ }
  var firstError = form.querySelector(".item.has-error, .field.has-error");
  show(firstError ? firstError.closest(".checklist-section").dataset.section : (start || "details"));
  refresh();
})();
