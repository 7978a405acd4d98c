'use strict';
// The child side of the suite's IPC: each `{ type, id, ... }` request is
// answered with `{ replyTo: id, ... }` by the handler named `type`. A child
// exits as soon as the suite goes away (the IPC channel closes), so even a
// suite killed with SIGKILL leaves no child behind.
function serve(handlers) {
  process.on('message', message => {
    const handler = handlers[message.type];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown request ${message.type}`);
        return handler(message);
      })
      .then(
        result => process.send({ ...result, replyTo: message.id }),
        error => process.send({ replyTo: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

module.exports = { serve };
