// A select with data-follows="<name>" offers only the options whose data-region matches the value
// chosen in the select of that name in the same form (the province list follows the region).
// Without a region every option is offered. The server refuses a mismatch anyway.
(function () {
  "use strict";

  function follow(select) {
    var form = select.form;
    var leader = form && form.elements.namedItem(select.dataset.follows);
    if (!leader) return;
    var all = Array.prototype.slice.call(select.options);

    function apply() {
      var region = leader.value;
      var chosen = select.value;
      while (select.options.length) select.remove(0);
      all.forEach(function (option) {
        if (!option.dataset.region || !region || option.dataset.region === region) select.add(option);
      });
      var kept = all.some(function (o) { return o.value === chosen && o.parentNode === select; });
      select.value = kept ? chosen : "";
    }

    leader.addEventListener("change", apply);
    apply();
  }

  function start() {
    document.querySelectorAll("select[data-follows]").forEach(follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
