/* Service worker: keeps the visit pages and their assets usable without a network.
   Pages: network first, the last good copy when the network is gone. Assets: served from the
   cache and refreshed in the background. Posts never pass through here: the page's outbox
   (IndexedDB) holds photos and submissions until the server takes them. */
"use strict";
var VERSION = "inspect-v2";
/* Pages kept for offline use; outbox.js fills it with the home page and today's empty forms
   and empties it when the user signs out or another user signs in. */
var PAGES = "inspect-pages-v1";
var ASSETS = ["/static/css/app.css", "/static/js/outbox.js", "/static/js/visit.js", "/static/js/photo-scale.js"];
var NETWORK_TIMEOUT_MS = 5000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== VERSION && k !== PAGES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* An empty form opened offline carries the new visit's UUID in its query: keep one copy per path. */
function pageKey(request) {
  var url = new URL(request.url);
  return url.pathname.indexOf("/visits/offline/") === 0 ? url.origin + url.pathname : request;
}

function networkFirst(request) {
  return caches.open(PAGES).then(function (cache) {
    var key = pageKey(request);
    var network = fetch(request).then(function (response) {
      if (response.ok && !response.redirected) cache.put(key, response.clone());
      return response;
    });
    var timeout = new Promise(function (resolve) { setTimeout(resolve, NETWORK_TIMEOUT_MS); });
    return Promise.race([network, timeout]).then(function (response) {
      if (response) return response;
      return cache.match(key).then(function (cached) { return cached || network; });
    }, function () {
      return cache.match(key).then(function (cached) { return cached || Response.error(); });
    });
  });
}

function staleWhileRevalidate(request) {
  return caches.open(VERSION).then(function (cache) {
    return cache.match(request).then(function (cached) {
      var network = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      }).catch(function () { return cached || Response.error(); });
      return cached || network;
    });
  });
}

/* A visit photo's thumbnail, kept beside the pages (and dropped with them) so that a visit
   reopened without signal still shows the photos the server has. */
function keptThumbnail(request) {
  return caches.open(PAGES).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok) cache.put(request, response.clone());
      return response;
    }, function () {
      return cache.match(request).then(function (cached) { return cached || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(staleWhileRevalidate(request)); return; }
  if (/^\/photos\/[^/]+\/thumb$/.test(url.pathname)) { event.respondWith(keptThumbnail(request)); return; }
  if (request.mode === "navigate" && url.pathname.indexOf("/visits") === 0) { event.respondWith(networkFirst(request)); }
});
