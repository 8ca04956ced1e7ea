// The floor: a handler that loads nothing. Every other bundle's cost is read against this one.
export const handler = async (event) => ({ ok: true, id: event.id });
