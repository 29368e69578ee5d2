// The meeting room, live: listens on the room's websocket (or polls when websockets are
// blocked) and redraws the speaker, the list, one's own place and the gesture counts,
// with the same words as the page (the server sends the sentence of one's place; the
// labels come with the page, in #room-texts).
// Gestures fade by themselves: each update says when each one fades, in the server's
// time, and the counts go down at those moments, whatever this device's clock says.
// Every button is a plain form that works without this script; here it is sent with
// fetch so the page does not reload.
(function () {
  "use strict";
  const root = document.getElementById("room");
  if (!root) return;
  const me = root.dataset.me;
  const template = document.getElementById("hand-template");
  const readJson = function (id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const texts = readJson("room-texts") || {};
  const language = document.documentElement.lang || "en";
  const plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(language) : null;
  const text = (el, value) => { if (el) el.textContent = value; };

  function turnsText(n) {
    const forms = texts.turns || {};
    const form = (plural && plural.select(n) === "one") ? forms.one : forms.other;
    return (form || "%(n)s").replace("%(n)s", n.toLocaleString(language));
  }

  // The server's clock: the offset between the moment an update was made (its "now")
  // and this device's clock when it arrived.
  let offset = 0;
  function serverNow() { return Date.now() + offset; }
  function learnTime(payload) {
    const now = payload && payload.now ? Date.parse(payload.now) : NaN;
    if (!isNaN(now)) offset = now - Date.now();
  }

  let gestures = {};  // per kind: live count when the update was made
  let fading = {};    // per kind: moments (ms, server time) at which each one fades
  function showGestures() {
    const now = serverNow();
    Object.entries(gestures).forEach(function ([kind, count]) {
      const gone = (fading[kind] || []).filter(function (at) { return at <= now; }).length;
      text(root.querySelector('[data-gesture="' + kind + '"]'), String(Math.max(0, count - gone)));
    });
    const people = root.querySelector('[data-bind="gesture-people"]');
    if (people) {
      let shown = 0;
      people.querySelectorAll("li").forEach(function (li) {
        const at = li.dataset.fadesAt ? Date.parse(li.dataset.fadesAt) : NaN;
        li.hidden = !isNaN(at) && at <= now;
        if (!li.hidden) shown += 1;
      });
      const box = document.getElementById("who-gestures");
      if (box) box.hidden = shown === 0;
    }
  }
  function learnGestures(state) {
    gestures = state.gestures || {};
    fading = {};
    Object.entries(state.fading || {}).forEach(function ([kind, moments]) {
      fading[kind] = moments.map(function (at) { return Date.parse(at); });
    });
  }

  function renderGesturePeople(list) {
    const people = root.querySelector('[data-bind="gesture-people"]');
    if (!people || !list) return;
    people.innerHTML = "";
    list.forEach(function (g) {
      const li = document.createElement("li");
      li.dataset.fadesAt = g.fades_at || "";
      li.textContent = g.label + " — " + g.name;
      people.appendChild(li);
    });
  }

  let gestureVersion = null;
  function render(payload) {
    const state = payload.state;
    learnTime(payload);
    const speaker = root.querySelector('[data-bind="speaker"]');
    if (speaker) {
      speaker.innerHTML = "";
      if (state.speaker) {
        const strong = document.createElement("strong");
        strong.textContent = state.speaker.name;
        speaker.appendChild(strong);
        if (state.speaker.kind !== "speak") {
          const badge = document.createElement("span");
          badge.className = "badge";
          badge.textContent = (texts.kinds || {})[state.speaker.kind] || state.speaker.kind;
          speaker.append(" ", badge);
        }
      } else {
        const nobody = document.createElement("span");
        nobody.className = "muted";
        nobody.textContent = texts.nobodySpeaks || "—";
        speaker.appendChild(nobody);
      }
    }
    const floor = document.getElementById("you-have-the-floor");
    if (floor) floor.hidden = !(state.speaker && state.speaker.who === me);
    const timer = root.querySelector('[data-timer="speaker"]');
    if (timer) { timer.dataset.since = state.speaker ? (state.speaker.since || "") : ""; timer.dataset.limit = state.speaker_limit || ""; }
    const itemTimer = root.querySelector('[data-timer="item"]');
    if (itemTimer) { itemTimer.dataset.since = state.item ? (state.item.since || "") : ""; itemTimer.dataset.limit = state.item ? state.item.minutes * 60 : ""; }
    const item = root.querySelector('[data-bind="item"]');
    if (item) {
      item.innerHTML = "";
      const title = document.createElement(state.item ? "strong" : "span");
      if (!state.item) title.className = "muted";
      title.textContent = state.item ? state.item.title : (texts.noItem || "—");
      item.appendChild(title);
    }
    const list = root.querySelector('[data-bind="queue"]');
    if (list && template) {
      list.innerHTML = "";
      if (!state.queue.length) {
        const empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = texts.nobodyWaiting || "—";
        list.appendChild(empty);
      }
      state.queue.forEach(function (hand) {
        const li = template.content.firstElementChild.cloneNode(true);
        li.dataset.who = hand.who;
        text(li.querySelector(".name"), hand.name);
        const detail = li.querySelector(".detail");
        if (detail) {
          const process = hand.kind !== "speak";
          detail.className = process ? "detail badge" : "detail small muted";
          detail.textContent = process ? ((texts.kinds || {})[hand.kind] || hand.kind) : "(" + turnsText(hand.turns) + ")";
        }
        const who = li.querySelector('input[name="who"]');
        if (who) who.value = hand.who;
        const kind = li.querySelector('input[name="kind"]');
        if (kind) kind.value = hand.kind;
        list.appendChild(li);
      });
    }
    text(root.querySelector('[data-bind="place"]'), payload.place ? payload.place.text : (texts.notOnList || "—"));
    learnGestures(state);
    if (payload.gesture_people) renderGesturePeople(payload.gesture_people);
    else if (root.dataset.facilitator && gestureVersion !== null && JSON.stringify(state.gestures) !== gestureVersion) {
      // Who makes which gesture is the facilitator's alone, never in what every screen
      // receives: asked for when the counts change.
      poll();
    }
    gestureVersion = JSON.stringify(state.gestures);
    showGestures();
    const raise = document.getElementById("raise-hand");
    const lower = document.getElementById("lower-hand");
    const mine = state.queue.some(function (h) { return h.who === me && h.kind === "speak"; });
    const button = raise || lower;
    if (button) {
      button.form.querySelector('input[name="action"]').value = mine ? "lower" : "raise";
      button.textContent = mine ? (texts.lower || "↓") : (texts.raise || "✋");
      button.id = mine ? "lower-hand" : "raise-hand";
      button.classList.toggle("secondary", mine);
    }
  }

  function tick() {
    root.querySelectorAll("[data-timer]").forEach(function (el) {
      if (!el.dataset.since) { el.textContent = "—"; el.classList.remove("over"); return; }
      const seconds = Math.max(0, Math.floor((serverNow() - Date.parse(el.dataset.since)) / 1000));
      const limit = parseInt(el.dataset.limit || "0", 10);
      el.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0") + (limit ? " / " + Math.floor(limit / 60) + ":" + String(limit % 60).padStart(2, "0") : "");
      el.classList.toggle("over", limit > 0 && seconds > limit);
    });
    showGestures();
  }

  // The page as the server drew it: its time and its gestures' fading moments.
  const first = readJson("room-screen");
  if (first) {
    learnTime(first);
    learnGestures(first.state);
    gestureVersion = JSON.stringify(first.state.gestures);
  }
  setInterval(tick, 1000);
  tick();

  // The server's refusals (in the person's language) shown on the page, not in a dialog.
  function notify(message) {
    let box = document.getElementById("room-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "room-error";
      box.className = "error";
      box.setAttribute("role", "alert");
      root.prepend(box);
    }
    box.textContent = message;
  }

  const FORBIDDEN = 4403;  // the server's close code: this person may not see the room
  let polling = null;
  let retry = 1500;
  let shut = false;
  function stop(message) {
    shut = true;
    if (polling) { clearInterval(polling); polling = null; }
    if (message) notify(message);
  }
  function poll() {
    fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" } })
      .then(function (r) {
        // Gone from view (access lost, room removed): polling again changes nothing.
        if (r.status === 403 || r.status === 404) { stop(root.dataset.lost || ""); return; }
        if (r.ok) return r.json().then(render);
      }).catch(function () {});
  }
  function connect() {
    if (shut) return;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/rooms/" + root.dataset.room + "/");
    let farewell = "";  // the server's last word before it cuts this person off
    socket.onmessage = function (event) {
      const payload = JSON.parse(event.data);
      if (payload.state) render(payload);
      else if (payload.reply && !payload.reply.ok) {
        notify(payload.reply.error);
        if (payload.reply.status === 403 && payload.reply.id === null) farewell = payload.reply.error;
      }
    };
    socket.onopen = function () { retry = 1500; if (polling) { clearInterval(polling); polling = null; } };
    socket.onclose = function (event) {
      // Refused or cut off: reconnecting would be refused again.
      if (event.code === FORBIDDEN) { stop(farewell || event.reason); return; }
      if (shut) return;
      if (!polling) polling = setInterval(poll, 5000);
      retry = Math.min(retry * 2, 60000);  // back off where websockets do not pass
      setTimeout(connect, retry);
    };
  }
  connect();

  document.addEventListener("submit", function (event) {
    const form = event.target;
    // The person said no to a confirmation question (site.js): nothing is sent.
    if (event.defaultPrevented) return;
    if (!form.hasAttribute("data-action") || !root.contains(form)) return;
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    // A held gesture goes as a plain form: the page comes back with it to let go.
    if (form.dataset.plainIf && data.get(form.dataset.plainIf)) return;
    event.preventDefault();
    // getAttribute: a field named "action" hides the form's action property.
    fetch(form.getAttribute("action"), { method: "POST", body: data, headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function ([ok, body]) {
        if (!ok) notify(body.detail || "Error");
        poll();
      })
      .catch(function () { form.submit(); });
  });
})();
