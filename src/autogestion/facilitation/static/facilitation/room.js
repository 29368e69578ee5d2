// The meeting room, live: listens on the room's websocket (or polls when websockets are
// blocked) and redraws the speaker, the list, one's own place and the gesture counts.
// Every button is a plain form that works without this script; here it is sent with
// fetch so the page does not reload.
(function () {
  "use strict";
  const root = document.getElementById("room");
  if (!root) return;
  const me = root.dataset.me;
  const template = document.getElementById("hand-template");
  const text = (el, value) => { if (el) el.textContent = value; };

  function placeText(place) {
    if (!place) return root.dataset.notOnList || "—";
    if (place.reason === "process_point") return "#" + place.position;
    if (place.reason === "not_spoken_yet") return "#" + place.position + " — " + (root.dataset.priority || "priority: you have not spoken yet");
    return "#" + place.position + " — " + place.turns + " ↺, " + place.ahead_with_fewer + " ↑";
  }

  function render(payload) {
    const state = payload.state;
    const speaker = root.querySelector('[data-bind="speaker"]');
    if (speaker) speaker.innerHTML = "";
    if (speaker) {
      const strong = document.createElement("strong");
      strong.textContent = state.speaker ? state.speaker.name : (root.dataset.nobodySpeaks || "—");
      speaker.appendChild(strong);
      if (state.speaker && state.speaker.kind !== "speak") {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = state.speaker.kind;
        speaker.append(" ", badge);
      }
    }
    const floor = document.getElementById("you-have-the-floor");
    if (floor) floor.hidden = !(state.speaker && state.speaker.who === me);
    const timer = root.querySelector('[data-timer="speaker"]');
    if (timer) { timer.dataset.since = state.speaker ? (state.speaker.since || "") : ""; timer.dataset.limit = state.speaker_limit || ""; }
    const itemTimer = root.querySelector('[data-timer="item"]');
    if (itemTimer) { itemTimer.dataset.since = state.item ? (state.item.since || "") : ""; itemTimer.dataset.limit = state.item ? state.item.minutes * 60 : ""; }
    text(root.querySelector('[data-bind="item"]'), state.item ? state.item.title : "—");
    const list = root.querySelector('[data-bind="queue"]');
    if (list && template) {
      list.innerHTML = "";
      if (!state.queue.length) {
        const empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = root.dataset.nobody || "—";
        list.appendChild(empty);
      }
      state.queue.forEach(function (hand) {
        const li = template.content.firstElementChild.cloneNode(true);
        li.dataset.who = hand.who;
        text(li.querySelector(".name"), hand.name);
        text(li.querySelector(".detail"), hand.kind === "speak" ? "(" + hand.turns + ")" : "[" + hand.kind + "]");
        const who = li.querySelector('input[name="who"]');
        if (who) who.value = hand.who;
        const kind = li.querySelector('input[name="kind"]');
        if (kind) kind.value = hand.kind;
        list.appendChild(li);
      });
    }
    text(root.querySelector('[data-bind="place"]'), placeText(payload.place));
    Object.entries(state.gestures || {}).forEach(function ([kind, count]) {
      text(root.querySelector('[data-gesture="' + kind + '"]'), String(count));
    });
    const raise = document.getElementById("raise-hand");
    const lower = document.getElementById("lower-hand");
    const mine = state.queue.some(function (h) { return h.who === me && h.kind === "speak"; });
    if (raise || lower) {
      const form = (raise || lower).form;
      form.querySelector('input[name="action"]').value = mine ? "lower" : "raise";
      (raise || lower).textContent = mine ? (root.dataset.lowerLabel || "↓") : (root.dataset.raiseLabel || "✋");
      (raise || lower).id = mine ? "lower-hand" : "raise-hand";
    }
  }

  function tick() {
    root.querySelectorAll("[data-timer]").forEach(function (el) {
      if (!el.dataset.since) { el.textContent = "—"; el.classList.remove("over"); return; }
      const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.since)) / 1000));
      const limit = parseInt(el.dataset.limit || "0", 10);
      el.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0") + (limit ? " / " + Math.floor(limit / 60) + ":" + String(limit % 60).padStart(2, "0") : "");
      el.classList.toggle("over", limit > 0 && seconds > limit);
    });
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
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
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
