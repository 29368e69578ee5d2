// Installable and readable offline (issue #14). One file, two places:
// - in the service worker (/sw.js sets self.AUTOGESTION, then imports this file): keeps
//   copies of the signed-in person's pages listed by /offline/pages.json, answers pages
//   network first with the copy as fallback, static files cache first;
// - in every page (base.html loads it): registers the worker, asks it to refresh the
//   copies on "À faire", says "as of HH:MM" on a copy read offline, and stops a form
//   sent with no network, saying it was not sent.
// Nobody reads another person's copies: they are cleared when someone logs in or out,
// and when "À faire" finds another person signed in than the one the copies are of.
"use strict";

if (typeof window === "undefined") {
  // ---------------------------------------------------------------- service worker ----
  const C = self.AUTOGESTION;
  const PAGES = "autogestion-pages";                  // the person's copies
  const SHELL = "autogestion-shell-" + C.version;     // the offline pages and the frame's files
  const STATIC = "autogestion-static-" + C.version;   // static files met along the way
  const WHO = new URL(C.pages + "?who", self.location.origin).href;  // whose copies
  const COPIED_AT = "X-Autogestion-Copied-At";
  // "À faire" opened again within this time finds its copies fresh enough: they are not
  // all fetched again (each is refreshed anyway when opened connected).
  const FRESH_MS = 10 * 60 * 1000;

  const keyOf = (url) => {
    const parsed = new URL(url, self.location.origin);
    parsed.hash = "";
    return parsed.href;
  };

  const fetchShell = async () => {
    const cache = await caches.open(SHELL);
    await Promise.all([C.offline, C.notSent, ...C.assets].map(async (url) => {
      try {
        const response = await fetch(url, {cache: "no-cache"});
        if (response.ok) await cache.put(url, response);
      } catch (error) { /* kept from last time */ }
    }));
  };

  self.addEventListener("install", (event) => {
    event.waitUntil(fetchShell().then(() => self.skipWaiting()));
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil((async () => {
      const keep = [PAGES, SHELL, STATIC];
      for (const name of await caches.keys()) {
        if (name.startsWith("autogestion-") && !keep.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })());
  });

  const forget = () => caches.delete(PAGES);

  // A copy carries the moment it was taken; served offline, it says so in a <meta> the
  // page's script turns into "as of HH:MM".
  const stamped = async (response) => {
    const headers = new Headers(response.headers);
    headers.set(COPIED_AT, new Date().toISOString());
    return new Response(await response.blob(), {status: 200, headers});
  };

  const asCopy = async (response) => {
    const taken = response.headers.get(COPIED_AT) || "";
    const html = (await response.text()).replace(
      "<head>", `<head><meta name="autogestion-offline-copy" content="${taken}">`);
    return new Response(html, {status: 200,
                               headers: {"Content-Type": "text/html; charset=utf-8"}});
  };

  const offlinePage = async (url) => {
    const cached = await caches.match(url, {cacheName: SHELL});
    return cached || new Response("Offline", {status: 503,
                                              headers: {"Content-Type": "text/plain"}});
  };

  const page = async (request) => {
    const key = keyOf(request.url);
    try {
      const response = await fetch(request);
      // Opened connected: a page kept for offline reading gets a fresh copy.
      // (caches.match with a cacheName does not create the cache: after a log-out none
      // is made again.)
      if (response.ok && response.type === "basic" && !response.redirected
          && await caches.match(key, {cacheName: PAGES})) {
        const copy = await stamped(response.clone());
        await (await caches.open(PAGES)).put(key, copy);
      }
      return response;
    } catch (error) {
      const copy = await caches.match(key, {cacheName: PAGES});
      return copy ? asCopy(copy) : offlinePage(C.offline);
    }
  };

  const staticFile = async (event) => {
    const cache = await caches.open(STATIC);
    const cached = (await cache.match(event.request))
      || (await caches.match(event.request, {cacheName: SHELL}));
    const fresh = fetch(event.request).then((response) => {
      if (response.ok) cache.put(event.request, response.clone());
      return response;
    });
    if (cached) {
      // Cache first, refreshed behind: the next page gets the new file.
      event.waitUntil(fresh.catch(() => null));
      return cached;
    }
    return fresh;
  };

  const sent = async (event) => {
    const path = new URL(event.request.url).pathname;
    if (C.forget.includes(path)) await forget();
    try {
      return await fetch(event.request);
    } catch (error) {
      return offlinePage(C.notSent);
    }
  };

  self.addEventListener("fetch", (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin) return;
    if (request.method !== "GET") {
      // A form sent: nothing is lost without saying so.
      if (request.mode === "navigate") event.respondWith(sent(event));
      return;
    }
    if (url.pathname.startsWith(C.static)) {
      event.respondWith(staticFile(event));
    } else if (request.mode === "navigate") {
      event.respondWith(page(request));
    }
  });

  // "À faire" asks: keep the person's pages (and forget another person's).
  const sync = async () => {
    const response = await fetch(C.pages, {cache: "no-store"});
    if (!response.ok) return 0;
    const listed = await response.json();
    const who = await caches.match(WHO, {cacheName: PAGES});
    const same = who && (await who.text()) === String(listed.user);
    if (listed.user === null || !same) {
      await forget();
      if (listed.user === null) return 0;
    }
    const cache = await caches.open(PAGES);
    const keys = listed.pages.map(keyOf);
    for (const request of await cache.keys()) {
      if (request.url !== WHO && !keys.includes(request.url)) await cache.delete(request);
    }
    const copiedAt = same ? Date.parse(who.headers.get(COPIED_AT) || "") : NaN;
    const held = (await cache.keys()).map((request) => request.url);
    if (Date.now() - copiedAt < FRESH_MS && keys.every((key) => held.includes(key))) {
      return keys.length;
    }
    await cache.put(WHO, await stamped(new Response(String(listed.user))));
    let kept = 0;
    for (const key of keys) {
      try {
        const response = await fetch(key, {cache: "no-store"});
        // Sent to the log-in page (the session ended): not the person's page. Sent
        // elsewhere (the menu's /economy/ leads to one cooperative's page): kept under
        // the address asked, so that the menu works offline too.
        if (response.ok && response.type === "basic"
            && new URL(response.url).pathname !== C.login) {
          await cache.put(key, await stamped(response));
          kept += 1;
        }
      } catch (error) { /* offline again: the old copy stays */ }
    }
    await fetchShell();
    return kept;
  };

  self.addEventListener("message", (event) => {
    const data = event.data || {};
    const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
    if (data.type === "sync") {
      event.waitUntil(sync().then((kept) => reply({type: "synced", kept}),
                                  () => reply({type: "synced", kept: 0})));
    }
  });
} else {
  // ------------------------------------------------------------------------- page ----
  const FALLBACK = {
    asOf: "Offline: as of %(time)s.",
    asOfDay: "Offline: as of %(day)s, %(time)s.",
    notSent: "You are offline: this was not sent. Send it again when the network is back.",
  };
  const lang = () => document.documentElement.lang || undefined;

  // The sentences in the person's language: from this page when it is the offline page,
  // else from the offline page the worker keeps.
  let texts = null;
  const loadTexts = async () => {
    if (texts) return texts;
    const read = (root) => {
      const node = root.getElementById("offline-texts");
      return node ? JSON.parse(node.textContent) : null;
    };
    texts = read(document);
    if (!texts && "caches" in window) {
      try {
        const offline = await caches.match("/offline/");
        if (offline) texts = read(new DOMParser().parseFromString(await offline.text(), "text/html"));
      } catch (error) { /* the fallback below */ }
    }
    texts = Object.assign({}, FALLBACK, texts || {});
    return texts;
  };
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? "");

  const say = (element, message, role) => {
    element.textContent = message;
    element.setAttribute("role", role);
    return element;
  };

  // A copy read offline: "as of HH:MM" (and the day when it was not today).
  const showCopyTime = async () => {
    const meta = document.querySelector('meta[name="autogestion-offline-copy"]');
    if (!meta) return;
    const taken = new Date(meta.content);
    if (Number.isNaN(taken.getTime())) return;
    const words = await loadTexts();
    const time = new Intl.DateTimeFormat(lang(), {hour: "2-digit", minute: "2-digit"})
      .format(taken);
    const sameDay = taken.toDateString() === new Date().toDateString();
    const day = new Intl.DateTimeFormat(lang(), {weekday: "long", day: "numeric", month: "long"})
      .format(taken);
    const note = document.createElement("p");
    note.className = "offline-note";
    note.dataset.offlineCopy = taken.toISOString();
    say(note, fill(sameDay ? words.asOf : words.asOfDay, {time, day}), "status");
    const main = document.getElementById("content") || document.body;
    main.insertBefore(note, main.firstChild);
  };

  // A form sent with no network is stopped here, with a sentence beside it (the worker
  // answers the same when the network fails on the way).
  const warnNotSent = async (form) => {
    const words = await loadTexts();
    let warning = form.previousElementSibling;
    if (!warning || !warning.hasAttribute("data-offline-warning")) {
      warning = document.createElement("p");
      warning.className = "error";
      warning.setAttribute("data-offline-warning", "");
      form.parentNode.insertBefore(warning, form);
    }
    say(warning, words.notSent, "alert");
  };
  window.addEventListener("submit", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    warnNotSent(event.target);
  }, true);
  document.addEventListener("htmx:beforeRequest", (event) => {
    const verb = ((event.detail.requestConfig || {}).verb || "get").toLowerCase();
    if (navigator.onLine || verb === "get") return;
    event.preventDefault();
    warnNotSent(event.detail.elt.closest("form") || event.detail.elt);
  });
  document.addEventListener("htmx:sendError", (event) => {
    warnNotSent(event.detail.elt.closest("form") || event.detail.elt);
  });
  window.addEventListener("online", () => {
    document.querySelectorAll("[data-offline-warning]").forEach((node) => node.remove());
  });

  const ask = (worker, message) => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, [channel.port2]);
  });

  const register = async () => {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    let registration;
    try {
      registration = await navigator.serviceWorker.register("/sw.js", {scope: "/"});
    } catch (error) {
      return;
    }
    // "À faire" (and the anonymous home) keep the copies in step with who is signed in.
    if (!document.querySelector("[data-offline-sync]") || !navigator.onLine) return;
    const ready = await navigator.serviceWorker.ready;
    const answer = await ask(ready.active || registration.active, {type: "sync"});
    document.documentElement.dataset.offlineReady = String(answer.kept || 0);
  };

  document.addEventListener("DOMContentLoaded", () => {
    showCopyTime();
    register();
  });
}
