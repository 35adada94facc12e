// The toolbar above the grid: search, quick filters, "Show ids", selection buttons, undo/redo.

export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function toolbar(model) {
  const bar = element("div", "certnb-grid-toolbar");
  const search = element("input", "certnb-grid-search");
  search.type = "search";
  search.placeholder = "Search all columns…";
  const expiring = element("label", "certnb-grid-expiring");
  const expiringOn = element("input");
  expiringOn.type = "checkbox";
  const days = element("input", "certnb-grid-days");
  days.type = "number";
  days.min = "0";
  days.value = "90";
  expiring.append(expiringOn, " Expiring within ", days, " days");
  const rule = element("select", "certnb-grid-rule");
  rule.append(new Option("Any finding (all rows)", ""));
  for (const { rule: name, severity } of model.get("rules")) rule.append(new Option(`${name} (${severity})`, name));
  const stagedOnly = element("label", "certnb-grid-staged-only");
  const stagedBox = element("input");
  stagedBox.type = "checkbox";
  stagedOnly.append(stagedBox, " Staged only");
  const ids = element("label", "certnb-grid-ids");
  const idsBox = element("input");
  idsBox.type = "checkbox";
  idsBox.checked = model.get("show_ids");
  ids.append(idsBox, " Show ids");
  const button = (text, cls, title) => { const b = element("button", cls, text); b.type = "button"; b.title = title; return b; };
  const all = button("Select all shown", "certnb-grid-select-all", "Select every row the filters show");
  const none = button("Select none", "certnb-grid-select-none", "Clear the selection");
  const undo = button("↶ Undo", "certnb-grid-undo", "Undo the last grid step (Ctrl+Z)");
  const redo = button("↷ Redo", "certnb-grid-redo", "Redo (Ctrl+Y)");
  bar.append(search, expiring, rule, stagedOnly, ids, all, none, undo, redo);
  const query = () => ({
    search: search.value,
    expiring_within: expiringOn.checked ? Math.max(0, parseInt(days.value || "0", 10)) : null,
    rule: rule.value,
    staged_only: stagedBox.checked,
  });
  return { bar, search, expiringOn, days, rule, stagedBox, idsBox, all, none, undo, redo, query };
}
