/**
 * The Linux collector: sockets from netlink sock_diag (or /proc/net when netlink is unavailable),
 * owners from the fd tables in /proc, names from libc.
 *
 * @module
 */

export { LinuxCollector, type LinuxCollectorOptions, type SocketDumper } from "./collector.ts";
