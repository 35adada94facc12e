// The cell editors: a date typed or picked, audiences as checkboxes, text with suggestions (issuers).
// Each reports what is typed to `check` (the kernel answers with the rule it breaks, by label).

function finishers(input, success, cancel, read) {
  let done = false;
  const commit = () => { if (!done) { done = true; success(read()); } };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); commit(); }
    if (e.key === "Escape") { e.preventDefault(); done = true; cancel(); }
    e.stopPropagation();
  });
  return commit;
}

function live(input, field, check) {
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => check(field, input.value, input), 120);
  });
}

export function textEditor(ctx, suggestions) {
  return (cell, onRendered, success, cancel) => {
    const input = document.createElement("input");
    input.type = "text";
    input.className = "certnb-grid-input";
    input.value = ctx.takeTyped(cell.getValue() || "");
    if (suggestions) {
      input.setAttribute("list", suggestions);
    }
    const field = cell.getField();
    const commit = finishers(input, success, cancel, () => input.value);
    input.addEventListener("blur", commit);
    live(input, field, ctx.check);
    onRendered(() => { input.focus(); input.setSelectionRange(input.value.length, input.value.length); });
    return input;
  };
}

export function dateEditor(ctx) {
  return (cell, onRendered, success, cancel) => {
    const box = document.createElement("div");
    box.className = "certnb-grid-date";
    const input = document.createElement("input");
    input.type = "text";
    input.placeholder = "YYYY-MM-DD";
    input.className = "certnb-grid-input certnb-date-text";
    input.value = ctx.takeTyped(cell.getValue() || "");
    const picker = document.createElement("input");
    picker.type = "date";
    picker.className = "certnb-date-pick";
    picker.tabIndex = -1;
    picker.value = /^\d{4}-\d{2}-\d{2}$/.test(input.value) ? input.value : "";
    const field = cell.getField();
    const commit = finishers(input, success, cancel, () => input.value);
    picker.addEventListener("change", () => { input.value = picker.value; commit(); });
    picker.addEventListener("mousedown", (e) => e.stopPropagation());
    input.addEventListener("blur", (e) => { if (e.relatedTarget !== picker) commit(); });
    live(input, field, ctx.check);
    box.append(input, picker);
    onRendered(() => { input.focus(); input.setSelectionRange(input.value.length, input.value.length); });
    return box;
  };
}

export function audienceEditor(ctx) {
  return (cell, onRendered, success, cancel) => {
    const box = document.createElement("div");
    box.className = "certnb-grid-audiences";
    box.tabIndex = 0;
    const chosen = new Set((cell.getValue() || "").split(",").filter(Boolean));
    for (const name of ctx.model.get("audiences")) {
      const label = document.createElement("label");
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.value = name;
      tick.checked = chosen.has(name);
      label.append(tick, document.createTextNode(" " + name));
      box.append(label);
    }
    const read = () => [...box.querySelectorAll("input:checked")].map((t) => t.value).join(",");
    const commit = finishers(box, success, cancel, read);
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = "OK";
    ok.className = "certnb-grid-audiences-ok";
    ok.addEventListener("click", (e) => { e.stopPropagation(); commit(); });
    box.append(ok);
    box.addEventListener("focusout", (e) => { if (!box.contains(e.relatedTarget)) commit(); });
    onRendered(() => box.focus());
    ctx.takeTyped("");
    return box;
  };
}
