/**
 * The collectors as a library: the running OS's collector and service manager, the remote
 * probers, and the interfaces they implement.
 *
 * @module
 */

export type { CollectOptions, Collector, PlatformCollectors } from "./collector.ts";
export { CollectorUnavailableError } from "./collector.ts";
export * from "./platform.ts";
export * from "./service_manager.ts";
export * from "./service.ts";
export * from "./probe.ts";
export * from "./probers.ts";
