/**
 * The stream client: `StreamClient` (one connection to the iii stream port, reconnecting) and
 * `LiveGroup` (a group's items kept live). No dependencies; runs in browsers and on Node.
 */
export { StreamClient, type ConnectionStatus, type ReconnectOptions, type StreamClientOptions } from './connection';
export { LiveGroup, applyStreamMessage, type LiveGroupOptions, type LiveGroupChange } from './live-group';
export { StreamClientError } from './errors';
export type {
  StreamMessage,
  StreamMessageEvent,
  StreamTarget,
  StreamHandlers,
  GroupHandlers,
  ItemHandlers,
  StreamSubscription,
} from './messages';
export type { WebSocketLike, WebSocketConstructor } from './socket';
