/** Stream clients: the raw protocol from a browser, and StreamClient / LiveGroup. */
import { LiveGroup, StreamClient, type ConnectionStatus, type WebSocketConstructor } from '#framework';

// #region browser
/**
 * Joins group `all` of stream `todos-live` with nothing but the browser's WebSocket, and calls
 * `render` with the group's items on the first sync and after every change.
 */
export function watchTodos(url: string, render: (items: Map<string, unknown>) => void): WebSocket {
  const items = new Map<string, unknown>();
  const socket = new WebSocket(url); // e.g. ws://localhost:3112
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 'todos', streamName: 'todos-live', groupId: 'all' } }));
  });
  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const frame = JSON.parse(message.data) as { id: string | null; event: { type: string; data?: unknown } };
    const { type, data } = frame.event;
    if (type === 'sync') {
      items.clear();
      for (const item of data as Array<{ id: string }>) items.set(item.id, item);
    } else if ((type === 'create' || type === 'update') && frame.id !== null) items.set(frame.id, data);
    else if (type === 'delete' && frame.id !== null) items.delete(frame.id);
    else return; // `event` (custom events) and `unauthorized` are not about items
    render(items);
  });
  return socket;
}
// #endregion browser

// #region client
export interface Todo {
  id: string;
  title: string;
  completed: boolean;
}

/** The todos, kept live: `show` sees the connection state and the items after every change. */
export function liveTodos(
  url: string,
  show: (status: ConnectionStatus, todos: Todo[]) => void,
  WebSocket?: WebSocketConstructor, // Node: pass `ws`; browsers: the global WebSocket is used
): { todos: LiveGroup<Todo>; client: StreamClient } {
  let todos: LiveGroup<Todo> | undefined;
  // Reconnects by itself (backoff), re-joins and resumes (or resyncs) after every reconnect.
  const client = new StreamClient(url, {
    ...(WebSocket !== undefined ? { WebSocket } : {}),
    onStatus: (status) => show(status, todos?.values() ?? []),
  });
  todos = new LiveGroup<Todo>(
    client,
    { stream: 'todos-live', group: 'all' },
    { onChange: () => show(client.status, todos?.values() ?? []) },
  );
  return { todos, client };
}
// #endregion client
