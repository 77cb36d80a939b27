/* Talkmall chat automation in the talk pane (docs/automation.md): draws the ``offer`` cards
 * of messages that arrive live (talk.js calls
 * window.talkCards[m.data.card](bodyEl, message, pane); the server renders the same markup
 * from templates/chatbot/_card.html), and sends offer answers (accept / decline / counter)
 * with fetch so the pane stays open: the resulting offer message arrives over the socket.
 * Vanilla JS, no build step; text goes in with textContent. */
(function () {
  "use strict";
  window.talkCards = window.talkCards || {};
  if (window.talkCards.offer) return;

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }
  var S = json("talk-bot-strings");
  var URLS = json("talk-bot-urls");
  var TIME_FMT = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Seoul", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function won(n) {
    return (S.won || "%(amount)s won").replace("%(amount)s", Number(n || 0).toLocaleString("en-US"));
  }
  function when(iso) {
    var p = {};
    TIME_FMT.formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p.month + "/" + p.day + " " + p.hour + ":" + p.minute;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function csrf(pane) {
    var input = pane.root.querySelector("input[name=csrfmiddlewaretoken]") ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function form(pane, action, cls) {
    var f = el("form", cls);
    f.method = "post";
    f.action = action;
    var token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrf(pane);
    var next = el("input");
    next.type = "hidden";
    next.name = "next";
    next.value = location.pathname + location.search;
    f.appendChild(token);
    f.appendChild(next);
    return f;
  }
  function actionUrl(offer, action) {
    return URLS.action.replace("123456789", String(offer)).replace("ACTION", action);
  }
  window.talkCards.offer = function (msgBody, m, pane) {
    var d = m.data || {};
    msgBody.textContent = "";
    var card = el("div", "bot-card offer-card offer-" + d.step);
    card.dataset.offer = d.offer;
    card.dataset.step = d.step;
    card.appendChild(el("p", "offer-head")).appendChild(
      el("span", "offer-step", (S.steps || {})[d.step] || d.step));
    var goods = el("p", "offer-goods");
    var a = el("a", null, d.goods ? d.goods.name : "");
    if (d.goods) a.href = d.goods.url;
    goods.appendChild(a);
    goods.appendChild(document.createTextNode((d.option ? " (" + d.option + ")" : "") + " × " + d.quantity));
    card.appendChild(goods);
    var price = el("p", "offer-price");
    price.appendChild(el("strong", null, won(d.price)));
    price.appendChild(document.createTextNode(" "));
    price.appendChild(el("s", "muted", won(d.asked_price)));
    price.appendChild(document.createTextNode(" "));
    price.appendChild(el("span", "muted", S.each));
    card.appendChild(price);

    /* Newer steps of this offer close the older cards (their buttons go). */
    var newer = false;
    Array.prototype.forEach.call(pane.list.querySelectorAll('.offer-card[data-offer="' + d.offer + '"]'), function (other) {
      var otherLi = other.closest("li.msg");
      var otherId = otherLi ? Number(otherLi.dataset.id) : 0;
      if (otherId && otherId < m.id) {
        other.classList.add("offer-closed");
        Array.prototype.forEach.call(
          other.querySelectorAll("[data-role=offer-actions], .offer-status"),
          function (node) { node.remove(); });
      } else if (otherId > m.id) {
        newer = true;
      }
    });
    var live = (d.status === "open" || d.status === "countered") &&
      new Date(d.expires_at) > new Date();
    var isBuyer = d.buyer === pane.me;
    var myTurn = d.status === "countered" ? isBuyer : !isBuyer;
    if (newer || !live) card.className += " offer-closed";
    if (!newer && live && pane.member && myTurn && (d.step === "offer" || d.step === "counter")) {
      var acts = el("div", "offer-actions");
      acts.dataset.role = "offer-actions";
      [["accept", "btn btn-small btn-primary"], ["decline", "btn btn-small"]].forEach(function (x) {
        var f = form(pane, actionUrl(d.offer, x[0]));
        f.dataset.role = "offer-form";
        var b = el("button", x[1], S[x[0]]);
        b.type = "submit";
        b.dataset.action = x[0];
        f.appendChild(b);
        acts.appendChild(f);
      });
      var cf = form(pane, actionUrl(d.offer, "counter"), "offer-counter");
      cf.dataset.role = "offer-form";
      var input = el("input");
      input.type = "number";
      input.name = "price";
      input.min = "1";
      input.required = true;
      input.inputMode = "numeric";
      input.placeholder = S.won_placeholder;
      input.setAttribute("aria-label", S.counter_label);
      cf.appendChild(input);
      var cb = el("button", "btn btn-small", S.counter);
      cb.type = "submit";
      cb.dataset.action = "counter";
      cf.appendChild(cb);
      acts.appendChild(cf);
      card.appendChild(acts);
    }
    if (d.lock && isBuyer && new Date(d.expires_at) > new Date()) {
      var bf = form(pane, URLS.buy.replace("123456789", String(d.lock)), "offer-buy");
      var buy = el("button", "btn btn-primary", "🛒 " + S.buy.replace("%(price)s", Number(d.price).toLocaleString("en-US")));
      buy.type = "submit";
      buy.dataset.role = "lock-buy";
      bf.appendChild(buy);
      bf.appendChild(document.createTextNode(" "));
      bf.appendChild(el("span", "muted", S.until.replace("%(when)s", when(d.expires_at))));
      card.appendChild(bf);
    }
    msgBody.appendChild(card);
  };

  /* Offer answers: POST with fetch; the new offer message comes back over the socket. */
  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.matches || !f.matches("form[data-role=offer-form]")) return;
    if (!window.fetch || !window.FormData) return;
    var root = f.closest(".talk[data-live]");
    var pane = null;
    ((window.TalkmallTalk || {}).panes || []).forEach(function (p) { if (p.root === root) pane = p; });
    if (!pane || !pane.ws || pane.ws.readyState !== WebSocket.OPEN) return;  /* plain POST */
    event.preventDefault();
    var buttons = f.parentNode.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(f.action, {
      method: "POST", body: new FormData(f), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: S.failed }; });
    }).then(function (result) {
      if (result.ok) { pane.showError(""); return; }
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      pane.showError(result.error || S.failed);
    }).catch(function () {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      pane.showError(S.failed);
    });
  });
})();
