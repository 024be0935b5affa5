/**
 * The macOS collector: sockets and their owners through libproc, by FFI.
 *
 * @module
 */

export { DarwinCollector } from "./collector.ts";
