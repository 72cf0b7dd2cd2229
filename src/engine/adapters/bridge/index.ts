/**
 * The `bridge` storage adapter of `iii-state` and `iii-stream` (engine.md §7.4): those workers keep
 * their functions and trigger types, but their data lives on another iii engine reached as an
 * iii-sdk worker. This folder is the connection (`client.ts`), its config block and the payload
 * forwarding rules, shared by both workers and importing neither; each worker's own forwarding
 * lives with it (`workers/state/bridged-functions.ts`, `workers/stream/bridge/`).
 */
export { BRIDGE_UNAVAILABLE, BridgeClient, connectionStateOf } from './client';
export type { BridgeClientOptions, BridgeSdk, BridgeSdkFactory, ConnectionState } from './client';
export { readBridgeAdapterConfig } from './config';
export type { BridgeAdapterConfig } from './config';
