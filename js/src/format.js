// How cells look: the person over the sign-in name, finding badges (the rule explained on hover), staged
// cells as before → after with an unstage button, refused cells red with their message.

export function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function parsed(text) {
  if (!text) return null;
  try { return JSON.parse(text); } catch { return null; }
}

export function person(cell) {
  const row = cell.getData();
  return `<div class="certnb-person"><b>${escape(row.userDisplayName)}</b><small>${escape(row.userPrincipalName)}</small></div>`;
}

export function findings(cell) {
  const list = parsed(cell.getValue()) || [];
  return list.map(([rule, severity, detail]) =>
    `<span class="certnb-badge certnb-${escape(severity)}" title="${escape(detail)}">${escape(rule)}</span>`).join(" ");
}

export function stagedState(cell) {
  const staged = parsed(cell.getValue());
  if (!staged) return "";
  const n = Object.keys(staged).length;
  return `<span class="certnb-staged-count">${n} staged</span> <button class="certnb-unstage-row" title="Unstage this row">×</button>`;
}

export function editable(ctx) {
  return (cell) => {
    const row = cell.getData();
    const field = cell.getField();
    const refused = ctx.refused.get(`${row._pos}:${field}`);
    const el = cell.getElement();
    el.classList.toggle("certnb-refused", !!refused);
    el.classList.remove("certnb-cell-staged");
    if (refused) {
      el.title = refused.message;
      return escape(refused.text);
    }
    el.removeAttribute("title");
    const staged = parsed(row.staged);
    if (staged && field in staged) {
      el.classList.add("certnb-cell-staged");
      const [before, after] = staged[field];
      el.title = `staged: ${before ?? "(empty)"} → ${after ?? "(empty)"}`;
      return `<span class="certnb-before"><s>${escape(before ?? "∅")}</s> → </span><span class="certnb-after">${escape(after ?? "∅")}</span>` +
        ` <button class="certnb-unstage" title="Unstage this cell">×</button>`;
    }
    return escape(cell.getValue());
  };
}
