/* gii-bot web chat: an answer's rows (Answer.data.rows) as a table with bars, or an ordered list of places.
   DOM calls and textContent only. A bar is an SVG rect whose width is an attribute (a presentation
   attribute, not a style), so it draws under the page's CSP style-src 'self'; bars are aria-hidden
   and every number sits in a cell. Used by chat.js as window.GiiBotRows. */
(function () {
  "use strict";

  var MIN_ROWS = 2;   // one row or none: the sentence says it all (as the terminal and Telegram tables)
  var CAP = 5;        // rows shown before "Show all"
  var SVG = "http://www.w3.org/2000/svg";

  // Per collection: caption and column headings; `unit` groups the counts that share one bar scale.
  var KINDS = {
    applicants: { caption: "PCT applicants", name: "PCT applicant", count: "PCT applications", unit: "pct" },
    publishers: { caption: "Publishing organizations", name: "Organization", count: "Scientific articles",
                  unit: "articles" },
    patent_partners: { caption: "Top partner locations for PCT applications", name: "Location" },
    article_partners: { caption: "Top partner locations for scientific articles", name: "Location" }
  };
  var OTHER = { caption: "Rows", name: "Name", count: "Count", unit: "count" };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function nameOf(row) {
    return String(row.shown || row.name || "").replace(/\s+/g, " ").trim();
  }

  // The rows worth drawing (objects with a name), or [] when fewer than two.
  function usable(rows) {
    if (!Array.isArray(rows)) return [];
    var good = rows.filter(function (row) { return row && typeof row === "object" && nameOf(row); });
    return good.length >= MIN_ROWS ? good : [];
  }

  // Rows grouped by collection, in the order the collections first appear.
  function blocks(rows) {
    var order = [], byTable = {};
    rows.forEach(function (row) {
      var table = typeof row.table === "string" ? row.table : "";
      if (!byTable[table]) { byTable[table] = []; order.push(table); }
      byTable[table].push(row);
    });
    return order.map(function (table) {
      var list = byTable[table];
      return { table: table, kind: KINDS[table] || OTHER, rows: list,
               figures: list.every(function (row) { return isNumber(row.count); }) };
    });
  }

  function rankOf(row, index) {
    return isNumber(row.rank) ? row.rank : index + 1;
  }

  function countText(count) {
    return count.toLocaleString("en-US");
  }

  function shareText(share) {
    return isNumber(share) ? String(Math.round(share * 10) / 10) + "%" : "";
  }

  // A horizontal bar: `fraction` (0..1) of the cell's width, at least a sliver for a count above 0.
  function bar(fraction) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "bar");
    svg.setAttribute("viewBox", "0 0 100 1");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var track = document.createElementNS(SVG, "rect");
    track.setAttribute("class", "bar-track");
    track.setAttribute("width", "100");
    track.setAttribute("height", "1");
    var fill = document.createElementNS(SVG, "rect");
    fill.setAttribute("class", "bar-fill");
    fill.setAttribute("width", fraction > 0 ? Math.max(1, Math.round(fraction * 1000) / 10).toString() : "0");
    fill.setAttribute("height", "1");
    svg.appendChild(track);
    svg.appendChild(fill);
    return svg;
  }

  function headCell(text, className) {
    var cell = element("th", className, text);
    cell.scope = "col";
    return cell;
  }

  function figureTable(block, largest) {
    var kind = block.kind;
    var table = element("table", "rows");
    table.appendChild(element("caption", null, kind.caption));
    var head = element("thead"), headRow = element("tr");
    var rankHead = headCell("", "rank");
    rankHead.appendChild(element("span", null, "#")).setAttribute("aria-hidden", "true");
    rankHead.appendChild(element("span", "visually-hidden", "Rank"));
    headRow.appendChild(rankHead);
    headRow.appendChild(headCell(kind.name, "name"));
    headRow.appendChild(headCell(kind.count, "num"));
    headRow.appendChild(headCell("Share", "num"));
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    block.rows.forEach(function (row, index) {
      var line = element("tr");
      line.appendChild(element("td", "rank", String(rankOf(row, index))));
      var name = element("th", "name");
      name.scope = "row";
      name.appendChild(element("span", "name-text", nameOf(row)));
      name.appendChild(bar(largest > 0 ? row.count / largest : 0));
      line.appendChild(name);
      line.appendChild(element("td", "num", countText(row.count)));
      line.appendChild(element("td", "num", shareText(row.share)));
      if (index >= CAP) line.hidden = true;
      body.appendChild(line);
    });
    table.appendChild(body);
    return table;
  }

  function placeList(block) {
    var box = element("div", "places");
    var caption = element("p", "places-caption", block.kind.caption);
    caption.id = "places-" + Math.random().toString(36).slice(2);
    var list = element("ol", "places-list");
    list.setAttribute("aria-labelledby", caption.id);
    block.rows.forEach(function (row, index) {
      var item = element("li", null, nameOf(row));
      item.value = rankOf(row, index);
      if (index >= CAP) item.hidden = true;
      list.appendChild(item);
    });
    box.appendChild(caption);
    box.appendChild(list);
    return box;
  }

  // A "Show all" button under a capped block; it shows the hidden rows and then offers "Show fewer".
  function capButton(block, target) {
    var total = block.rows.length;
    var button = element("button", "action show-all", "Show all " + total);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      var items = target.querySelectorAll("tbody tr, li");
      for (var i = CAP; i < items.length; i++) items[i].hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Show fewer" : "Show all " + total;
    });
    return button;
  }

  function cell(text) {
    return String(text).replace(/[\t\r\n]+/g, " ");
  }

  // The block as tab-separated text with a header row, for spreadsheets (plain numbers, share in %).
  function tsv(block) {
    var kind = block.kind;
    var lines = [block.figures ? ["Rank", kind.name, kind.count, "Share (%)"] : ["Rank", kind.name]];
    block.rows.forEach(function (row, index) {
      var line = [rankOf(row, index), nameOf(row)];
      if (block.figures) line.push(row.count, isNumber(row.share) ? row.share : "");
      lines.push(line);
    });
    return lines.map(function (line) { return line.map(cell).join("\t"); }).join("\n");
  }

  // The largest count of each unit over all blocks: counts in one unit share one scale.
  function largestByUnit(list) {
    var largest = {};
    list.forEach(function (block) {
      if (!block.figures) return;
      block.rows.forEach(function (row) {
        largest[block.kind.unit] = Math.max(largest[block.kind.unit] || 0, row.count);
      });
    });
    return largest;
  }

  // One element per block (table or list, its "Show all" and "Copy table"), or [] for no drawable rows.
  // `copy(text, button)` is chat.js's clipboard helper.
  function draw(rows, copy) {
    var list = blocks(usable(rows));
    var largest = largestByUnit(list);
    return list.map(function (block) {
      var box = element("div", "rows-block");
      var drawn = block.figures ? figureTable(block, largest[block.kind.unit]) : placeList(block);
      box.appendChild(drawn);
      var actions = element("div", "actions");
      if (block.rows.length > CAP) actions.appendChild(capButton(block, drawn));
      var copyButton = element("button", "action copy-table", "Copy table");
      copyButton.type = "button";
      copyButton.addEventListener("click", function () { copy(tsv(block), copyButton); });
      actions.appendChild(copyButton);
      box.appendChild(actions);
      return box;
    });
  }

  window.GiiBotRows = { draw: draw, usable: usable, tsv: tsv, CAP: CAP };
})();
