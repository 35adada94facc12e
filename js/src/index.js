// certnb's editable grid: an anywidget view over Tabulator. The kernel holds the data, the order and the
// rules; this side asks it for windows of rows (binary columnar chunks), shows them, and sends back edits,
// pastes, selections, unstage and undo/redo as custom messages (see certnb/widgets/datagrid/widget.py).
import {
  AjaxModule, EditModule, FilterModule, FormatModule, FrozenColumnsModule, InteractionModule,
  ResizeColumnsModule, ResizeTableModule, SortModule, Tabulator,
} from "tabulator-tables";
import "tabulator-tables/dist/css/tabulator_simple.css";
import "./grid.css";
import { decodeWindow } from "./decode.js";
import { audienceEditor, dateEditor, textEditor } from "./editors.js";
import { DELETED, DONE, DRAFT, NEW, editable, escape, findings, ownedTitle, person, stagedState } from "./format.js";
import { kernel } from "./link.js";
import { element, toolbar } from "./toolbar.js";

Tabulator.registerModule([AjaxModule, EditModule, FilterModule, FormatModule, FrozenColumnsModule,
  InteractionModule,
  ResizeColumnsModule, ResizeTableModule, SortModule]);

const FIRST = 200; // rows of the first window: painted before anything else is asked for
const BULK = 10000; // rows per later window, fetched in the background until every row is there
const SELECTED = 2;
const locked = (data) => ((data._flags || 0) & (DELETED | DONE)) !== 0; // deleted, or done by a commit

