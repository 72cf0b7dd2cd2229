export { Test, TestingModule, TestingModuleBuilder, type OverrideBy, type TestingModuleMetadata } from './test-module';
export { createTestApp, type TestApp, type TestAppOptions } from './test-app';
export { disconnectedClient } from './disconnected-client';
