// Search as you type: the header box (登记 / 项目 / 售后问题 / 人员) and the people / project
// pickers of forms. Plain script, no build; the server decides what each user may see or pick.
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    var debounced = function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, wait);
    };
    debounced.cancel = function () { clearTimeout(timer); };
    return debounced;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Arrow keys move through the options of a list, Enter takes the active one, Escape closes.
  function keyboard(input, list, choose, close) {
    input.addEventListener("keydown", function (event) {
      var options = Array.prototype.slice.call(list.querySelectorAll("[data-option]"));
      var current = options.findIndex(function (o) { return o.classList.contains("active"); });
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) return;
        event.preventDefault();
        var next = event.key === "ArrowDown" ? current + 1 : current - 1;
        if (next < 0) next = options.length - 1;
        if (next >= options.length) next = 0;
        options.forEach(function (o) { o.classList.remove("active"); o.setAttribute("aria-selected", "false"); });
        options[next].classList.add("active");
        options[next].setAttribute("aria-selected", "true");
        options[next].scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter" && current >= 0 && !list.hidden) {
        event.preventDefault();
        choose(options[current]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  // -- the header box --------------------------------------------------------------------
  function headerSearch(form) {
    var input = form.querySelector("[data-search-input]");
    var panel = form.querySelector("[data-search-panel]");
    var minChars = parseInt(input.dataset.minChars || "2", 10);
    var sequence = 0;

    function close() { panel.hidden = true; input.setAttribute("aria-expanded", "false"); }

    function show(data) {
      panel.textContent = "";
      if (!data.groups.length) {
        panel.appendChild(el("div", "search-empty", "没有找到您有权查看的相关记录"));
      }
      data.groups.forEach(function (group) {
        var box = el("div", "search-group");
        box.dataset.kind = group.kind;
        box.appendChild(el("div", "search-group-title", group.label));
        group.hits.forEach(function (hit) {
          var link = el("a", "search-hit");
          link.href = hit.url;
          link.setAttribute("role", "option");
          link.dataset.option = "";
          link.appendChild(el("span", "search-hit-title", hit.title));
          link.appendChild(el("span", "search-hit-detail", hit.detail));
          box.appendChild(link);
        });
        panel.appendChild(box);
      });
      var more = el("a", "search-more", "查看全部结果");
      more.href = data.more_url;
      more.dataset.option = "";
      panel.appendChild(more);
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    var lookup = debounce(function () {
      var q = input.value.trim();
      if (q.length < minChars) { close(); return; }
      var mine = ++sequence;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === sequence) show(data); })
        .catch(function () {});
    }, 200);

    input.addEventListener("input", lookup);
    input.addEventListener("focus", function () { if (panel.childNodes.length && input.value.trim().length >= minChars) { panel.hidden = false; } });
    keyboard(input, panel, function (option) { window.location.href = option.href; }, close);
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) close(); });
  }

  // -- pickers -----------------------------------------------------------------------------
  function picker(box) {
    var input = box.querySelector("[data-picker-input]");
    var list = box.querySelector("[data-picker-list]");
    var multiple = box.hasAttribute("data-multiple");
    var hidden = box.querySelector("[data-picker-value]");
    var chips = box.querySelector("[data-picker-chips]");
    var name = box.dataset.name;
    var sequence = 0;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }

    function chosenValues() {
      return Array.prototype.map.call(box.querySelectorAll("input[type=hidden][name='" + name + "']"), function (i) { return i.value; });
    }

    function addChip(value, label) {
      if (chosenValues().indexOf(value) >= 0) return;
      var chip = el("li", "picker-chip");
      var keep = el("input");
      keep.type = "hidden"; keep.name = name; keep.value = value;
      var remove = el("button", "link", "×");
      remove.type = "button";
      remove.setAttribute("data-picker-remove", "");
      remove.setAttribute("aria-label", "移除 " + label);
      chip.appendChild(keep); chip.appendChild(el("span", "", label)); chip.appendChild(remove);
      chips.appendChild(chip);
    }

    var lookup;

    function choose(option) {
      // a choice ends the search: drop a lookup still waiting or on its way
      lookup.cancel();
      sequence++;
      if (multiple) {
        addChip(option.dataset.value, option.dataset.label);
        input.value = "";
      } else {
        hidden.value = option.dataset.value;
        input.value = option.dataset.label;
      }
      close();
      input.dispatchEvent(new CustomEvent("picker:chosen", { bubbles: true, detail: option.dataset.value }));
    }

    function show(results) {
      list.textContent = "";
      if (!results.length) {
        var none = el("li", "picker-empty", "没有可选择的匹配项");
        list.appendChild(none);
      }
      results.forEach(function (r) {
        var item = el("li", "picker-option");
        item.setAttribute("role", "option");
        item.dataset.option = "";
        item.dataset.value = r.value;
        item.dataset.label = r.label;
        item.appendChild(el("span", "picker-label", r.label));
        item.appendChild(el("span", "picker-detail", r.detail));
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    lookup = debounce(function () {
      var mine = ++sequence;
      var q = input.value.trim();
      var url = box.dataset.url + (box.dataset.url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === sequence) show(data.results); })
        .catch(function () {});
    }, 200);

    input.addEventListener("input", function () {
      if (!multiple) hidden.value = "";  // typing again means choosing again
      lookup();
    });
    // a click in an empty box lists the choices; typing narrows them
    input.addEventListener("click", function () { if (!input.value.trim() && list.hidden) lookup(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    keyboard(input, list, choose, close);
    if (chips) {
      chips.addEventListener("click", function (event) {
        if (event.target.hasAttribute("data-picker-remove")) event.target.closest("li").remove();
      });
    }
  }

  document.querySelectorAll("[data-site-search]").forEach(headerSearch);
  // pickers that arrive later (a workspace tab swapped in by htmx) are woken by pmisPickers(root)
  function pickersIn(root) {
    root.querySelectorAll("[data-picker]:not([data-picker-ready])").forEach(function (box) {
      box.setAttribute("data-picker-ready", "");
      picker(box);
    });
  }
  window.pmisPickers = pickersIn;
  pickersIn(document);
})();
