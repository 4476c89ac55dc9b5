// The ticket page's live countdown to the resolution due time: amber from the policy's warning
// point (data-warn), red once the due time has passed. The server's clock is the reference
// (data-now), so a wrong clock on the desk does not change the colour.
(function () {
  var box = document.getElementById("sla-countdown");
  if (!box || !box.dataset.due) return;
  var due = Date.parse(box.dataset.due);
  var warn = box.dataset.warn ? Date.parse(box.dataset.warn) : null;
  var offset = box.dataset.now ? Date.parse(box.dataset.now) - Date.now() : 0;
  var left = box.querySelector(".sla-left");

  function span(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    var parts = [];
    if (days) parts.push(days + " 天");
    if (days || hours) parts.push(hours + " 小时");
    parts.push(minutes + " 分");
    if (!days) parts.push((secs < 10 ? "0" : "") + secs + " 秒");
    return parts.join(" ");
  }

  function tick() {
    var now = Date.now() + offset;
    var level = now >= due ? "breached" : warn !== null && now >= warn ? "warn" : "ok";
    box.classList.remove("sla-ok", "sla-warn", "sla-breached");
    box.classList.add("sla-" + level);
    box.dataset.level = level;
    if (left) left.textContent = level === "breached" ? "已超时 " + span(now - due) : "剩余 " + span(due - now);
  }

  tick();
  setInterval(tick, 1000);
})();
