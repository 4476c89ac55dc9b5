// 相似的知识: as the title of a ticket is typed, show knowledge articles that look alike.
(function () {
  "use strict";
  document.querySelectorAll("[data-similar-url]").forEach(function (box) {
    var input = document.querySelector(box.getAttribute("data-similar-for"));
    if (!input) return;
    var timer = null;
    var last = "";
    function look() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 2) { box.innerHTML = ""; return; }
      fetch(box.getAttribute("data-similar-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (input.value.trim() === q) box.innerHTML = html; })
        .catch(function () {});
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(look, 300); });
    look();
  });
})();
