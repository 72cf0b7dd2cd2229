/**
 * The public API of the framework: NestJS-style modules, controllers and decorators on top of
 * iii-sdk. Nothing else is exported from here.
 */
import 'reflect-metadata';

// Modules and dependency injection
export { Module, Global, Controller, Injectable, Inject } from './decorators/module';
export { ConfigModule, ConfigService, type ConfigModuleOptions } from './config/config.module';
export { loadConfig, type ConfigSource } from './config/load-config';
export { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, ENGINE_URLS, III_CLIENT, LOGGER } from './tokens';
export type {
  Type,
  AbstractType,
  Token,
  Provider,
  ClassProvider,
  ValueProvider,
  FactoryProvider,
  ExistingProvider,
  ModuleMetadata,
  ModuleClass,
  DynamicModule,
  ModuleImport,
  HttpMethod,
  StreamPublishOptions,
  TriggerKind,
} from './metadata/types';

// Triggers
export { Http, Get, Post, Put, Patch, Delete, type HttpOptions } from './decorators/http';
export {
  OnStateChange,
  type OnStateChangeOptions,
  type ReactionRetryOptions,
  type StateEventFilter,
  type StateCondition,
} from './decorators/state';
export {
  Stream,
  OnStreamChange,
  OnStreamJoin,
  OnStreamLeave,
  type OnStreamChangeOptions,
  type StreamJoinLeaveOptions,
} from './decorators/stream';
export { Cron, type CronOptions } from './decorators/cron';
export { Subscribe, type SubscribeOptions } from './decorators/pubsub';
export { OnQueue, type OnQueueOptions } from './decorators/queue';
export { Fn } from './decorators/fn';

// The call pipeline: guards, interceptors, pipes, exception filters
export { UseGuards, UseInterceptors, UsePipes, UseFilters, Catch } from './decorators/enhancers';
export {
  ParseIntPipe,
  ParseBoolPipe,
  ParseUUIDPipe,
  DefaultValuePipe,
  ValidationPipe,
  type ParsePipeOptions,
} from './pipeline/builtin-pipes';
export type {
  ExecutionContext,
  CanActivate,
  NestInterceptor,
  CallHandler,
  PipeTransform,
  ArgumentMetadata,
  ExceptionFilter,
  GuardRef,
  InterceptorRef,
  PipeRef,
  FilterRef,
} from './pipeline/types';

// Parameters
export { Body, Param, Query, Headers, Req, Event, createParamDecorator } from './decorators/params';
export type { StateChangeEvent, StreamChangeEvent, StreamSubscriptionEvent, CronEvent, HttpRequest } from '../protocol';

// HTTP results and errors
export {
  HttpException,
  BadRequestException,
  UnauthorizedException,
  ForbiddenException,
  NotFoundException,
  MethodNotAllowedException,
  ConflictException,
  GoneException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  UnprocessableEntityException,
  TooManyRequestsException,
  InternalServerErrorException,
  NotImplementedException,
  ServiceUnavailableException,
  ValidationException,
  type HttpErrorBody,
} from './http/exceptions';
export { HttpResult } from './http/result';

// State, streams, pub/sub, queues
export { StateService, type StateScope, type StateWriteResult, type StateUpdateResult } from './state/state.service';
export { ReactionsService, type DeadLetter, type ReactionCursor, type RedriveResult } from './state/reactions.service';
export { EngineCapabilities } from './application/capabilities';
export type { UpdateOp, UpdateOpError, UpdatePath } from '../protocol/update-ops';
export { StreamService, type StreamHandle, type StreamEvent } from './streams/stream.service';
export {
  StreamClient,
  LiveGroup,
  applyStreamMessage,
  StreamClientError,
  type StreamClientOptions,
  type StreamMessage,
  type StreamMessageEvent,
  type StreamTarget,
  type StreamHandlers,
  type GroupHandlers,
  type ItemHandlers,
  type StreamSubscription,
  type ConnectionStatus,
  type ReconnectOptions,
  type LiveGroupOptions,
  type LiveGroupChange,
  type WebSocketLike,
  type WebSocketConstructor,
} from '../client';
export { PubSub } from './messaging/pubsub.service';
export { Queue, type EnqueueOptions, type EnqueueReceipt } from './messaging/queue.service';

// Application
export { IIIFactory, type ApplicationOptions } from './application/factory';
export { IIIApplication } from './application/application';
export type { EmbeddedEngineOptions } from './application/engine-connection';
export type { EngineUrls } from '../protocol/urls';
export type { TriggerDefinition } from './application/explorer';
export type { OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown } from './application/lifecycle';
export { ConsoleLogger, silentLogger, logLevelFromEnv, type Logger, type LogLevel } from './logger';
export { quietSdkDebugOutput } from './sdk-console';
export { FrameworkError, UnknownDependencyError, type FrameworkErrorCode } from './errors';

// Testing
export {
  Test,
  TestingModule,
  TestingModuleBuilder,
  createTestApp,
  type TestApp,
  type TestAppOptions,
  type TestClock,
  type OverrideBy,
} from './testing';
