/**
 * The `bridge` adapter of `iii-state` and `iii-stream` (spec §7.4): those workers keep their
 * functions and trigger types, but their data lives on another iii engine reached as an iii-sdk
 * worker. See `client.ts` for the connection, `state-functions.ts` and `stream-bridge.ts` for
 * the forwarding, `stream-relay.ts` for change events coming back.
 */
export { BRIDGE_UNAVAILABLE, BridgeClient, connectionStateOf } from './client';
export type { BridgeClientOptions, BridgeSdk, BridgeSdkFactory, ConnectionState } from './client';
export { readBridgeAdapterConfig } from './config';
export type { BridgeAdapterConfig } from './config';
export { BridgeStateFunctions } from './state-functions';
export { StreamBridge } from './stream-bridge';
export type { StreamReader } from './stream-bridge';
