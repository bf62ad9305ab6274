/* The phone's outbox: photos and submissions wait in IndexedDB until the server takes them.
   Survives reloads, a closed browser and a sleeping phone; retried on a timer, on "online",
   and whenever any page of the app opens. Also registers the service worker. */
(function () {
  "use strict";
  var DB_NAME = "inspect-app", STORE = "outbox", RETRY_MS = [2000, 4000, 8000, 15000];
  var dbPromise = null, flushing = false, retryIndex = 0, timer = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), result;
        var r = fn(store);
        if (r) r.onsuccess = function () { result = r.result; };
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function add(record) { record.created = Date.now(); return tx("readwrite", function (s) { return s.add(record); }).then(function (id) { schedule(0); return id; }); }
  function remove(id) { return tx("readwrite", function (s) { return s.delete(id); }); }
  function put(record) { return tx("readwrite", function (s) { return s.put(record); }); }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var input = document.querySelector('input[name="csrf_token"]');
    return (meta && meta.content) || (input && input.value) || "";
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  function send(record) {
    var headers = { "X-CSRFToken": csrfToken(), "Accept": "application/json" }, body;
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
          return { status: response.status, json: json };
        });
      });
  }

  /* Send everything, oldest first; stop at the first network failure and retry later. */
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return all().then(function (records) {
      records = records.filter(function (r) { return !r.rejected; });
      emit("outbox:pending", { count: records.length });
      var chain = Promise.resolve(true);
      records.forEach(function (record) {
        chain = chain.then(function (keepGoing) {
          if (!keepGoing) return false;
          emit("outbox:sending", { record: record });
          return send(record).then(function (res) {
            if (res.status >= 200 && res.status < 300) {
              return remove(record.id).then(function () {
                emit(record.kind === "photo" ? "outbox:photo-done" : "outbox:submitted", { record: record, response: res.json });
                return true;
              });
            }
            if (res.status === 401) { emit("outbox:signin", { record: record, response: res.json }); return false; }
            if (res.status >= 500 || res.status === 429) return false;  /* try again later */
            record.rejected = true;
            record.response = res.json;
            record.status = res.status;
            return put(record).then(function () {
              emit("outbox:rejected", { record: record, response: res.json, status: res.status });
              return true;
            });
          }, function () { return false; /* no network */ });
        });
      });
      return chain;
    }).then(function (finished) {
      flushing = false;
      return all().then(function (left) {
        var pending = left.filter(function (r) { return !r.rejected; }).length;
        emit("outbox:pending", { count: pending });
        if (pending && !finished) { schedule(RETRY_MS[Math.min(retryIndex++, RETRY_MS.length - 1)]); }
        else { retryIndex = 0; }
      });
    }, function () { flushing = false; schedule(RETRY_MS[RETRY_MS.length - 1]); });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  window.InspectOutbox = { add: add, all: all, remove: remove, flush: flush, uuid4: uuid4 };

  /* A visit started twice (a double tap, a retried request) is opened once: the UUID is ours. */
  document.querySelectorAll("input.client-uuid").forEach(function (input) { input.value = uuid4(); });

  var status = document.getElementById("outbox-status");
  if (status) {
    document.addEventListener("outbox:pending", function (e) {
      status.hidden = !e.detail.count;
      status.textContent = e.detail.count ? (status.dataset.pendingText || "⏳ " + e.detail.count) : "";
    });
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

  window.addEventListener("online", function () { schedule(0); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* http on a LAN address: no offline copy */ });
  }
  if ("indexedDB" in window) schedule(500);
})();
