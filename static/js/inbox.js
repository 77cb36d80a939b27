/* Talkmall "My talks": live unread badges, previews and order over /ws/inbox/
 * (docs/websocket.md). Rows are server-rendered; this only updates them. */
(function () {
  "use strict";
  var list = document.querySelector("[data-role=talks]");
  if (!list) return;
  var stringsEl = document.getElementById("inbox-strings");
  var t = stringsEl ? JSON.parse(stringsEl.textContent) : {};
  var TIME_FMT = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Seoul", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  var attempt = 0;
  var refreshing = null;  /* while the list is being fetched: the frames that came meanwhile */
  var again = false;      /* asked to redraw while fetching: the fetch may predate the ask */

  function label(count) {
    return count > 99 ? "99+" : String(count);
  }
  function formatTime(iso) {
    var parts = {};
    TIME_FMT.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.month + "/" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function updateTotal() {
    var total = 0;
    list.querySelectorAll(".talk-row").forEach(function (row) {
      total += Number(row.dataset.unread || 0);
    });
    document.querySelectorAll("[data-role=total], [data-role=nav-unread]").forEach(function (el) {
      el.textContent = label(total);
      el.hidden = !total;
    });
  }

  /* Redraw the list from the server: on every (re)connect, since events may have come
     between drawing the page and subscribing, and for a channel we do not list yet (a new
     1:1 chat, an approval). Frames that arrive meanwhile are applied again on top. */
  function refresh() {
    if (refreshing) { again = true; return; }
    again = false;
    refreshing = [];
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-role=talks]");
        if (fresh) { list.innerHTML = fresh.innerHTML; updateTotal(); }
      })
      .catch(function () {})
      .then(function () {
        var held = refreshing;
        refreshing = null;
        held.forEach(function (frame) { onUnread(frame, true); });
        if (again) refresh();
      });
  }

  /* A later page of My talks: a talk that is not on it belongs on the first page now. */
  var firstPage = !(parseInt(new URLSearchParams(location.search).get("page"), 10) > 1);

  function onUnread(frame, replaying) {
    if (refreshing) refreshing.push(frame);
    var row = list.querySelector('.talk-row[data-channel="' + Number(frame.channel) + '"]');
    if (!row) { if (firstPage && !replaying) refresh(); return; }
    var m = frame.last_message;
    if (m) {
      if (Number(row.dataset.lastId || 0) >= m.id && frame.count === undefined) return;
      row.dataset.lastId = m.id;
      var preview = row.querySelector("[data-role=preview]");
      if (preview) {
        var body = m.deleted ? (t.deleted || "") : m.body;
        preview.textContent = (m.author ? m.author + ": " : "") + body;
      }
      var time = row.querySelector("[data-role=time]");
      if (time) { time.dateTime = m.created_at; time.textContent = formatTime(m.created_at); }
      list.insertBefore(row, list.firstElementChild);  /* latest activity first */
    }
    if (typeof frame.count === "number") {
      row.dataset.unread = frame.count;
      var badge = row.querySelector("[data-role=badge]");
      if (badge) { badge.textContent = label(frame.count); badge.hidden = !frame.count; }
    }
    updateTotal();
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + list.dataset.ws);
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "ready") {
        attempt = 0;
        list.dataset.live = "1";
        refresh();
      } else if (frame.type === "unread") {
        onUnread(frame);
      } else if (frame.type === "membership") {
        refresh();
      }
    };
    ws.onclose = function (event) {
      delete list.dataset.live;
      if (event.code === 4401) return;
      attempt += 1;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, attempt - 1)));
    };
  }
  connect();
})();
