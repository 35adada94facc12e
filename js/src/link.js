// Messages to and from the kernel: `ask` sends a request and resolves with its reply (matched by id, unique
// per view), `tell` sends without waiting; messages nobody asked for go to `handlers[type]`.
let views = 0;

export function kernel(model, handlers) {
  const prefix = `v${++views}-${Math.random().toString(36).slice(2, 8)}`;
  let next = 0;
  const waiting = new Map();
  const listener = (msg, buffers) => {
    if (msg.id && waiting.has(msg.id)) {
      const resolve = waiting.get(msg.id);
      waiting.delete(msg.id);
      resolve([msg, buffers]);
    } else if (handlers[msg.type]) {
      handlers[msg.type](msg, buffers);
    }
  };
  model.on("msg:custom", listener);
  return {
    ask(msg) {
      const id = `${prefix}-${++next}`;
      return new Promise((resolve) => { waiting.set(id, resolve); model.send({ ...msg, id }); });
    },
    tell(msg) { model.send(msg); },
    close() { model.off("msg:custom", listener); },
  };
}
