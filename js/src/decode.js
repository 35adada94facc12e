// Windows of rows from the kernel: a JSON header and binary buffers (see certnb/widgets/datagrid/window.py).
const SEPARATOR = "\x1f";
const decoder = new TextDecoder("utf-8");

function bytes(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// The rows of a window as objects Tabulator reads: _pos (frame position), _flags, _idx (index in the
// current order), one text per column.
export function decodeWindow(header, buffers) {
  const count = header.count;
  const positions = new Int32Array(bytes(buffers[0]).slice().buffer);
  const flags = bytes(buffers[1]);
  const columns = header.columns.map((name, i) => [name, count ? decoder.decode(bytes(buffers[i + 2])).split(SEPARATOR) : []]);
  const rows = new Array(count);
  for (let r = 0; r < count; r++) {
    const row = { _pos: positions[r], _flags: flags[r], _idx: header.start + r };
    for (const [name, values] of columns) row[name] = values[r];
    rows[r] = row;
  }
  return rows;
}
