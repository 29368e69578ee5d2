/* "Receive notifications on this device" (notifications/settings.html).

   Subscribes this browser to Web Push through the site's service worker (/sw.js, which
   imports notifications/push-sw.js to show what arrives), with the instance's VAPID
   public key, then registers the subscription with the API; "Stop on this device"
   undoes both. Without JavaScript, or in a browser without Push, the section stays
   hidden and a sentence says why. No inline script: the page's CSP forbids them. */
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  var unsupported = document.getElementById("push-unsupported");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)
      || !("Notification" in window)) {
    return;
  }
  var status = document.getElementById("push-status");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var api = box.dataset.api;
  var registered = null; // this browser's subscription as the server knows it ({id, ...})

  box.hidden = false;
  if (unsupported) unsupported.hidden = true;

  function say(text) { status.textContent = text; }

  // What went wrong, in the page's language: the browser's own messages are English.
  function explain(error) {
    if (error && error.fromSite) return error.message;
    if (error && error.name === "NotAllowedError") return box.dataset.denied;
    return box.dataset.failed;
  }

  function show(receiving) {
    on.hidden = receiving;
    off.hidden = !receiving;
    say(receiving ? box.dataset.on : box.dataset.off);
  }

  // The application server key: base64url text to the bytes pushManager wants.
  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function call(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": box.dataset.csrf},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (!response.ok && response.status !== 204) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          // The site's refusals are in the person's language: say them as they are.
          var error = new Error(answer.detail || box.dataset.failed);
          error.fromSite = true;
          throw error;
        });
      }
      return response.status === 204 ? null : response.json();
    });
  }

  function registration() {
    // /sw.js is the site's one service worker (offline pages and push); registering
    // it again returns the registration already there.
    return navigator.serviceWorker.register(box.dataset.worker)
      .then(function () { return navigator.serviceWorker.ready; });
  }

  function known(subscription) {
    // Whether the server has this browser's subscription among the person's devices.
    return call("GET", api).then(function (devices) {
      registered = null;
      devices.forEach(function (device) {
        if (device.endpoint === subscription.endpoint) registered = device;
      });
      return registered;
    });
  }

  function subscribe() {
    on.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        var refused = new Error(box.dataset.denied);
        refused.name = "NotAllowedError";
        throw refused;
      }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return existing || reg.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.publicKey)});
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return call("POST", api, {endpoint: json.endpoint, keys: json.keys});
    }).then(function (device) {
      registered = device;
      show(true);
    }).catch(function (error) {
      say(explain(error));
    }).then(function () { on.disabled = false; });
  }

  function unsubscribe() {
    off.disabled = true;
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      var forget = registered ? call("DELETE", api + "/" + registered.id) : Promise.resolve();
      return forget.then(function () {
        registered = null;
        return subscription ? subscription.unsubscribe() : true;
      });
    }).then(function () {
      show(false);
    }).catch(function (error) {
      say(explain(error));
    }).then(function () { off.disabled = false; });
  }

  on.addEventListener("click", subscribe);
  off.addEventListener("click", unsubscribe);

  if (Notification.permission === "denied") {
    on.hidden = false;
    off.hidden = true;
    say(box.dataset.denied);
    return;
  }
  // The state of this browser: subscribed and known to the server, or not.
  navigator.serviceWorker.getRegistration().then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    return subscription ? known(subscription) : null;
  }).then(function (device) {
    show(Boolean(device));
  }).catch(function () {
    show(false);
  });
})();
