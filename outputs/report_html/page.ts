/**
 * The shell every report page is written in: the head (the Content Security Policy, the style
 * sheet), the page's header band, its main content, the footer, the report's data as JSON and the
 * page's one script. The one-host page (`mod.ts`) and the fleet page (`fleet_page.ts`) differ only
 * in what they put inside; written once here, the policy that keeps a page from loading or running
 * anything else cannot drift between them.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  type Html,
  type HtmlValue,
  jsonScriptElement,
  markup,
  scriptElement,
  styleElement,
} from "./html.ts";

/**
 * The Content Security Policy of a page whose one script is `script`: nothing from anywhere; inline
 * style, and that script by its SHA-256 hash (so a script a name smuggled in would not run).
 */
export function pageCsp(script: string): string {
  return "default-src 'none'; style-src 'unsafe-inline'; " +
    `script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'; ` +
    "img-src data:; base-uri 'none'; form-action 'none'";
}

/** What a report page puts into its shell. */
export interface PageParts {
  /** The document's title. */
  title: string;
  /** The style sheet. */
  css: string;
  /** The page's one script: the page's policy lets it alone run. */
  script: string;
  /** The report's data, embedded as JSON in the `report-data` block. */
  data: unknown;
  /** The portset version that made the page. */
  portset: string;
  /** The report's format, said in the footer. */
  format: string;
  /** The band at the top. */
  header: Html;
  /** The sections, in order, inside `<main>`. */
  main: HtmlValue;
}

/** A whole report page as one HTML document, its policy made from its script. */
export function reportPage(page: PageParts): string {
  const csp = pageCsp(page.script);
  return `<!DOCTYPE html>\n${markup`<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${`portset ${page.portset}`}">
<title>${page.title}</title>
${styleElement(page.css)}
</head>
<body>
${page.header}
<main>
${page.main}
</main>
<footer>Made by portset ${page.portset} (${page.format}). This page loads nothing from the network; the report's data is in the <code>report-data</code> block as JSON.</footer>
${jsonScriptElement("report-data", page.data)}
${scriptElement(page.script)}
</body>
</html>
`}`;
}
