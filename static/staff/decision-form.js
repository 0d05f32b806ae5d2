/* Live checks of the decision form. The server repeats every check (funding.rules);
   this only warns early. Amounts are parsed like funding.forms.parse_euro. */
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  var aside = document.getElementById("ledger-aside");
  if (!form || !aside) { return; }

  var GERMAN = /^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$/;
  var POINT = /^-?\d+\.\d{1,2}$/;
  var MONEY = ["eligible_costs", "amount", "own_share", "private_investment"];

  // Amounts in cents as integers, so that sums are exact (no float rounding on money).
  function parseCents(text) {
    var cleaned = String(text || "").replace(/€/g, "").replace(/\u2212/g, "-").replace(/[\s\u00a0]/g, "");
    var normal;
    if (GERMAN.test(cleaned)) { normal = cleaned.replace(/\./g, "").replace(",", "."); }
    else if (POINT.test(cleaned)) { normal = cleaned; }
    else { return null; }
    var negative = normal.charAt(0) === "-";
    if (negative) { normal = normal.slice(1); }
    var parts = normal.split(".");
    var cents = parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
    return negative ? -cents : cents;
  }

  function formatCents(cents) {
    var negative = cents < 0;
    var abs = Math.abs(cents);
    var euros = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var rest = String(abs % 100);
    if (rest.length < 2) { rest = "0" + rest; }
    return (negative ? "-" : "") + euros + "," + rest + " €";
  }

  function formatPercent(numerator, denominator) {
    if (!denominator) { return "—"; }
    var basisPoints = Math.round((numerator * 10000) / denominator);
    var whole = Math.trunc(basisPoints / 100);
    var rest = String(Math.abs(basisPoints % 100));
    if (rest.length < 2) { rest = "0" + rest; }
    return whole + "," + rest + " %";
  }

  function field(name) { return form.querySelector("[name='" + name + "']") || document.getElementById("id_" + name); }

  function totals() {
    var result = {};
    MONEY.forEach(function (name) {
      var value = aside.getAttribute("data-total-" + name);
      result[name] = value === null ? null : parseCents(value);
    });
    return result;
  }

  var rateOut = document.getElementById("check-rate");
  var afterOut = document.getElementById("check-total-after");
  var list = document.getElementById("check-messages");

  function say(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = item.ok ? "is-ok" : "is-error";
      li.textContent = item.text;
      list.appendChild(li);
    });
  }

  function check() {
    var kindField = field("kind");
    var kind = kindField ? kindField.value : "initial";
    var values = {};
    var messages = [];
    MONEY.forEach(function (name) {
      var input = field(name);
      var text = input ? input.value.trim() : "";
      values[name] = text === "" ? 0 : parseCents(text);
      if (values[name] === null) {
        messages.push({ ok: false, text: (input && input.labels && input.labels[0] ? input.labels[0].textContent.replace("*", "").trim() : name) + ": kein gültiger Betrag (z. B. 1.234,56)." });
      }
    });
    if (messages.length) { say(messages); rateOut.textContent = "—"; afterOut.textContent = "—"; return; }

    rateOut.textContent = formatPercent(values.amount, values.eligible_costs);
    var before = totals();
    var known = before.amount !== null;
    var after = {};
    MONEY.forEach(function (name) { after[name] = (before[name] || 0) + values[name]; });
    afterOut.textContent = known ? formatCents(after.amount) + " (" + formatPercent(after.amount, after.eligible_costs) + ")" : "—";

    if (kind === "initial") {
      MONEY.forEach(function (name) {
        if (values[name] < 0) { messages.push({ ok: false, text: "Ein Zuwendungsbescheid enthält keine negativen Beträge." }); }
      });
      if (values.amount > values.eligible_costs) {
        messages.push({ ok: false, text: "Die Zuwendung übersteigt die zuwendungsfähigen Ausgaben." });
      }
    } else {
      if (kind === "revocation" && values.amount >= 0) {
        messages.push({ ok: false, text: "Ein Widerruf nimmt Zuwendung zurück: der Betrag muss negativ sein." });
      }
      if (known && after.amount < 0) {
        messages.push({ ok: false, text: "Damit fiele die Zuwendung des Projekts unter null (bisher " + formatCents(before.amount) + ")." });
      }
      if (known && after.amount > after.eligible_costs) {
        messages.push({ ok: false, text: "Die Zuwendung des Projekts überstiege dann seine zuwendungsfähigen Ausgaben." });
      }
    }
    if (!messages.length) { messages.push({ ok: true, text: "Keine Auffälligkeiten." }); }
    say(messages);
  }

  function loadLedger(projectId) {
    if (!projectId) { return; }
    var url = form.getAttribute("data-ledger-url").replace("/0/", "/" + encodeURIComponent(projectId) + "/");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        aside.querySelector("[data-ledger-project]").textContent = data.project;
        MONEY.forEach(function (name) {
          aside.setAttribute("data-total-" + name, data.totals[name]);
          var cell = aside.querySelector("[data-total-text='" + name + "']");
          if (cell) { cell.textContent = formatCents(parseCents(data.totals[name])); }
        });
        var body = aside.querySelector("[data-ledger-table] tbody");
        if (body) {
          while (body.firstChild) { body.removeChild(body.firstChild); }
          data.lines.forEach(function (line) {
            var row = document.createElement("tr");
            [line.decision_date, line.reference, line.kind, formatCents(parseCents(line.amount)), formatCents(parseCents(line.total_amount))]
              .forEach(function (text, index) {
                var cell = document.createElement("td");
                cell.textContent = text;
                if (index > 2) { cell.className = "num"; }
                row.appendChild(cell);
              });
            body.appendChild(row);
          });
        }
        check();
      })
      .catch(function () { /* the server checks on save anyway */ });
  }

  form.addEventListener("input", check);
  form.addEventListener("change", function (event) {
    if (event.target === field("project")) { loadLedger(event.target.value); }
    check();
  });
  check();
})();
