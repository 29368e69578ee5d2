/* Web Push in the service worker: the site's /sw.js imports this file
   (importScripts("/static/notifications/push-sw.js")).

   A push carries JSON made by notifications/push.py: {title, body, url}, already in the
   person's language; `url` is the notification's own address on this site, which marks
   it read and goes on to what it is about. Tapping the notification focuses a tab
   already there or opens one; an address of another site is never opened. */
(function () {
  "use strict";
  var LIST = "/notifications/";

  function sameSite(url) {
    try {
      var target = new URL(url || LIST, self.location.origin);
      return target.origin === self.location.origin ? target.href
                                                    : new URL(LIST, self.location.origin).href;
    } catch (error) {
      return new URL(LIST, self.location.origin).href;
    }
  }

  self.addEventListener("push", function (event) {
    var data = {};
    if (event.data) {
      try {
        data = event.data.json();
      } catch (error) {
        data = {title: event.data.text()};
      }
    }
    var title = data.title || "Autogestion";
    event.waitUntil(self.registration.showNotification(title, {
      body: data.body || "",
      data: {url: sameSite(data.url)},
      icon: "/static/autogestion/favicon.svg",
      badge: "/static/autogestion/favicon.svg"
    }));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var url = sameSite(event.notification.data && event.notification.data.url);
    event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true})
      .then(function (windows) {
        for (var i = 0; i < windows.length; i++) {
          var client = windows[i];
          if (client.url === url && "focus" in client) return client.focus();
        }
        return self.clients.openWindow(url);
      }));
  });
})();
