/* The phone's outbox: visit starts, photos and submissions wait in IndexedDB until the server
   takes them. Survives reloads, a closed browser and a sleeping phone; retried with back-off,
   on "online", and whenever any page of the app opens. Also registers the service worker.

   Rules (issue 11):
   - A record belongs to the user who made it: it is sent only under that user's session and
     another user on the same phone neither sends nor sees it.
   - Each record is sent on its own with its attempt id (Idempotency-Key): a replay gets the
     first outcome back. One failing record never holds up the others.
   - A record is deleted only when the server took it. When the server refuses the data itself
     (400, 413, 415, 422) it is set aside with the reason and shown to its owner until dismissed.
     401 (signed out) stops sending until the next sign-in; a stale CSRF token is renewed and the
     request sent again; 403, 404, 409, 429, 5xx and network errors keep the record and back off. */
(function () {
  "use strict";
  var DB_NAME = "inspect-app", STORE = "outbox", DB_VERSION = 2;
  var PAGES = "inspect-pages-v1";
  var BACKOFF_S = [2, 4, 8, 15, 30, 60, 120, 300];
  var REFUSED = { 400: true, 413: true, 415: true, 422: true };
  var ORDER = { start: 0, photo: 1, submit: 2 };
  var dbPromise = null, flushing = null, timer = null, freshToken = null, signedOut = false;

  function userId() {
    var meta = document.querySelector('meta[name="inspect-user"]');
    return meta ? meta.content : null;
  }

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        if (!req.result.objectStoreNames.contains(STORE)) {
          req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        var r = fn(t.objectStore(STORE));
        if (r) r.onsuccess = function () { result = r.result; };
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function everything() { return tx("readonly", function (s) { return s.getAll(); }); }
  /* The records of the signed-in user only. */
  function all() {
    var me = userId();
    return everything().then(function (records) {
      return records.filter(function (r) { return me && String(r.owner) === me; });
    });
  }
  /* Write a record back only while it is still there: another page may have sent it meanwhile. */
  function update(record) {
    return tx("readwrite", function (s) {
      var req = s.get(record.id);
      req.onsuccess = function () { if (req.result) s.put(record); };
      return null;
    });
  }
  function remove(id) { return tx("readwrite", function (s) { return s.delete(id); }).then(function () { refreshStatus(); }); }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* Queue a record for the signed-in user; it gets its attempt id now, once. */
  function add(record) {
    var me = userId();
    if (!me) return Promise.reject(new Error("not signed in"));
    record.owner = me;
    record.attempt = record.attempt || uuid4();
    record.created = Date.now();
    record.state = "queued";
    record.tries = 0;
    record.nextAt = 0;
    return tx("readwrite", function (s) { return s.add(record); }).then(function (id) {
      record.id = id;
      refreshStatus();
      schedule(0);
      return id;
    });
  }

  function csrfToken() {
    if (freshToken) return freshToken;
    var meta = document.querySelector('meta[name="csrf-token"]');
    var input = document.querySelector('input[name="csrf_token"]');
    return (meta && meta.content) || (input && input.value) || "";
  }

  function renewToken() {
    return fetch("/api/csrf-token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (j && j.token) {
          freshToken = j.token;
          document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = j.token; });
          var meta = document.querySelector('meta[name="csrf-token"]');
          if (meta) meta.content = j.token;
        }
        return !!(j && j.token);
      }, function () { return false; });
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  function post(record) {
    var headers = { "X-CSRFToken": csrfToken(), "Accept": "application/json", "Idempotency-Key": record.attempt }, body;
    if (record.kind === "photo") {
      body = new FormData();
      body.append("uuid", record.uuid);
      if (record.item) body.append("item_id", record.item);
      if (record.capturedAt) body.append("captured_at", record.capturedAt);
      body.append("photo", record.blob, record.name || "photo.jpg");
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(record.payload);
    }
    return fetch(record.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return { status: response.status, json: json || {} };
        });
      });
  }

  /* Send one record; a stale CSRF token is renewed and the request sent once more. */
  function send(record) {
    return post(record).then(function (res) {
      if (res.status === 403 && res.json.code === "csrf") {
        return renewToken().then(function (ok) { return ok ? post(record) : res; });
      }
      return res;
    });
  }

  function backOff(record, res) {
    record.tries = (record.tries || 0) + 1;
    record.nextAt = Date.now() + 1000 * BACKOFF_S[Math.min(record.tries - 1, BACKOFF_S.length - 1)];
    record.last = res ? { status: res.status, message: res.json.message || "" } : { status: 0, message: "" };
    return update(record).then(function () { emit("outbox:waiting", { record: record, status: record.last.status, response: res ? res.json : {} }); });
  }

  /* Photos the server took, per visit: a page kept for use without signal may predate them,
     and the visit page shows them from here (its check before queueing counts them). */
  function sentKey(owner, visit) { return "photos:" + owner + ":" + visit; }
  function sentPhotos(visit) {
    try { return JSON.parse(localStorage.getItem(sentKey(userId(), visit))) || []; } catch (e) { return []; }
  }
  function keepSent(visit, photos) {
    try {
      if (photos.length) localStorage.setItem(sentKey(userId(), visit), JSON.stringify(photos));
      else localStorage.removeItem(sentKey(userId(), visit));
    } catch (e) { /* storage full: the page from the server still shows them */ }
  }
  function photoSent(record, response) {
    var photos = sentPhotos(record.visit).filter(function (p) { return p.uuid !== record.uuid; });
    photos.push({ uuid: record.uuid, item: record.item || null, thumb: response.thumbnail_url || "" });
    keepSent(record.visit, photos);
  }

  /* What to do with one record's answer; returns false when sending must stop (signed out). */
  /* The assignment's visit had been started on another device: what this phone queued for its
     own UUID goes to that visit instead, and the phone's copy of the answers moves with it. */
  function repoint(fromUuid, toUuid) {
    return all().then(function (records) {
      return Promise.all(records.filter(function (r) { return r.visit === fromUuid; }).map(function (r) {
        r.visit = toUuid;
        r.url = r.url.split(fromUuid).join(toUuid);
        return put(r);
      }));
    }).then(function () {
      try {
        var me = userId(), from = "visit:" + me + ":" + fromUuid, copy = localStorage.getItem(from);
        if (copy) { localStorage.setItem("visit:" + me + ":" + toUuid, copy); localStorage.removeItem(from); }
      } catch (e) { /* private mode */ }
    });
  }

  function settle(record, res) {
    if (res.status >= 200 && res.status < 300) {
      if (record.kind === "photo") photoSent(record, res.json);
      if (record.kind === "submit") keepSent(record.visit, []);
      var moved = record.kind === "start" && res.json.uuid && res.json.uuid !== record.visit;
      return remove(record.id).then(function () { return moved ? repoint(record.visit, res.json.uuid) : null; }).then(function () {
        var name = { photo: "outbox:photo-done", submit: "outbox:submitted", start: "outbox:started" }[record.kind];
        emit(name, { record: record, response: res.json });
        return true;
      });
    }
    if (res.status === 401) {
      signedOut = true;
      emit("outbox:signin", { record: record, response: res.json });
      return false;
    }
    if (REFUSED[res.status]) {
      record.state = "refused";
      record.last = { status: res.status, message: res.json.message || "", errors: res.json.errors || null };
      return update(record).then(function () {
        emit("outbox:rejected", { record: record, response: res.json, status: res.status });
        return true;
      });
    }
    return backOff(record, res).then(function () { return true; });
  }

  function sendable(records, now) {
    var waitingFor = {};
    records.forEach(function (r) { if (r.state === "queued" && r.kind !== "submit") waitingFor[r.visit] = true; });
    return records.filter(function (r) {
      if (r.state !== "queued" || (r.nextAt || 0) > now) return false;
      /* A submission goes after its visit's start and photos, so none of them arrives late. */
      return r.kind !== "submit" || !waitingFor[r.visit];
    }).sort(function (a, b) { return (ORDER[a.kind] - ORDER[b.kind]) || (a.created - b.created); });
  }

  /* Answers typed on the phone and not yet saved on the server (visit.js keeps them in
     localStorage as "visit:<user>:<uuid>" with dirty set). */
  function unsavedDrafts() {
    var me = userId(), prefix = "visit:" + me + ":", out = [];
    var form = document.getElementById("visit-form"), open = form ? form.dataset.uuid : null;
    if (!me) return out;
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key.indexOf(prefix) !== 0) continue;
        var entry = JSON.parse(localStorage.getItem(key));
        /* The visit open on this page saves its own draft (visit.js). */
        if (entry && entry.dirty && key.slice(prefix.length) !== open) out.push({ key: key, uuid: key.slice(prefix.length), entry: entry });
      }
    } catch (e) { /* private mode */ }
    return out;
  }

  /* Save those drafts from whatever page is open (the visit page saves its own), once their
     visit exists on the server; a 422 still saves the valid part, as the form's autosave does. */
  function sendDrafts(records) {
    var starting = {};
    records.forEach(function (r) { if (r.kind === "start" && r.state === "queued") starting[r.visit] = true; });
    return unsavedDrafts().filter(function (d) { return !starting[d.uuid]; }).reduce(function (chain, d) {
      return chain.then(function (goOn) {
        if (!goOn) return false;
        return send({ kind: "json", url: "/api/visits/" + d.uuid + "/draft", payload: d.entry.state, attempt: uuid4() }).then(function (res) {
          if (res.status === 401) { signedOut = true; return false; }
          /* Saved (200, or 422: the valid part), or a visit that is closed or gone (409, 404): the
             copy stays on the phone but is no longer waiting. */
          if ([200, 422, 404, 409].indexOf(res.status) >= 0) {
            var now = JSON.parse(localStorage.getItem(d.key) || "null");
            if (now && JSON.stringify(now.state) === JSON.stringify(d.entry.state)) {
              now.dirty = false; if (res.json.revision) now.base = res.json.revision; localStorage.setItem(d.key, JSON.stringify(now));
            }
          }
          return true;
        }, function () { return false; /* no network */ });
      });
    }, Promise.resolve(true));
  }

  /* Send every due record of the signed-in user, each on its own. */
  function flush() {
    if (flushing) return flushing;
    if (!userId()) return Promise.resolve();
    signedOut = false;
    flushing = all().then(function (records) {
      var due = sendable(records, Date.now());
      var chain = Promise.resolve(true);
      due.forEach(function (record) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          emit("outbox:sending", { record: record });
          return send(record).then(function (res) { return settle(record, res); }, function () {
            return backOff(record, null).then(function () { return true; });  /* no network */
          });
        });
      });
      return chain.then(function (goOn) { return goOn ? all().then(sendDrafts) : false; });
    }).then(function () { return afterFlush(); }, function () { return afterFlush(); });
    return flushing;
  }

  function afterFlush() {
    flushing = null;
    return all().then(function (records) {
      refreshStatus(records);
      var queued = records.filter(function (r) { return r.state === "queued"; });
      if (!queued.length && unsavedDrafts().length && !signedOut) { schedule(30000); return; }
      if (!queued.length || signedOut) return;
      var next = Math.min.apply(null, queued.map(function (r) { return r.nextAt || 0; }));
      /* Records held back behind their visit's start or photos go as soon as those are through. */
      if (sendable(queued, Date.now()).length) next = Date.now() + 300;
      schedule(Math.max(300, next - Date.now()));
    });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  /* ---- telling the inspector where their work is ---- */
  function fmt(text, n) { return (text || "").replace("{n}", n); }
  function refreshStatus(records) {
    var status = document.getElementById("outbox-status");
    if (!status || !userId() || !window.indexedDB) return;
    (records ? Promise.resolve(records) : all()).then(function (rs) {
      var waiting = rs.filter(function (r) { return r.state === "queued"; }), queued = waiting.length + unsavedDrafts().length;
      var refused = rs.filter(function (r) { return r.state === "refused"; });
      /* The server answered but did not take them (404, 409, 5xx…): not a matter of signal. */
      var answered = waiting.some(function (r) { return r.last && r.last.status > 0; });
      var text = "";
      if (queued && signedOut) text = status.dataset.signin;
      else if (queued) text = fmt(answered ? status.dataset.retrying : status.dataset.pending, queued);
      if (refused.length) text = (text ? text + " " : "") + fmt(status.dataset.refused, refused.length);
      status.textContent = text;
      status.hidden = !text;
      if (queued && signedOut && status.dataset.loginUrl) {
        var link = document.createElement("a");
        link.href = status.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
        link.textContent = status.dataset.signinLink; link.className = "signin-link";
        status.appendChild(document.createTextNode(" ")); status.appendChild(link);
      }
      status.dataset.kind = signedOut ? "signin" : (refused.length ? "refused" : "pending");
      emit("outbox:pending", { count: queued, refused: refused.length, signedOut: signedOut });
      showRefused(refused);
    });
  }

  function showRefused(refused) {
    var box = document.getElementById("outbox-refused");
    if (!box) return;
    box.textContent = "";
    box.hidden = !refused.length;
    if (!refused.length) return;
    var h = document.createElement("h2"); h.textContent = box.dataset.title; box.appendChild(h);
    var list = document.createElement("ul"); box.appendChild(list);
    refused.forEach(function (r) {
      var li = document.createElement("li"); li.className = "refused-record"; li.dataset.kind = r.kind;
      var what = document.createElement("strong"); what.textContent = box.dataset[r.kind] || r.kind; li.appendChild(what);
      var why = document.createElement("span"); why.textContent = " " + ((r.last && r.last.message) || ""); li.appendChild(why);
      if (r.visit && r.kind !== "start") {
        var link = document.createElement("a"); link.href = "/visits/" + r.visit; link.textContent = box.dataset.open; link.className = "open-visit";
        li.appendChild(document.createTextNode(" ")); li.appendChild(link);
      }
      var dismiss = document.createElement("button"); dismiss.type = "button"; dismiss.className = "link dismiss"; dismiss.textContent = box.dataset.dismiss;
      dismiss.addEventListener("click", function () { remove(r.id); });
      li.appendChild(document.createTextNode(" ")); li.appendChild(dismiss);
      list.appendChild(li);
    });
  }

  /* Send a JSON body at once, outside the queue (autosave): same headers, same token renewal. */
  function sendNow(url, payload) { return send({ kind: "json", url: url, payload: payload, attempt: uuid4() }); }

  window.InspectOutbox = { add: add, all: all, remove: remove, flush: flush, uuid4: uuid4, user: userId, renewToken: renewToken, csrfToken: csrfToken, sentPhotos: sentPhotos, keepSent: keepSent, sendNow: sendNow };

  /* ---- pages kept for offline use belong to the user who opened them ---- */
  function dropPages() { return window.caches ? caches.delete(PAGES).catch(function () {}) : Promise.resolve(); }
  var pagesDropped = Promise.resolve();
  try {
    var me = userId(), last = localStorage.getItem("inspect:last-user");
    if (me && last && last !== me) pagesDropped = dropPages();
    if (me) localStorage.setItem("inspect:last-user", me);
  } catch (e) { /* private mode */ }

  /* Signing out with unsent work: warn first; the records stay for their owner. */
  var logout = document.getElementById("logout-form");
  if (logout && window.indexedDB) {
    logout.addEventListener("submit", function (e) {
      if (logout.dataset.confirmed) return;
      e.preventDefault();
      all().then(function (rs) {
        var unsent = rs.filter(function (r) { return r.state === "queued"; }).length + unsavedDrafts().length;
        if (unsent && !window.confirm(fmt(logout.dataset.unsentWarning, unsent))) return;
        return dropPages().then(function () { logout.dataset.confirmed = "1"; logout.submit(); });
      }, function () { logout.dataset.confirmed = "1"; logout.submit(); });
    });
  }

  /* ---- starting a visit, with or without signal ---- */
  function startVisit(form) {
    var visitUuid = uuid4(), assignmentId = parseInt(form.dataset.assignmentId, 10);
    var button = form.querySelector("button"); if (button) button.disabled = true;
    var offlineUrl = form.dataset.offlineUrl + "?uuid=" + encodeURIComponent(visitUuid);
    var done = false;
    function go(url) { if (!done) { done = true; window.location.assign(url); } }
    document.addEventListener("outbox:started", function (e) { if (e.detail.record.visit === visitUuid) go(e.detail.response.url || offlineUrl); });
    document.addEventListener("outbox:rejected", function (e) {
      if (e.detail.record.visit !== visitUuid || done) return;
      done = true; if (button) button.disabled = false;
      window.alert((e.detail.response || {}).message || "");
      remove(e.detail.record.id);
    });
    document.addEventListener("outbox:waiting", function (e) { if (e.detail.record.visit === visitUuid) go(offlineUrl); });
    document.addEventListener("outbox:signin", function () { go(offlineUrl); });
    add({ kind: "start", visit: visitUuid, url: form.dataset.api, payload: { uuid: visitUuid, assignment_id: assignmentId } })
      .then(function () { return flush(); });
    setTimeout(function () { go(offlineUrl); }, 8000);
  }
  /* Tapped again before the first start reached the server: open that same visit, not a second. */
  function continueOrStart(form) {
    var assignmentId = parseInt(form.dataset.assignmentId, 10);
    all().then(function (records) {
      var queued = records.filter(function (r) { return r.kind === "start" && r.state === "queued" && r.payload.assignment_id === assignmentId; })[0];
      if (queued) window.location.assign(form.dataset.offlineUrl + "?uuid=" + encodeURIComponent(queued.visit));
      else startVisit(form);
    }, function () { startVisit(form); });
  }
  document.querySelectorAll("form.start-visit[data-api]").forEach(function (form) {
    if (!window.indexedDB) return;
    form.addEventListener("submit", function (e) { e.preventDefault(); continueOrStart(form); });
  });
  /* The no-JavaScript start form's own UUID, so a double tap opens one visit. */
  document.querySelectorAll("input.client-uuid").forEach(function (input) { input.value = uuid4(); });

  /* Keep the home page, today's empty forms and the visits in progress for use without signal. */
  if (window.caches && userId() && navigator.onLine && location.pathname === "/visits") {
    var urls = ["/visits"];
    document.querySelectorAll("form.start-visit[data-offline-url]").forEach(function (f) { urls.push(f.dataset.offlineUrl); });
    document.querySelectorAll('.page a[href^="/visits/"]').forEach(function (a) {
      var path = a.getAttribute("href");
      if (/^\/visits\/[0-9a-f-]{36}$/.test(path) && urls.indexOf(path) < 0) urls.push(path);
    });
    pagesDropped.then(function () { return caches.open(PAGES); }).then(function (cache) {
      return Promise.all(urls.map(function (u) { return cache.add(new Request(u, { credentials: "same-origin" })).catch(function () {}); }));
    }).catch(function () {});
  }

  /* A message left by a page that moved on (e.g. "Visit submitted") is shown here. */
  try {
    var note = sessionStorage.getItem("inspect:flash"), page = document.querySelector(".page");
    if (note && page) {
      var p = document.createElement("p"); p.className = "flash flash-info"; p.setAttribute("role", "status"); p.textContent = note;
      page.insertBefore(p, page.firstChild);
      sessionStorage.removeItem("inspect:flash");
    }
  } catch (e) { /* private mode */ }

  /* The network is back: every waiting record of this user is due now (in one transaction,
     so a record another page sent meanwhile is not written back). */
  function dueNow() {
    var me = userId();
    return tx("readwrite", function (s) {
      var req = s.openCursor();
      req.onsuccess = function () {
        var cursor = req.result;
        if (!cursor) return;
        var r = cursor.value;
        if (me && String(r.owner) === me && r.state === "queued" && r.nextAt) { r.nextAt = 0; cursor.update(r); }
        cursor.continue();
      };
      return null;
    });
  }
  /* Back to this tab (perhaps after signing in again in another one): try at once. */
  document.addEventListener("visibilitychange", function () { if (!document.hidden && userId()) schedule(0); });
  window.addEventListener("online", function () { dueNow().then(function () { schedule(0); }, function () { schedule(0); }); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* http on a LAN address: no offline copy */ });
  }
  if (window.indexedDB && userId()) { refreshStatus(); schedule(300); }
})();
