/* Talkmall talk pane: keeps a server-rendered pane (templates/chat/_pane.html) live over
 * /ws/channels/<id>/ (protocol: docs/websocket.md). Vanilla JS, no build step.
 * Chat text is rendered with textContent (never innerHTML) plus http(s) links and <br>. */
(function () {
  "use strict";
  if (window.TalkmallTalk) return;
  window.TalkmallTalk = { panes: [] };

  var URL_RE = /https?:\/\/[^\s<>"'`]+/gi;
  var TRAILING = ".,;:!?'\")]}…。、」』>";
  var NEAR_BOTTOM = 60;
  var TIME_FMT = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Seoul", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function trimUrl(url) {
    while (url && TRAILING.indexOf(url.charAt(url.length - 1)) !== -1) {
      var last = url.charAt(url.length - 1);
      if (last === ")" && url.split("(").length >= url.split(")").length) break;
      url = url.slice(0, -1);
    }
    return url;
  }

  /* Append ``text`` to ``el`` as text nodes, <a> for http(s) URLs and <br> for newlines. */
  function renderText(el, text) {
    text = String(text || "").replace(/\r\n?/g, "\n");
    var pos = 0, match;
    function plain(chunk) {
      chunk.split("\n").forEach(function (line, i) {
        if (i > 0) el.appendChild(document.createElement("br"));
        if (line) el.appendChild(document.createTextNode(line));
      });
    }
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = trimUrl(match[0]);
      if (!/^https?:\/\/[^\/?#\s]/i.test(url)) continue;
      plain(text.slice(pos, match.index));
      var a = document.createElement("a");
      a.href = url;
      a.rel = "nofollow noopener noreferrer";
      a.target = "_blank";
      a.textContent = url;
      el.appendChild(a);
      pos = match.index + url.length;
    }
    plain(text.slice(pos));
  }

  function formatTime(iso) {
    var parts = {};
    TIME_FMT.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.month + "/" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function Pane(root) {
    this.root = root;
    this.channel = Number(root.dataset.channel);
    this.me = Number(root.dataset.me || 0);
    this.member = root.dataset.member === "1";
    this.manager = root.dataset.manager === "1";
    this.topic = root.dataset.topic || "";
    this.hasOlder = root.dataset.hasOlder === "1";
    this.following = root.dataset.hasNewer !== "1"; /* false when showing an older slice */
    this.lastRead = Number(root.dataset.lastRead || 0);
    var stringsEl = document.getElementById(root.dataset.strings);
    this.t = stringsEl ? JSON.parse(stringsEl.textContent) : { errors: {} };
    this.list = root.querySelector("[data-role=list]");
    this.scroll = root.querySelector("[data-role=scroll]");
    this.form = root.querySelector("[data-role=form]");
    this.body = root.querySelector("[data-role=body]");
    this.status = root.querySelector("[data-role=status]");
    this.errorEl = root.querySelector("[data-role=error]");
    this.jump = root.querySelector("[data-role=jump]");
    this.jumpCount = root.querySelector("[data-role=jump-count]");
    this.typingEl = root.querySelector("[data-role=typing]");
    var csrf = root.querySelector("input[name=csrfmiddlewaretoken]");
    this.csrf = csrf ? csrf.value : "";
    this.pinned = {};       /* ids of pinned messages (for Pin / Unpin in action menus) */
    var self0 = this;
    root.querySelectorAll("[data-role=pins] li[data-id]").forEach(function (li) {
      self0.pinned[li.dataset.id] = true;
    });
    this.onlineEl = root.querySelector("[data-role=online]");
    this.pending = {};      /* client_id -> {body, topic} not yet acknowledged */
    this.unseen = 0;        /* new messages arrived while scrolled up */
    /* Every message up to this id is shown: a resume starts here, not at the newest shown,
       which may be a re-sent message's answer beyond a gap that is still being filled. */
    this.through = this.following ? this.lastId() : 0;
    this.loadingOlder = false;
    this.readSent = this.lastRead;
    this.attempt = 0;
    this.closedForGood = false;
    this.lastTyping = 0;
    this.typingTimer = null;
    this.bind();
    this.scrollToStart();
    this.connect();
  }

  Pane.prototype.ids = function () {
    return Array.prototype.map.call(this.list.querySelectorAll("li.msg[data-id]"), function (li) {
      return Number(li.dataset.id);
    });
  };
  Pane.prototype.lastId = function () {
    var ids = this.ids();
    return ids.length ? ids[ids.length - 1] : 0;
  };
  /* A message or a resumed page that joins on to ``through`` moves it on. A topic pane's
     live broadcasts name the channel's previous message, not the topic's: they join as they
     come. A re-sent message's answer (``replay``) joins only by its ``prev``. */
  Pane.prototype.advance = function (prev, id, broadcast) {
    if (id <= this.through) return;
    if ((this.topic && broadcast) || (prev || 0) <= this.through) this.through = id;
  };
  Pane.prototype.firstId = function () {
    var ids = this.ids();
    return ids.length ? ids[0] : 0;
  };
  Pane.prototype.nearBottom = function () {
    var s = this.scroll;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM;
  };
  Pane.prototype.toBottom = function () {
    this.scroll.scrollTop = this.scroll.scrollHeight;
    this.unseen = 0;
    this.updateJump();
  };
  Pane.prototype.scrollToStart = function () {
    var target = this.list.querySelector(".msg-target") ||
      this.list.querySelector("[data-role=divider]");
    if (target) {
      this.scroll.scrollTop = Math.max(0, target.offsetTop - this.scroll.offsetTop - 40);
    } else {
      this.toBottom();
    }
    this.updateJump();
  };

  Pane.prototype.setStatus = function (text) {
    if (this.status) this.status.textContent = text || "";
  };
  Pane.prototype.showError = function (text) {
    if (!this.errorEl) { this.setStatus(text); return; }
    this.errorEl.textContent = text || "";
    this.errorEl.hidden = !text;
  };

  /* --- rendering ---------------------------------------------------------------------- */

  Pane.prototype.buildMessage = function (m) {
    var li = document.createElement("li");
    li.className = "msg";
    if (m.author && m.author.id === this.me) li.className += " mine";
    if (m.kind === "system") li.className += " msg-system";
    var auto = !m.author && (m.kind === "bot" || m.kind === "offer");  /* the store's bot */
    if (auto) li.className += " msg-auto";
    if (m.deleted) li.className += " msg-deleted";
    li.id = "msg-" + m.id;
    li.dataset.id = m.id;
    li.dataset.topic = m.topic || "";
    if (m.kind !== "system") {
      var meta = document.createElement("div");
      meta.className = "msg-meta";
      var author = document.createElement("span");
      author.className = "msg-author";
      author.textContent = m.author ? m.author.name : (auto ? "🤖 " + (this.t.auto || "") : "");
      var time = document.createElement("time");
      time.dateTime = m.created_at;
      time.textContent = formatTime(m.created_at);
      meta.appendChild(author);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(time);
      if (m.topic) {
        var topic = document.createElement("span");
        topic.className = "msg-topic";
        topic.textContent = "#" + m.topic;
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(topic);
      }
      li.appendChild(meta);
    }
    var body = document.createElement("div");
    body.className = "msg-body";
    if (m.deleted) {
      var em = document.createElement("em");
      em.className = "msg-tombstone";
      em.textContent = this.t.deleted || "deleted message";
      body.appendChild(em);
    } else if (m.kind === "product_card" || m.kind === "order_card") {
      body.appendChild(this.buildCard(m));
    } else {
      renderText(body, m.body);
      /* A card of another module (static/js/csat.js …) renders itself below the text. */
      var card = m.data && m.data.card && window.talkCards && window.talkCards[m.data.card];
      if (card) card(body, m, this);
    }
    li.appendChild(body);
    if (this.member && m.id && !m.deleted && m.kind !== "system" && m.kind !== "order_card") {
      li.appendChild(this.buildActions(m));  /* order cards belong to the order: no menu */
    }
    return li;
  };

  /* The ⋯ menu of templates/chat/_message.html: delete (own, or managers), pin (managers),
   * report (others' messages). Plain forms posting back to this page, like the server's. */
  Pane.prototype.buildActions = function (m) {
    var t = this.t, self = this;
    var next = location.pathname + location.search;
    var details = document.createElement("details");
    details.className = "msg-more";
    var summary = document.createElement("summary");
    summary.title = t.more || "More";
    summary.textContent = "⋯";
    details.appendChild(summary);
    var box = document.createElement("div");
    box.className = "msg-actions";
    function postForm(action, label, extra) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = action;
      var fields = { csrfmiddlewaretoken: self.csrf, next: next };
      Object.keys(extra || {}).forEach(function (k) { fields[k] = extra[k]; });
      Object.keys(fields).forEach(function (name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = fields[name];
        form.appendChild(input);
      });
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "linklike";
      button.textContent = label;
      form.appendChild(button);
      box.appendChild(form);
    }
    var mine = !!(m.author && m.author.id === this.me);
    if (mine || this.manager) postForm("/talk/messages/" + m.id + "/delete/", t["delete"] || "Delete");
    if (this.manager) {
      if (this.pinned[m.id]) postForm("/talk/messages/" + m.id + "/pin/", t.unpin || "Unpin", { action: "unpin" });
      else postForm("/talk/messages/" + m.id + "/pin/", t.pin || "Pin");
    }
    if (!mine) {
      var a = document.createElement("a");
      a.href = "/talk/messages/" + m.id + "/report/?next=" + encodeURIComponent(next);
      a.textContent = t.report || "Report";
      box.appendChild(a);
    }
    details.appendChild(box);
    return details;
  };

  /* --- product and order cards (templates/chat/_card_product.html, _card_order.html) ---- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function won(n, t) { return Number(n || 0).toLocaleString("ko-KR") + (t.won || ""); }
  function safeHref(url) { return /^(\/(?!\/)|https?:\/\/)/i.test(url || "") ? url : "#"; }

  Pane.prototype.buildCard = function (m) {
    if (m.kind === "order_card") return this.buildOrderCard(m.data || {});
    var self = this, data = m.data || {};
    var card = this.buildProductCard(data, m);
    /* A closed store's card carries no price: ask the server what this reader may see. */
    if (data.members_only && m.id) {
      fetch("/talk/messages/" + m.id + "/card/", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer || !card.parentNode) return;
          card.replaceWith(self.buildProductCard(answer.card, m, answer.card.buy_url));
        })
        .catch(function () {});
    }
    return card;
  };

  Pane.prototype.buildProductCard = function (card, m, buyHref) {
    var t = this.t;
    var root = el("div", "pcard" + (card.gone ? " pcard-gone" : ""));
    root.dataset.card = "product";
    root.dataset.goods = card.goods_id;
    var imgLink = el("a", "pcard-img");
    imgLink.href = safeHref(card.url);
    if (card.image_url) {
      var img = el("img");
      img.src = safeHref(card.image_url);
      img.alt = "";
      img.loading = "lazy";
      imgLink.appendChild(img);
    } else {
      imgLink.appendChild(el("span", "", "🛍️"));
    }
    root.appendChild(imgLink);
    var info = el("div", "pcard-info");
    var name = el("a", "pcard-name", card.name);
    name.href = safeHref(card.url);
    info.appendChild(name);
    if (card.gone) {
      info.appendChild(el("p", "muted pcard-note", t.gone));
    } else if (card.price !== undefined && card.price !== null) {
      var price = el("p", "pcard-price");
      price.appendChild(el("span", "price", won(card.price, t)));
      if (card.list_price) {
        price.appendChild(document.createTextNode(" "));
        price.appendChild(el("s", "muted", won(card.list_price, t)));
      }
      info.appendChild(price);
      if (card.options && card.options.length) {
        var ul = el("ul", "pcard-options");
        card.options.forEach(function (o) {
          ul.appendChild(el("li", "pill" + (o.sold_out ? " stock-out" : ""), o.name));
        });
        info.appendChild(ul);
      }
      if (card.sold_out) {
        info.appendChild(el("p", "pill stock-out", t.sold_out));
      } else {
        var buy = el("a", "btn btn-primary btn-small pcard-buy", t.buy_now);
        buy.href = safeHref(buyHref ||
          (card.buy_url + "?from_channel=" + m.channel + "&from_message=" + m.id));
        buy.dataset.role = "buy";
        info.appendChild(buy);
      }
    } else {
      info.appendChild(el("p", "muted pcard-note", "🔒 " + (t.members_only || "")));
    }
    root.appendChild(info);
    return root;
  };

  Pane.prototype.buildOrderCard = function (card) {
    var t = this.t;
    var root = el("div", "ocard");
    root.dataset.card = "order";
    root.dataset.order = card.number || "";
    root.dataset.status = card.status || "";
    var head = el("div", "ocard-head");
    head.appendChild(el("span", "ocard-number", "📦 " + (t.order || "%(number)s").replace("%(number)s", card.number)));
    head.appendChild(document.createTextNode(" "));
    var label = (t.statuses && t.statuses[card.status]) || card.status_label;
    var status = el("span", "ocard-status status-" + card.status, label);
    status.dataset.role = "order-status";
    head.appendChild(status);
    root.appendChild(head);
    var lines = el("ul", "ocard-lines");
    (card.lines || []).forEach(function (line) {
      lines.appendChild(el("li", "", line.name + (line.option ? " (" + line.option + ")" : "") + " × " + line.quantity));
    });
    if (card.more) lines.appendChild(el("li", "muted", (t.more_lines || "+%(n)s").replace("%(n)s", card.more)));
    root.appendChild(lines);
    var total = el("p", "ocard-total", (t.total || "") + " ");
    total.appendChild(el("strong", "price", won(card.total, t)));
    root.appendChild(total);
    if (card.claim) {
      var claim = el("p", "ocard-claim", card.claim.label);
      claim.dataset.role = "order-claim";
      root.appendChild(claim);
    }
    if (card.tracking_number) {
      var tracking = el("p", "ocard-tracking", "🚚 " + card.courier + " " + card.tracking_number);
      tracking.dataset.role = "order-tracking";
      if (card.tracking_url) {
        tracking.appendChild(document.createTextNode(" · "));
        var track = el("a", "", t.track);
        track.href = safeHref(card.tracking_url);
        track.target = "_blank";
        track.rel = "noopener noreferrer";
        tracking.appendChild(track);
      }
      root.appendChild(tracking);
    }
    var href = card.buyer_id === this.me ? card.url : card.seller_url;
    if (href) {
      var link = el("a", "ocard-link", (t.order_details || "") + " ›");
      link.href = safeHref(href);
      root.appendChild(link);
    }
    return root;
  };

  /* ``message_updated``: a message changed in place (an order card's status): redraw it. */
  Pane.prototype.onUpdated = function (m) {
    var existing = document.getElementById("msg-" + m.id);
    if (!existing || !this.list.contains(existing)) return;
    var li = this.buildMessage(m);
    if (existing.classList.contains("msg-target")) li.classList.add("msg-target");
    existing.replaceWith(li);
  };

  /* Insert in id order; an id already shown is replaced (edits, tombstones), never doubled. */
  Pane.prototype.place = function (m) {
    if (this.topic && (m.topic || "") !== this.topic) return false;
    var existing = document.getElementById("msg-" + m.id);
    if (existing && this.list.contains(existing)) {
      if (m.deleted && !existing.classList.contains("msg-deleted")) {
        existing.replaceWith(this.buildMessage(m));
      }
      return false;
    }
    var empty = this.list.querySelector("[data-role=empty]");
    if (empty) empty.remove();
    var li = this.buildMessage(m);
    var items = this.list.querySelectorAll("li.msg[data-id]");
    var ref = null;
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].dataset.id) > m.id) { ref = items[i]; break; }
    }
    if (ref) {
      var prev = ref.previousElementSibling;
      if (prev && prev.dataset.role === "divider" && m.id <= this.lastRead) ref = prev;
    } else {
      ref = this.list.querySelector("[data-role=newer]");
    }
    this.list.insertBefore(li, ref);
    return true;
  };

  Pane.prototype.onMessage = function (m, replay) {
    if (!this.following) return;  /* an older slice (?around / ?before): no live appends */
    var stick = this.nearBottom();
    if (m.client_id && this.pending[m.client_id] && m.author && m.author.id === this.me) {
      delete this.pending[m.client_id];
      var ghost = this.list.querySelector('[data-client-id="' + CSS.escape(m.client_id) + '"]');
      if (ghost) ghost.remove();
      stick = true;
    }
    if (m.author && this.typingEl && this.typingUser === m.author.id) {
      this.typingEl.textContent = "";
    }
    var added = this.place(m);
    this.advance(m.prev, m.id, !replay);
    if (!added) return;
    if (stick) {
      this.toBottom();
    } else if (!(m.author && m.author.id === this.me)) {
      this.unseen += 1;
      this.updateJump();
    }
    this.maybeRead();
  };

  /* A live message names the channel's previous one (``prev``): if this pane shows older
     messages but not that one, it was never delivered (its server died before publishing),
     so resume from the last id below it. */
  Pane.prototype.fillGap = function (m) {
    if (!m.prev || !this.following || this.topic) return;
    var ids = this.ids();
    if (!ids.length || m.prev < ids[0] || ids.indexOf(m.prev) !== -1) return;
    var below = ids.filter(function (id) { return id < m.prev; });
    this.send({ type: "resume", after: below.length ? below[below.length - 1] : 0 });
  };

  Pane.prototype.updateJump = function () {
    if (!this.jump) return;
    var show = !this.nearBottom();
    this.jump.hidden = !show;
    if (this.jumpCount) {
      this.jumpCount.hidden = !(show && this.unseen);
      this.jumpCount.textContent = this.unseen > 99 ? "99+" : String(this.unseen);
    }
  };

  Pane.prototype.showGhost = function (clientId, body) {
    var li = this.buildMessage({
      id: 0, author: { id: this.me, name: "" }, kind: "text", body: body,
      topic: this.topic, created_at: new Date().toISOString()
    });
    li.removeAttribute("id");
    delete li.dataset.id;
    li.className += " msg-pending";
    li.dataset.clientId = clientId;
    li.querySelector(".msg-author").textContent = this.t.sending || "…";
    this.list.appendChild(li);
    this.toBottom();
  };

  /* --- the socket --------------------------------------------------------------------- */

  Pane.prototype.connect = function () {
    var self = this;
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    this.setStatus(this.attempt ? this.t.offline : this.t.connecting);
    var ws = new WebSocket(proto + location.host + this.root.dataset.ws);
    this.ws = ws;
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.handle(frame);
    };
    ws.onclose = function (event) {
      self.ws = null;
      if ([4401, 4403, 4404].indexOf(event.code) !== -1) {
        self.closedForGood = true;
        self.setStatus(self.t["closed_" + event.code]);
        if (self.form) self.form.hidden = true;
        return;
      }
      self.attempt += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, self.attempt - 1)) * (0.75 + Math.random() / 2);
      self.setStatus(self.t.offline);
      setTimeout(function () { self.connect(); }, delay);
    };
  };

  Pane.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };

  Pane.prototype.handle = function (frame) {
    var self = this;
    switch (frame.type) {
      case "ready":
        this.attempt = 0;
        this.setStatus("");
        this.member = !!frame.member;
        if (frame.archived) this.setArchived(true);
        this.showOnline(frame.members_online);
        this.send({ type: "presence" });  /* then presence frames on every change */
        /* Catch up on whatever arrived since the page was drawn or the socket dropped. */
        if (this.following) this.send({ type: "resume", after: this.through, topic: this.topic || undefined });
        Object.keys(this.pending).forEach(function (cid) {
          var p = self.pending[cid];
          self.send({ type: "send", client_id: cid, body: p.body, topic: p.topic || undefined });
        });
        this.maybeRead();
        break;
      case "message":
        this.fillGap(frame.message);
        this.onMessage(frame.message, frame.replay);
        break;
      case "message_updated":
        this.onUpdated(frame.message);
        break;
      case "history":
        this.onHistory(frame);
        break;
      case "typing":
        this.showTyping(frame.user);
        break;
      case "read":
        if (frame.user === this.me) this.readSent = Math.max(this.readSent, frame.up_to);
        break;
      case "channel":
        var title = this.root.querySelector(".talk-title");
        if (title && frame.title) title.textContent = "💬 " + frame.title;
        this.setArchived(!!frame.archived);
        break;
      case "presence":
        this.showOnline(frame.online);
        break;
      case "pins":
        this.renderPins(frame.pins || []);
        break;
      case "error":
        this.onError(frame);
        break;
    }
  };

  Pane.prototype.onHistory = function (frame) {
    var self = this;
    if (frame.after !== undefined && frame.after !== null) {
      var stick = this.nearBottom();
      var added = 0;
      frame.messages.forEach(function (m) { if (self.place(m)) added += 1; });
      if (stick) this.toBottom(); else { this.unseen += added; this.updateJump(); }
      /* The next page follows this page's last message, not the newest shown: a live
         message or a re-sent one's answer may already sit beyond the rest of the gap. */
      var pageEnd = frame.messages.length ? frame.messages[frame.messages.length - 1].id : this.lastId();
      this.advance(frame.after, pageEnd);
      if (frame.has_more) this.send({ type: "resume", after: pageEnd, topic: this.topic || undefined });
      this.maybeRead();
      return;
    }
    /* Older messages: prepend and keep the reader where they were. */
    var oldHeight = this.scroll.scrollHeight, oldTop = this.scroll.scrollTop;
    frame.messages.forEach(function (m) { self.place(m); });
    this.hasOlder = !!frame.has_more;
    var older = this.list.querySelector("[data-role=older]");
    if (older && !this.hasOlder) older.remove();
    if (older && this.hasOlder) this.list.insertBefore(older, this.list.firstChild);
    this.scroll.scrollTop = oldTop + (this.scroll.scrollHeight - oldHeight);
    this.loadingOlder = false;
  };

  Pane.prototype.loadOlder = function () {
    if (this.loadingOlder || !this.hasOlder) return;
    var first = this.firstId();
    if (!first) return;
    if (this.send({ type: "history", before: first, limit: 50, topic: this.topic || undefined })) {
      this.loadingOlder = true;
    }
  };

  Pane.prototype.onError = function (frame) {
    var text = (this.t.errors && this.t.errors[frame.code]) || frame.detail;
    if (frame.client_id && this.pending[frame.client_id]) {
      var p = this.pending[frame.client_id];
      delete this.pending[frame.client_id];
      var ghost = this.list.querySelector('[data-client-id="' + CSS.escape(frame.client_id) + '"]');
      if (ghost) ghost.remove();
      if (this.body && !this.body.value) this.body.value = p.body;  /* lose nothing */
    }
    if (frame.code === "archived") this.setArchived(true);
    this.showError(text);
  };

  Pane.prototype.setArchived = function (archived) {
    var note = this.root.querySelector("[data-role=archived]");
    if (note) note.hidden = !archived;
    if (this.form) this.form.hidden = archived;
  };

  Pane.prototype.renderPins = function (pins) {
    var box = this.root.querySelector("[data-role=pins]");
    if (!box) return;
    box.textContent = "";
    var self = this;
    this.pinned = {};
    pins.forEach(function (m) {
      self.pinned[m.id] = true;
      var li = document.createElement("li");
      li.dataset.id = m.id;
      var a = document.createElement("a");
      a.href = "/talk/" + self.channel + "/?around=" + m.id + "#msg-" + m.id;
      var body = m.body || "";
      a.textContent = body.length > 80 ? body.slice(0, 79) + "…" : body;
      li.appendChild(document.createTextNode("📌 "));
      li.appendChild(a);
      box.appendChild(li);
    });
    box.hidden = !pins.length;
  };

  /* "N online": members with the talk open (docs/websocket.md, presence). */
  Pane.prototype.showOnline = function (count) {
    if (!this.onlineEl || typeof count !== "number") return;
    this.onlineEl.textContent = "● " + (this.t.online || "%(count)s online").replace("%(count)s", count);
    this.onlineEl.hidden = count < 1;
  };

  Pane.prototype.showTyping = function (user) {
    var self = this;
    if (!this.typingEl || !user) return;
    this.typingUser = user.id;
    this.typingEl.textContent = (this.t.typing || "%(name)s…").replace("%(name)s", user.name);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.typingEl.textContent = ""; }, 4000);
  };

  /* Mark read when the newest message is on screen and the page is visible. */
  Pane.prototype.maybeRead = function () {
    if (!this.member || !this.following || document.hidden || !this.nearBottom()) return;
    var last = this.lastId();
    if (last > this.readSent && this.send({ type: "read", up_to: last })) this.readSent = last;
  };

  /* --- input -------------------------------------------------------------------------- */

  Pane.prototype.submit = function (event) {
    var text = this.body.value.trim();
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;  /* plain POST fallback */
    event.preventDefault();
    if (!text) return;
    this.showError("");
    var cid = newClientId();
    this.pending[cid] = { body: text, topic: this.topic };
    this.showGhost(cid, text);
    this.send({ type: "send", client_id: cid, body: text, topic: this.topic || undefined });
    this.body.value = "";
    this.autosize();
  };

  /* "Share goods": post the card without leaving the page; it arrives on the socket. */
  Pane.prototype.share = function (event, box) {
    var self = this, form = event.target;
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !window.fetch) return;  /* plain POST */
    event.preventDefault();
    this.showError("");
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": this.csrf }
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) { self.showError(answer.error || self.t.errors.bad_request); return; }
        box.open = false;
        self.toBottom();
      });
    }).catch(function () { self.showError(self.t.errors.bad_request); });
  };

  Pane.prototype.autosize = function () {
    this.body.style.height = "auto";
    this.body.style.height = Math.min(this.body.scrollHeight, 140) + "px";
  };

  Pane.prototype.bind = function () {
    var self = this;
    this.scroll.addEventListener("scroll", function () {
      if (self.scroll.scrollTop < 80) self.loadOlder();
      if (self.nearBottom()) { self.unseen = 0; self.maybeRead(); }
      self.updateJump();
    });
    if (this.jump) this.jump.addEventListener("click", function () {
      if (!self.following) { location.href = "/talk/" + self.channel + "/"; return; }
      self.toBottom();
      self.maybeRead();
    });
    var older = this.list.querySelector("[data-role=older] a");
    if (older) older.addEventListener("click", function (e) {
      if (self.ws && self.ws.readyState === WebSocket.OPEN) { e.preventDefault(); self.loadOlder(); }
    });
    document.addEventListener("visibilitychange", function () { self.maybeRead(); });
    var share = this.root.querySelector("[data-role=share]");
    if (share) share.querySelector("form").addEventListener("submit", function (e) { self.share(e, share); });
    if (!this.form) return;
    this.form.addEventListener("submit", function (e) { self.submit(e); });
    this.body.addEventListener("keydown", function (e) {
      /* Enter sends; Shift+Enter is a newline; never while an IME is composing (Korean). */
      if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
      e.preventDefault();
      if (typeof self.form.requestSubmit === "function") self.form.requestSubmit();
      else self.form.dispatchEvent(new Event("submit", { cancelable: true }));
    });
    this.body.addEventListener("input", function () {
      self.autosize();
      var now = Date.now();
      if (self.member && self.body.value.trim() && now - self.lastTyping > 3000) {
        self.lastTyping = now;
        self.send({ type: "typing" });
      }
    });
  };

  function start() {
    document.querySelectorAll(".talk[data-live]").forEach(function (root) {
      if (root.dataset.started) return;
      root.dataset.started = "1";
      window.TalkmallTalk.panes.push(new Pane(root));
    });
  }
  window.TalkmallTalk.renderText = renderText;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
