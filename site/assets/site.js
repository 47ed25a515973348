// The web leaderboard's behaviour: sortable tables, the language-group filter and the heatmaps'
// dimming. Hand-written, no library, nothing loaded from elsewhere. Part of `harness leaderboard
// build` (harness/leaderboard/site/static/site.js); edit it there, never in site/.
//
// Averages follow harness/results/aggregate.py and language_groups.py to the bit: sums in the
// suite's order divided by the count, a task's score the mean of its score metrics' averages over
// its languages (in the group), None (here null, shown "incomplete") as soon as one is missing,
// never a mean over fewer; a category and the suite score the mean over the tasks that have
// languages in the group. Numbers print as Python's format(x, ".1f") prints them.
"use strict";

(function () {
  var source = document.getElementById("leaderboard-data");
  var DATA = source ? JSON.parse(source.textContent) : { suites: {} };

  // sum / n in the given order, or null when a value is missing (aggregate.mean, never partial).
  function mean(values) {
    if (values.length === 0) return null;
    var total = 0;
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null || values[i] === undefined) return null;
      total += values[i];
    }
    return total / values.length;
  }

  // Python's ".1f": the nearest tenth, a tie (x.x5 exactly, i.e. .25 or .75) to the even tenth;
  // toFixed rounds such ties up, which differs for .25 (Python 0.2, toFixed 0.3).
  function fmt(x) {
    var a = Math.abs(x);
    var text = a.toFixed(1);
    if (a * 4 === Math.floor(a * 4) && (a * 4) % 2 === 1) {
      var tenths = Math.round(a * 10); // .25 -> 2.5 -> 3 (up); .75 -> 7.5 -> 8
      if (tenths % 2 === 1) tenths -= 1; // to the even tenth
      text = Math.floor(tenths / 10) + "." + (tenths % 10);
    }
    return (x < 0 || Object.is(x, -0) ? "-" : "") + text;
  }

  // A task's score on the given languages: per score metric the mean over them, then the mean of
  // the metrics (QA: (EM + F1) / 2); null unless every language has every score metric.
  function taskScore(scores, task, languages) {
    var averages = task.score.map(function (metric) {
      return mean(
        languages.map(function (lang) {
          var values = scores && scores[lang];
          return values && Object.prototype.hasOwnProperty.call(values, metric) ? values[metric] : null;
        })
      );
    });
    return mean(averages);
  }

  // Every average of one entry on a group ("kind:group") or on all languages (""). A task with no
  // language in the group is undefined (n/a); it takes no part in the category and suite means.
  function averages(suite, entry, filter) {
    var kind = null, group = null;
    if (filter) {
      var at = filter.indexOf(":");
      kind = filter.slice(0, at);
      group = filter.slice(at + 1);
    }
    var tasks = {};
    suite.tasks.forEach(function (task) {
      var languages = task.languages.filter(function (lang) {
        return kind === null || suite.groups[lang][kind] === group;
      });
      tasks[task.name] = languages.length ? taskScore(entry[task.name], task, languages) : undefined;
    });
    function over(names) {
      var inside = names.filter(function (name) { return tasks[name] !== undefined; });
      return inside.length ? mean(inside.map(function (name) { return tasks[name]; })) : undefined;
    }
    var out = { overall: over(suite.tasks.map(function (t) { return t.name; })) };
    Object.keys(suite.categories).forEach(function (name) { out["cat:" + name] = over(suite.categories[name]); });
    Object.keys(tasks).forEach(function (name) { out["task:" + name] = tasks[name]; });
    return out;
  }

  function show(cell, value) {
    cell.classList.remove("missing", "na");
    if (value === undefined) {
      cell.textContent = "n/a";
      cell.dataset.value = "";
      cell.classList.add("na");
    } else if (value === null) {
      cell.textContent = cell.dataset.col.indexOf("task:") === 0 ? "—" : "incomplete";
      cell.dataset.value = "";
      cell.classList.add("missing");
    } else {
      cell.textContent = fmt(value);
      cell.dataset.value = String(value);
    }
  }

  function applyFilter(section, select) {
    var suite = DATA.suites[section.dataset.suite];
    if (!suite) return;
    var filter = select.value;
    section.querySelectorAll("tr[data-entry]").forEach(function (row) {
      var entry = suite.entries[row.dataset.entry];
      if (!entry) return;
      var values = averages(suite, entry, filter);
      row.querySelectorAll("[data-col]").forEach(function (cell) { show(cell, values[cell.dataset.col]); });
    });
    var kind = filter ? filter.slice(0, filter.indexOf(":")) : null;
    var group = filter ? filter.slice(filter.indexOf(":") + 1) : null;
    var inside = Object.keys(suite.groups).filter(function (lang) {
      return kind === null || suite.groups[lang][kind] === group;
    });
    section.querySelectorAll("[data-lang]").forEach(function (cell) {
      cell.classList.toggle("out", inside.indexOf(cell.dataset.lang) < 0);
    });
    var note = section.querySelector(".filter-note");
    if (note) {
      note.textContent = filter
        ? "Averages over the " + inside.length + " language(s) of " + select.options[select.selectedIndex].text +
          ": " + inside.join(", ") + ". n/a: the task has none of them. Published baselines are whole-suite " +
          "numbers: the filter does not apply to them."
        : "Averages over all the suite’s languages, as in results.json. Published baselines are whole-suite " +
          "numbers: the filter does not apply to them.";
    }
    section.querySelectorAll("table.sortable th[aria-sort]").forEach(function (th) {
      sortBy(th, th.getAttribute("aria-sort"));
    });
  }

  // Sort a table by one column: numbers by data-value (missing ones last), text by its letters;
  // equal keys keep the order the page was built in.
  function sortBy(th, direction) {
    var table = th.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.dataset.type === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, i) { if (row.dataset.order === undefined) row.dataset.order = String(i); });
    function key(row) {
      var cell = row.children[index];
      if (!cell) return null;
      if (!numeric) return cell.textContent.trim().toLowerCase();
      var raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
      var value = parseFloat(raw);
      return isNaN(value) ? null : value;
    }
    var sign = direction === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1; // missing last, either way
      } else if (x !== y) {
        return (x < y ? -1 : 1) * sign;
      }
      return Number(a.dataset.order) - Number(b.dataset.order);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    th.parentNode.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
  }

  document.querySelectorAll("table.sortable thead th").forEach(function (th) {
    var button = th.querySelector("button.sort");
    if (!button) return;
    button.addEventListener("click", function () {
      var current = th.getAttribute("aria-sort");
      var first = th.dataset.type === "num" ? "descending" : "ascending"; // best scores first
      var next = current === first ? (first === "descending" ? "ascending" : "descending") : first;
      sortBy(th, next);
    });
  });

  // The averaging rule and the number format, for the browser tests and the console.
  window.harnessLeaderboard = { fmt: fmt, averages: averages, data: DATA };

  document.querySelectorAll("section.suite").forEach(function (section) {
    var select = section.querySelector("select.group-filter");
    if (!select) return;
    select.addEventListener("change", function () { applyFilter(section, select); });
    if (select.value) applyFilter(section, select); // a choice the browser kept on reload
  });
})();
