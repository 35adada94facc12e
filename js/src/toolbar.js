// The toolbar above the grid, two lines: what is shown (search, quick filters) and what to do (add a row,
// delete the selected ones, select, undo/redo, "Show ids"). "Add row" opens a person picker beside it.

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
  const check = (cls, text, title) => {
    const label = element("label", cls);
    const box = element("input");
    box.type = "checkbox";
    label.append(box, ` ${text}`);
    label.title = title;
    return [label, box];
  };
  const [stagedOnly, stagedBox] = check("certnb-grid-staged-only", "Staged only", "Rows with anything staged");
  const [newOnly, newBox] = check("certnb-grid-new-only", "New", "New rows only (staged creates and drafts)");
  const [deletedOnly, deletedBox] = check("certnb-grid-deleted-only", "Deleted", "Rows staged for deletion only");
  const ids = element("label", "certnb-grid-ids");
  const idsBox = element("input");
  idsBox.type = "checkbox";
  idsBox.checked = model.get("show_ids");
  ids.append(idsBox, " Show ids");
  // Why this grid's edits are made: journaled with every edit it stages (the Python side's `reason`).
  const reason = element("input", "certnb-grid-reason");
  reason.type = "text";
  reason.placeholder = "Reason: a ticket number, who confirmed it";
  reason.title = "Why these changes are made: recorded with every edit you stage here";
  reason.value = model.get("reason") || "";
  const button = (text, cls, title) => { const b = element("button", cls, text); b.type = "button"; b.title = title; return b; };
  const all = button("Select all shown", "certnb-grid-select-all", "Select every row the filters show");
  const none = button("Select none", "certnb-grid-select-none", "Clear the selection");
  const undo = button("↶ Undo", "certnb-grid-undo", "Undo the last grid step (Ctrl+Z)");
  const redo = button("↷ Redo", "certnb-grid-redo", "Redo (Ctrl+Y)");
  const add = button("+ Add row", "certnb-grid-add", "Add a new certification for a person");
  const remove = button("Delete selected", "certnb-grid-delete", "Stage the deletion of the selected rows");
  // The person picker: a combobox of the frame's people (sign-in name, with the name shown beside it).
  const picker = element("span", "certnb-grid-picker");
  picker.hidden = true;
  const person = element("input", "certnb-grid-person");
  person.type = "text";
  person.placeholder = "Person: name or sign-in name";
  const people = element("datalist");
  people.id = `certnb-people-${Math.random().toString(36).slice(2, 10)}`;
  person.setAttribute("list", people.id);
  const addOk = button("Add", "certnb-grid-add-ok", "Add a row for this person");
  const addCancel = button("Cancel", "certnb-grid-add-cancel", "Close without adding");
  picker.append(person, people, addOk, addCancel);
  const shown = element("div", "certnb-grid-tools certnb-grid-shown");
  shown.append(search, expiring, rule, stagedOnly, newOnly, deletedOnly);
  const actions = element("div", "certnb-grid-tools certnb-grid-actions");
  actions.append(add, picker, remove, all, none, undo, redo, ids, reason);
  bar.append(shown, actions);
  const fill = () => { // on first use: a big tenant's people are thousands of options nobody may need
    if (people.childElementCount) return;
    for (const { value, label } of model.get("people")) people.append(new Option(label, value));
  };
  add.addEventListener("click", () => {
    picker.hidden = !picker.hidden;
    if (!picker.hidden) { fill(); person.focus(); }
  });
  addCancel.addEventListener("click", () => { picker.hidden = true; person.value = ""; });
  const query = () => ({
    search: search.value,
    expiring_within: expiringOn.checked ? Math.max(0, parseInt(days.value || "0", 10)) : null,
    rule: rule.value,
    staged_only: stagedBox.checked,
    new_only: newBox.checked,
    deleted_only: deletedBox.checked,
  });
  return { bar, search, expiringOn, days, rule, stagedBox, newBox, deletedBox, idsBox, reason, all, none, undo,
    redo, add, remove, picker, person, addOk, addCancel, query };
}
