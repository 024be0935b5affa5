/**
 * The report's times are the logs' wall-clock seconds, read and formatted by
 * port_reporter/log_time.ts. The HTML report (outputs/report_html) and its sample still import
 * them from here.
 *
 * @module
 */

export { formatLogTime, hourOfDay, parseLogDateTime } from "../port_reporter/log_time.ts";
