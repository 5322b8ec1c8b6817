// nk-troops view: conveniences only; every page reads fully without this script.
(function () {
  "use strict";
  var toggles = document.querySelectorAll("input[data-layer-toggle]");
  function syncTabOrder() {  // a hidden layer's spans leave the tab order
    toggles.forEach(function (t) {
      document.querySelectorAll("mark.span." + t.value + "[id]").forEach(function (m) { m.tabIndex = t.checked ? 0 : -1; });
    });
  }
  toggles.forEach(function (t) { t.addEventListener("change", syncTabOrder); });
  syncTabOrder();
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { document.body.classList.add("tips-off"); return; }
    var mark = e.target.closest && e.target.closest("mark.span[id]");
    if (mark && e.key === "Enter") {  // from a span to its entry in the span list
      var entry = document.getElementById("d-" + mark.id);
      if (entry) { e.preventDefault(); entry.focus(); entry.scrollIntoView({ block: "center" }); }
    }
  });
  document.addEventListener("focusin", function () { document.body.classList.remove("tips-off"); });
  function relate(e, on) {  // a focused or hovered span outlines its speaker, cue or claimant mention
    var mark = e.target.closest && e.target.closest("mark.span");
    if (!mark) return;
    document.querySelectorAll('.mention[data-of~="' + mark.dataset.id + '"]').forEach(function (m) { m.classList.toggle("related", on); });
  }
  document.addEventListener("focusin", function (e) { relate(e, true); });
  document.addEventListener("focusout", function (e) { relate(e, false); });
  document.addEventListener("mouseover", function (e) { relate(e, true); });
  document.addEventListener("mouseout", function (e) { relate(e, false); });
})();
