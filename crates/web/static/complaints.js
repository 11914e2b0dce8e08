// The public complaint form: suggests registered and licensed names as one types the
// 涉及的机构或个人 field. The form works the same without this script.
(function () {
  "use strict";
  var input = document.getElementById("subject_name");
  var list = document.getElementById("subject-suggestions");
  var address = document.getElementById("subject_address");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var asked = "";

  function clear() {
    while (list.firstChild) list.removeChild(list.firstChild);
    list.hidden = true;
  }

  function show(names) {
    clear();
    names.forEach(function (n) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      var strong = document.createElement("strong");
      strong.textContent = n.name;
      b.appendChild(strong);
      if (n.address) {
        var small = document.createElement("small");
        small.textContent = n.address;
        b.appendChild(small);
      }
      b.addEventListener("click", function () {
        input.value = n.name;
        if (address && !address.value.trim() && n.address) address.value = n.address;
        clear();
        input.focus();
      });
      li.appendChild(b);
      list.appendChild(li);
    });
    list.hidden = names.length === 0;
  }

  function lookup(q) {
    if (q === asked) return;
    asked = q;
    fetch("/api/public/names?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (names) { if (input.value.trim() === q) show(names); })
      .catch(function () { clear(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { asked = ""; clear(); return; }
    timer = setTimeout(function () { lookup(q); }, 300);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") clear();
  });
})();
