// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Facet checkboxes and the 词语位置 choice apply at once (without JavaScript, the "筛选" button does it); dates only by their
  // "应用" button, so a half-typed date is never sent.
  var form = document.getElementById("facet-form");
  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target.type === "checkbox" || e.target.type === "radio") { form.submit(); }
    });
  }

  // "复制引用" copies the citation (the button is shown only where it can work).
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "已复制";
      }, function () {
        button.textContent = "复制失败，请手动选择";
      });
    });
  });

  // "/" focuses the search box.
  var box = document.querySelector(".searchbox input[type=search]");
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && box && document.activeElement !== box && !/input|textarea/i.test(document.activeElement.tagName)) {
      e.preventDefault();
      box.focus();
    }
  });

  // Suggestions under the search box.
  if (!box || !box.dataset.suggest || !window.fetch) { return; }
  var list = document.createElement("ul");
  list.className = "suggest";
  list.hidden = true;
  list.setAttribute("role", "listbox");
  box.parentNode.appendChild(list);
  var timer = null, active = -1, items = [];
  var kinds = { title: "标题", department: "单位", topic: "主题" };

  function render(suggestions) {
    list.textContent = "";
    items = suggestions;
    active = -1;
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.textContent = s.value;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kinds[s.type] || "";
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = suggestions.length === 0;
  }

  function choose(i) {
    var s = items[i];
    if (!s) { return; }
    if (s.type === "title" && s.url) { window.location.href = s.url; return; }
    var params = new URLSearchParams();
    if (s.type === "department") { params.set("department", s.value); }
    else if (s.type === "topic") { params.set("topic", s.value); }
    window.location.href = "/search?" + params.toString();
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    var q = box.value.trim();
    if (!q) { render([]); return; }
    timer = setTimeout(function () {
      fetch(box.dataset.suggest + "?q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (box.value.trim() === q) { render(data.suggestions || []); } })
        .catch(function () { render([]); });
    }, 150);
  });
  box.addEventListener("keydown", function (e) {
    if (list.hidden) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      Array.prototype.forEach.call(list.children, function (li, i) { li.classList.toggle("active", i === active); });
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") {
      render([]);
    }
  });
  box.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 100); });
})();
