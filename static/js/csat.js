/* Talkmall CSAT rating card in the talk pane (docs/convenience.md). talk.js calls
 * window.talkCards[m.data.card](bodyEl, message, pane) for a card that arrives live; the
 * server renders the same card (templates/chatfeedback/_csat_card.html) on page load. */
(function () {
  "use strict";
  var stringsEl = document.getElementById("csat-strings");
  var t = stringsEl ? JSON.parse(stringsEl.textContent) : {};
  window.talkCards = window.talkCards || {};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  window.talkCards.csat = function (body, m, pane) {
    var data = m.data || {};
    var card = el("div", { "class": "csat-card", "data-survey": String(data.survey) });
    var mine = pane.me && Number(pane.me) === Number(data.buyer);
    if (data.score) {
      card.appendChild(el("p", { "class": "csat-done" },
        ((mine ? t.done : t.rated) || "%(score)s / 5").replace("%(score)s", data.score)));
    } else if (mine) {
      var form = el("form", { method: "post", action: data.url, "class": "csat-form" });
      var token = pane.root.querySelector("input[name=csrfmiddlewaretoken]");
      if (token) form.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: token.value }));
      form.appendChild(el("input", { type: "hidden", name: "next", value: location.pathname + location.search }));
      var scores = el("fieldset", { "class": "csat-scores" });
      scores.appendChild(el("legend", { "class": "sr-only" }, t.question || ""));
      for (var n = 1; n <= 5; n++) {
        var label = el("label", { title: (t.scores || [])[n - 1] || String(n) });
        label.appendChild(el("input", { type: "radio", name: "score", value: String(n), required: "" }));
        label.appendChild(el("span", {}, String(n)));
        scores.appendChild(label);
      }
      form.appendChild(scores);
      form.appendChild(el("textarea", { name: "comment", rows: "2", maxlength: "1000", placeholder: t.comment || "" }));
      form.appendChild(el("button", { type: "submit", "class": "btn btn-primary btn-small" }, t.send || "OK"));
      card.appendChild(form);
    } else {
      card.appendChild(el("p", { "class": "muted" }, t.waiting || ""));
    }
    body.appendChild(card);
  };
})();
