// How cells look: the person over the sign-in name, finding badges (the rule explained on hover), staged
// cells as before → after with an unstage button, refused cells red with their message; new rows (a "new"
// badge, their values plain: nothing was there before), drafts, deleted rows (Restore), rows a commit did.

// Bits of a row's flags byte (certnb/widgets/datagrid/window.py and rows.py).
export const NEW = 8, DELETED = 16, DRAFT = 32, DONE = 64;

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
  const flags = cell.getData()._flags || 0;
  if (flags & DONE) {
    return flags & DELETED
      ? `<span class="certnb-mark certnb-mark-gone" title="The commit deleted it in Graph">deleted in Graph</span>`
      : `<span class="certnb-mark certnb-mark-created" title="The commit created it; load the frame again to edit it">created</span>`;
  }
  if (flags & DELETED) {
    return `<span class="certnb-mark certnb-mark-deleted">deleted</span> <button class="certnb-restore" title="Withdraw the delete">Restore</button>`;
  }
  if (flags & DRAFT) {
    return `<span class="certnb-mark certnb-mark-draft" title="Nothing is staged until it has a title: type one">draft</span> <button class="certnb-withdraw" title="Drop this new row">×</button>`;
  }
  if (flags & NEW) {
    return `<span class="certnb-mark certnb-mark-new">new</span> <button class="certnb-withdraw" title="Withdraw this new certification">×</button>`;
  }
  const staged = parsed(cell.getValue());
  if (!staged) return "";
  const n = Object.keys(staged).length;
  return `<span class="certnb-staged-count">${n} staged</span> <button class="certnb-unstage-row" title="Unstage this row">×</button>`;
}

// Who owns a cell's value, as the kernel says it on hover ("Owned by Workday HR (Workday): fix it in that
// system"), "" when nobody does: a row's `owned` is [[hover text, [field, ...]], ...] (window.py).
export function ownedTitle(row, field) {
  if (!row.owned) return "";
  for (const [title, fields] of parsed(row.owned) || []) if (fields.includes(field)) return title;
  return "";
}

export function editable(ctx) {
  return (cell) => {
    const row = cell.getData();
    const field = cell.getField();
    const refused = ctx.refused.get(`${row._pos}:${field}`);
    const el = cell.getElement();
    const owner = ownedTitle(row, field); // marked in every mode; read-only when the Staged refuses it
    el.classList.toggle("certnb-owned", !!owner);
    el.classList.toggle("certnb-owned-locked", !!owner && ctx.model.get("owned") === "refuse");
    el.classList.toggle("certnb-refused", !!refused);
    el.classList.remove("certnb-cell-staged");
    if (refused) {
      el.title = refused.message;
      return escape(refused.text);
    }
    if (owner) el.title = owner; else el.removeAttribute("title");
    const staged = parsed(row.staged);
    if ((row._flags || 0) & (NEW | DRAFT | DELETED)) return escape(cell.getValue()); // nothing before it, or struck
    if (staged && field in staged) {
      el.classList.add("certnb-cell-staged");
      const [before, after, why] = staged[field];
      el.title = (owner ? `${owner} · ` : "") + `staged: ${before ?? "(empty)"} → ${after ?? "(empty)"}` +
        (why ? ` ${why}` : "");
      return `<span class="certnb-before"><s>${escape(before ?? "∅")}</s> → </span><span class="certnb-after">${escape(after ?? "∅")}</span>` +
        ` <button class="certnb-unstage" title="Unstage this cell">×</button>`;
    }
    return escape(cell.getValue());
  };
}
