/**
 * The Windows collector: iphlpapi's TCP/UDP tables, process images, users and modules, and the
 * Service Control Manager's services, by FFI.
 *
 * @module
 */

export { WindowsCollector } from "./collector.ts";
