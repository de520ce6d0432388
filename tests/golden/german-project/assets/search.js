// The search page: looks words up in the Pagefind index that `briefgen publish` (or
// `briefgen build --search`) writes to pagefind/, entirely in the browser.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pagefind]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  input.value = query;

  function say(text, note) {
    status.textContent = text;
    status.className = note ? "search-status search-note" : "search-status";
  }

  if (window.location.protocol === "file:") {
    // Browsers do not let a page opened from disk load the index's scripts and files.
    say("Search needs the site to be served over HTTP: a browser will not load the " +
        "search index of pages opened from disk. Put the site on a web server, or run " +
        "\u201cpython3 -m http.server --directory site\u201d and open http://localhost:8000/.",
        true);
    return;
  }

  var bundle = new URL(form.getAttribute("data-pagefind"), document.baseURI);
  var loading = null;
  function pagefind() {
    if (!loading) {
      loading = import(bundle.href).then(function (module) {
        // Result links inside the folder the site is served from, at any sub-path.
        return module.options({ baseUrl: new URL("../", bundle).pathname }).then(function () {
          return module;
        });
      });
    }
    return loading;
  }

  // Pagefind's excerpts are text with <mark> around the hits: keep exactly that.
  function excerpt(html) {
    var out = document.createElement("p");
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(results, words) {
    list.replaceChildren();
    results.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      item.appendChild(link);
      item.appendChild(excerpt(data.excerpt || ""));
      list.appendChild(item);
    });
    var count = results.length;
    say(count === 0 ? "Nothing found for \u201c" + words + "\u201d." :
        count + (count === 1 ? " page" : " pages") + " found for \u201c" + words + "\u201d.");
  }

  function run(words) {
    if (!words) { say("Type words to look for."); return; }
    say("Searching\u2026");
    pagefind().then(function (module) {
      return module.search(words);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 30).map(function (r) { return r.data(); }));
    }).then(function (results) {
      show(results, words);
    }).catch(function () {
      loading = null;
      say("The search index did not load: this copy of the site may have none. It is made by " +
          "\u201cbriefgen publish\u201d, or \u201cbriefgen build --search\u201d " +
          "(pagefind/ in the site); the live preview of \u201cbriefgen serve\u201d has none.",
          true);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var words = input.value.trim();
    var url = new URL(window.location.href);
    url.searchParams.set("q", words);
    window.history.replaceState(null, "", url);
    run(words);
  });
  run(query);
})();