function render({ model, el }) {
  const started = performance.now();
  const root = element("div", "certnb-grid");
  root.tabIndex = 0;
  const tools = toolbar(model);
  const status = element("div", "certnb-grid-status");
  const message = element("div", "certnb-grid-message");
  const holder = element("div", "certnb-grid-table");
  const suggestions = element("datalist");
  suggestions.id = `certnb-issuers-${Math.random().toString(36).slice(2, 10)}`;
  for (const name of model.get("issuers")) suggestions.append(new Option(name));
  root.append(tools.bar, status, holder, message, suggestions);
  el.append(root);

  let selected = new Set();
  let allSelected = false;
  let active = null; // {pos, field}
  let reloading = Promise.resolve(); // the latest reload the kernel asked for (a "reorder")
  let table = null;
  const labels = Object.fromEntries(model.get("columns").map((c) => [c.field, c.label]));
  // A cell another system owns takes no edit while the Staged refuses such edits (owned="refuse").
  const ownedLocked = (data, field) => model.get("owned") === "refuse" && !!ownedTitle(data, field);
  const readOnly = (cell) => locked(cell.getRow().getData()) || ownedLocked(cell.getRow().getData(), cell.getField());

  const say = (text, error) => {
    message.textContent = text || "";
    message.classList.toggle("certnb-grid-error", !!error);
  };
  const ctx = {
    model,
    refused: new Map(), // "pos:field" → {text, message}: refused cells keep what was typed, marked red
    typed: null,
    takeTyped(value) { const t = ctx.typed; ctx.typed = null; return t === null ? value : t; },
    check: async (field, value, input) => {
      if (!active) return;
      const [reply] = await link.ask({ type: "check", pos: active.pos, field, value });
      if (!input.isConnected) return; // the edit ended meanwhile: its own reply speaks
      input.classList.toggle("certnb-invalid", !reply.ok);
      input.title = reply.message || "";
      say(reply.message, !reply.ok);
    },
  };

  const link = kernel(model, {
    rows(msg, buffers) {
      for (const data of decodeWindow(msg, buffers)) {
        const row = table && rowOf(data._pos);
        if (data.staged) { // a cell staged since (bulk, paste, code) is no longer the refused text
          for (const field of Object.keys(JSON.parse(data.staged))) ctx.refused.delete(`${data._pos}:${field}`);
        }
        if (row) { delete data._idx; row.update(data); row.reformat(); }
      }
    },
    selection(msg) {
      selected = new Set(msg.positions);
      allSelected = msg.all;
      if (table) for (const row of table.getRows("visible")) mark(row);
    },
    reload() { if (table) refresh(); },
    reorder() { if (table) reloading = table.setData(); }, // rows came or went (a new row, a withdrawn one)
  });

  const isSelected = (data) => allSelected || selected.has(data._pos);
  const mark = (row) => {
    const el = row.getElement();
    if (el) el.classList.toggle("certnb-selected", isSelected(row.getData()));
  };

  const editors = { date: dateEditor(ctx), audiences: audienceEditor(ctx), issuer: textEditor(ctx, suggestions.id), text: textEditor(ctx, null) };
  const columns = model.get("columns").map((c) => {
    const def = { title: c.label, field: c.field, headerFilter: "input", headerFilterPlaceholder: "filter…",
      minWidth: 70, headerWordWrap: true };
    if (c.width) def.width = c.width;
    if (c.hidden) def.visible = model.get("show_ids");
    if (c.field === "userDisplayName") { def.formatter = person; def.frozen = true; }
    else if (c.field === "findings") { def.formatter = findings; def.headerSort = false; }
    else if (c.field === "staged") { def.formatter = stagedState; def.headerSort = false; def.headerFilter = false; def.frozen = true; }
    if (c.editor) {
      def.editor = editors[c.editor];
      def.editable = (cell) => !readOnly(cell);
      def.formatter = editable(ctx);
      def.cssClass = `certnb-col-${c.field} certnb-editable`;
    } else {
      def.cssClass = `certnb-col-${c.field}`;
    }
    return def;
  });

  let painted = false;
  let loads = 0; // a new query (sort, filter, search) starts a new load; older background loads stop
  let lastQuery = {};
  const byPos = new Map(); // frame position → Tabulator's row, for refreshing rows in place
  const remember = () => { for (const row of table.rowManager.rows) byPos.set(row.data._pos, row); };
  const rowOf = (pos) => { // Tabulator's row of a frame position (a component), if it is loaded
    if (!byPos.has(pos)) {
      const found = table.rowManager.rows.find((row) => row.data._pos === pos);
      if (!found) return null;
      byPos.set(pos, found);
    }
    return byPos.get(pos).getComponent();
  };
  const refresh = async () => {
    // The kernel's cells changed (findings audited, a bulk change, a commit): update every loaded row's data
    // in place and redraw the visible rows; the order, the scroll position and the focus stay.
    const generation = loads;
    const count = table.rowManager.rows.length;
    for (let start = 0; start < count; start += BULK) {
      const [msg, buffers] = await link.ask({ type: "window", start, size: BULK, query: lastQuery });
      if (msg.type === "failed" || generation !== loads) return;
      for (const data of decodeWindow(msg, buffers)) {
        const row = byPos.get(data._pos);
        if (row) { delete data._idx; Object.assign(row.data, data); }
      }
    }
    const focused = holder.contains(document.activeElement);
    for (const row of table.getRows("visible")) {
      if (!row.getElement().querySelector(".tabulator-editing")) row.reformat();
    }
    const cell = activeCell(); // a redrawn row has new cell elements: keep the active cell and the focus
    if (cell && !cell.getElement().classList.contains("tabulator-editing")) {
      cell.getElement().classList.add("certnb-active");
      if (focused && !holder.contains(document.activeElement)) cell.getElement().focus({ preventScroll: true });
    }
  };
  const appendRows = (data) => {
    // Tabulator's addData inserts row by row, copying its row list each time (quadratic at 100,000 rows):
    // build the rows as setData does, then run the display pipeline once, keeping the scroll position.
    const manager = table.rowManager;
    const RowClass = manager.rows[0].constructor;
    for (const item of data) {
      const row = new RowClass(item, manager);
      manager.rows.push(row);
      byPos.set(item._pos, row);
    }
    manager.refreshActiveData(false, false, true);
    root.dataset.loaded = String(manager.rows.length);
  };
  const loadRest = async (generation, query, start, total) => {
    while (start < total && generation === loads) {
      const [msg, buffers] = await link.ask({ type: "window", start, size: BULK, query });
      if (msg.type === "failed" || generation !== loads || !msg.count) return;
      appendRows(decodeWindow(msg, buffers));
      start += msg.count;
    }
  };
  table = new Tabulator(holder, {
    maxHeight: model.get("height"),
    layout: "fitDataFill",
    index: "_pos",
    columns,
    ajaxURL: "certnb://grid",
    ajaxRequestFunc: async (url, config, params) => {
      // The first window only: it is painted at once, and the rest follows in the background.
      const generation = ++loads;
      const query = { ...tools.query(), sort: params.sort || [], filters: params.filter || [] };
      lastQuery = query;
      byPos.clear();
      const [msg, buffers] = await link.ask({ type: "window", start: 0, size: FIRST, query });
      if (msg.type === "failed") throw new Error(msg.message);
      if (msg.total > msg.count) setTimeout(() => loadRest(generation, query, msg.count, msg.total));
      return decodeWindow(msg, buffers);
    },
    sortMode: "remote",
    filterMode: "remote",
    editTriggerEvent: "dblclick",
    placeholder: "No certification matches",
    rowFormatter: (row) => {
      const data = row.getData();
      if (data._flags & SELECTED) { selected.add(data._pos); data._flags &= ~SELECTED; }
      row.getElement().classList.toggle("certnb-selected", isSelected(data));
      const el = row.getElement(), flags = data._flags || 0;
      el.classList.toggle("certnb-row-staged", !!data.staged);
      el.classList.toggle("certnb-row-new", !!(flags & NEW));
      el.classList.toggle("certnb-row-draft", !!(flags & DRAFT));
      el.classList.toggle("certnb-row-deleted", !!(flags & DELETED));
      el.classList.toggle("certnb-row-done", !!(flags & DONE));
    },
  });

  table.on("renderComplete", () => {
    if (!painted && table.getDataCount() > 0) {
      painted = true;
      root.dataset.firstPaintMs = String(Math.round(performance.now() - started));
    }
  });
  // "dataProcessed", not "dataLoaded": Tabulator tells dataLoaded before it replaces its rows, so the old rows
  // would be remembered, and rows pushed after a re-query (sort, filter, a new row) would update stale ones.
  table.on("dataProcessed", () => { byPos.clear(); remember(); root.dataset.loaded = String(table.getDataCount()); });

  const setActive = (cell) => {
    holder.querySelectorAll(".certnb-active").forEach((e) => e.classList.remove("certnb-active"));
    if (!cell) { active = null; return; }
    const data = cell.getRow().getData();
    active = { pos: data._pos, field: cell.getField(), idx: data._idx };
    cell.getElement().classList.add("certnb-active");
  };

  table.on("cellClick", (e, cell) => {
    const data = cell.getRow().getData();
    if (e.target.closest(".certnb-unstage")) { link.tell({ type: "unstage", pos: data._pos, field: cell.getField() }); return; }
    if (e.target.closest(".certnb-unstage-row")) { link.tell({ type: "unstage", pos: data._pos }); return; }
    if (e.target.closest(".certnb-withdraw")) { rowAction({ type: "withdraw", pos: data._pos }); return; }
    if (e.target.closest(".certnb-restore")) { rowAction({ type: "restore", pos: data._pos }); return; }
    setActive(cell);
    const mode = e.shiftKey ? "range" : (e.ctrlKey || e.metaKey) ? "toggle" : "only";
    link.tell({ type: "select", index: data._idx, mode });
    if (!root.contains(document.activeElement) || document.activeElement === document.body) root.focus({ preventScroll: true });
  });

  const sayLocked = async (cell) => { // why a deleted row (one a commit did, an owned cell) takes no edit, in the kernel's words
    const [reply] = await link.ask({ type: "check", pos: cell.getRow().getData()._pos, field: cell.getField(), value: cell.getValue() });
    say(reply.message, true);
  };
  // A double-click's first click made the cell active: a read-only one says why (Tabulator's cellDblClick is
  // not told for a cell its editable() refuses).
  holder.addEventListener("dblclick", (e) => {
    const cell = activeCell();
    if (cell && cell.getElement().contains(e.target) && cell.getColumn().getDefinition().editor && readOnly(cell)) sayLocked(cell);
  });
  const rowAction = async (msg) => {
    const [reply] = await link.ask(msg);
    say(reply.message, !reply.ok);
    return reply;
  };

  table.on("cellEdited", async (cell) => {
    const data = cell.getRow().getData();
    const field = cell.getField();
    const key = `${data._pos}:${field}`;
    const value = cell.getValue();
    const [reply] = await link.ask({ type: "edit", pos: data._pos, field, value });
    if (reply.ok) {
      ctx.refused.delete(key);
      cell.getRow().update({ [field]: reply.text });
      say(reply.message || `${labels[field]} staged.`, false); // an owned cell: staged with a warning, or routed
    } else {
      ctx.refused.set(key, { text: value, message: reply.message || "refused" });
      say(reply.message, true);
    }
    cell.getRow().reformat();
  });

  const editableFields = () => model.get("columns").filter((c) => c.editor).map((c) => c.field);
  const activeCell = () => {
    if (!active) return null;
    const row = rowOf(active.pos);
    return row ? row.getCell(active.field) : null;
  };
  const moveActive = (down, right) => {
    const cell = activeCell();
    if (!cell) return;
    const rows = table.getRows("active");
    const here = rows.indexOf(cell.getRow());
    const fields = editableFields();
    const target = rows[Math.min(rows.length - 1, Math.max(0, here + down))];
    const f = fields[Math.min(fields.length - 1, Math.max(0, fields.indexOf(active.field) + right))] || active.field;
    if (target) { setActive(target.getCell(f)); table.scrollToRow(target, "nearest", false); }
  };

  const onKey = (e) => {
    if (e.target !== root && e.target.closest(".tabulator-editing, input, select, textarea, button")) return;
    const cell = activeCell();
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); link.tell({ type: e.shiftKey ? "redo" : "undo" }); return; }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "y") { e.preventDefault(); link.tell({ type: "redo" }); return; }
    if (!cell) return;
    const moves = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1], Tab: [0, e.shiftKey ? -1 : 1] };
    if (moves[e.key]) { e.preventDefault(); moveActive(...moves[e.key]); return; }
    if (!editableFields().includes(active.field)) return;
    const typing = e.key === "Enter" || e.key === "F2" || (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey);
    if (typing && readOnly(cell)) { e.preventDefault(); sayLocked(cell); return; }
    if (e.key === "Enter" || e.key === "F2") { e.preventDefault(); cell.edit(true); return; }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      ctx.typed = e.key; // typing on a focused editable cell starts editing it with that character
      cell.edit(true);
    }
  };
  root.addEventListener("keydown", onKey);
  // A redraw (findings arriving, a bulk change) replaces the focused cell's element and the focus falls to
  // the page: keys then still go to the cell last clicked.
  const onLostKey = (e) => { if (document.activeElement === document.body && active && root.isConnected) onKey(e); };
  document.addEventListener("keydown", onLostKey);

  root.addEventListener("paste", async (e) => {
    if (e.target !== root && e.target.closest("input, textarea")) return;
    if (!active) { say("Click the cell the pasted block should start at, then paste.", true); return; }
    e.preventDefault();
    const text = (e.clipboardData || window.clipboardData).getData("text/plain");
    const [reply] = await link.ask({ type: "paste", start: active.idx, field: active.field, text });
    for (const [pos, field, why] of reply.refused || []) {
      const row = rowOf(pos);
      ctx.refused.set(`${pos}:${field}`, { text: "(pasted value refused)", message: why });
      if (row) row.reformat();
    }
    const refused = (reply.refused || []).length;
    say(`Pasted: ${reply.staged} cell${reply.staged === 1 ? "" : "s"} staged` + (refused ? `, ${refused} refused: ${reply.refused[0][2]}` : ".") +
      (reply.note ? ` ${reply.note}` : ""), refused > 0);
  });

  let searchTimer = null;
  const reload = () => table.setData();
  tools.search.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(reload, 250); });
  for (const input of [tools.expiringOn, tools.rule, tools.stagedBox, tools.newBox, tools.deletedBox]) {
    input.addEventListener("change", reload);
  }
  const addRow = async () => {
    const reply = await rowAction({ type: "add", user: tools.person.value });
    if (!reply.ok) return;
    tools.picker.hidden = true;
    tools.person.value = "";
    await reloading; // the kernel said "reorder" before it replied: the new row is in the data once this ends
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))); // and drawn after this
    const row = rowOf(reply.pos);
    if (!row) return;
    table.scrollToRow(row, "nearest", false);
    const title = row.getCell("displayName");
    setActive(title);
    root.focus({ preventScroll: true });
    if (row.getData()._flags & DRAFT) title.edit(true); // a draft is staged once it has a title: ask for it
  };
  tools.addOk.addEventListener("click", addRow);
  tools.person.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); addRow(); }
    if (e.key === "Escape") { e.preventDefault(); tools.addCancel.click(); }
    e.stopPropagation();
  });
  tools.remove.addEventListener("click", () => rowAction({ type: "delete" }));
  tools.days.addEventListener("change", () => { if (tools.expiringOn.checked) reload(); });
  tools.idsBox.addEventListener("change", () => {
    model.set("show_ids", tools.idsBox.checked);
    model.save_changes();
  });
  tools.reason.addEventListener("input", () => {
    model.set("reason", tools.reason.value);
    model.save_changes();
  });
  const showIds = () => {
    for (const c of model.get("columns").filter((c) => c.hidden)) {
      if (model.get("show_ids")) table.showColumn(c.field); else table.hideColumn(c.field);
    }
    tools.idsBox.checked = model.get("show_ids");
  };
  tools.all.addEventListener("click", () => link.tell({ type: "select", mode: "all" }));
  tools.none.addEventListener("click", () => link.tell({ type: "select", mode: "none" }));
  tools.undo.addEventListener("click", () => link.tell({ type: "undo" }));
  tools.redo.addEventListener("click", () => link.tell({ type: "redo" }));

  const counted = () => {
    const parts = [["new_count", "new"], ["deleted_count", "deleted"]]
      .filter(([name]) => model.get(name) > 0).map(([name, what]) => `${model.get(name).toLocaleString()} ${what}`);
    return parts.length ? ` (${parts.join(", ")})` : "";
  };
  const showStatus = () => {
    const shown = model.get("shown"), rows = model.get("rows");
    status.innerHTML = `<b>${shown.toLocaleString()}</b> of ${rows.toLocaleString()} certifications · ` +
      `<b>${model.get("selected_count").toLocaleString()}</b> selected · ` +
      `<b>${model.get("staged_count").toLocaleString()}</b> staged` + counted() +
      (model.get("audited") ? "" : " · auditing…") +
      (model.get("note") ? ` · <span class="certnb-grid-note">${escape(model.get("note"))}</span>` : "");
    tools.undo.disabled = !model.get("can_undo");
    tools.redo.disabled = !model.get("can_redo");
    tools.remove.disabled = model.get("selected_count") === 0;
  };
  const traits = ["shown", "rows", "selected_count", "staged_count", "new_count", "deleted_count", "audited", "note",
    "can_undo", "can_redo"];
  for (const name of traits) model.on(`change:${name}`, showStatus);
  model.on("change:show_ids", showIds);
  showStatus();

  return () => {
    for (const name of traits) model.off(`change:${name}`, showStatus);
    model.off("change:show_ids", showIds);
    document.removeEventListener("keydown", onLostKey);
    link.close();
    table.destroy();
  };
}

export default { render };
