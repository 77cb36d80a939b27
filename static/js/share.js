/* Share boxes: copy the ready share text (navigator.clipboard, or select + execCommand). */
(function () {
  "use strict";
  if (window.talkmallShareReady) { return; }
  window.talkmallShareReady = true;

  function fallbackCopy(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = button.parentNode.querySelector(".share-status");
    function done(ok) {
      if (!ok) { field.focus(); field.select(); }
      if (status) { status.textContent = button.getAttribute(ok ? "data-copied" : "data-failed"); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { done(true); },
        function () { done(fallbackCopy(field)); });
    } else {
      done(fallbackCopy(field));
    }
  });
})();
