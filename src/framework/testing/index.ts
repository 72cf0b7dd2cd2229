export { Test, TestingModule, TestingModuleBuilder, type OverrideBy, type TestingModuleMetadata } from './test-module';
export { createTestApp, type TestApp, type TestAppOptions, type TestClock } from './test-app';
export { disconnectedClient } from './disconnected-client';
