/**
 * The wire contract shared by the framework, the stream client and the embedded engine: frames,
 * trigger payloads, update ops, the stream protocol, error bodies and engine URLs. A leaf: it
 * imports nothing of the project's.
 */
export * from './json';
export * from './errors';
export * from './frames';
export * from './update-ops';
export * from './triggers';
export * from './stream';
export * from './urls';
