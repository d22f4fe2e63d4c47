// A small Markdown renderer for the docs' pictures: the subset worker-sync's comments and board
// use (headings, paragraphs, tables, quotes, fenced code, links, code spans, bold, <sub>,
// HTML comments dropped), rendered as GitHub does it, into HTML for a screenshot. A ```mermaid
// block becomes a diagram when the page is given Mermaid's browser build (a local file: nothing
// is fetched from the network), as GitHub draws it; without one it stays code.
const ENTITY = /&(amp|lt|gt|quot|#\d+);/g;

const escapeHtml = (text: string) =>
  text
    .replace(/&(?!(amp|lt|gt|quot|#\d+);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");

/** Inline Markdown: backslash escapes, code spans, links, bold; the HTML GitHub allows (<sub>) kept. */
export function inline(text: string): string {
  const spans: string[] = [];
  let out = text.replace(/`([^`]+)`/g, (_, code: string) => {
    spans.push(`<code>${escapeHtml(code)}</code>`);
    return `\uE000${spans.length - 1}\uE000`;
  });
  const kept: string[] = [];
  out = out.replace(/<\/?sub>/g, (tag) => {
    kept.push(tag);
    return `\uE001${kept.length - 1}\uE001`;
  });
  out = escapeHtml(out)
    .replace(/\\([\\`*_[\]~|!#])/g, (_, c: string) => `&#${c.charCodeAt(0)};`)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => `<a href="${href}">${label}</a>`)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
  return out
    .replace(/\uE001(\d+)\uE001/g, (_, i: string) => kept[Number(i)] ?? "")
    .replace(/\uE000(\d+)\uE000/g, (_, i: string) => spans[Number(i)] ?? "")
    .replace(ENTITY, (m) => m);
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

/** Markdown → HTML for the subset above; with `diagrams`, a mermaid block is left for Mermaid to draw. */
export function markdownToHtml(markdown: string, diagrams = false): string {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, "").split("\n");
  const html: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith("```"); i++) body.push(lines[i] as string);
      i++;
      const text = escapeHtml(body.join("\n"));
      html.push(
        diagrams && fence[1] === "mermaid"
          ? `<div class="diagram"><pre class="mermaid">${text}</pre></div>`
          : `<pre class="lang-${fence[1] || "text"}"><code>${text}</code></pre>`,
      );
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      html.push(`<h${level}>${inline(heading[2] as string)}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith("|") && /^\|?\s*:?-{3,}/.test(lines[i + 1] ?? "")) {
      const head = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && (lines[i] as string).startsWith("|"); i++) rows.push(cells(lines[i] as string));
      html.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    if (line.startsWith(">")) {
      const quoted: string[] = [];
      for (; i < lines.length && (lines[i] as string).startsWith(">"); i++)
        quoted.push((lines[i] as string).replace(/^> ?/, ""));
      html.push(`<blockquote>${quoted.map((q) => `<p>${inline(q)}</p>`).join("")}</blockquote>`);
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && (lines[i] as string).trim() && !/^(#|\||>|```)/.test(lines[i] as string); i++)
      para.push(lines[i] as string);
    html.push(`<p>${inline(para.join(" "))}</p>`);
  }
  return html.join("\n");
}

/** GitHub's look for an issue comment, written here: its fonts, table borders, quote bar and code. */
export const GITHUB_CSS = `
body { margin: 0; padding: 16px; background: #fff; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; max-width: 920px; }
.comment header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; border-radius: 6px 6px 0 0; }
.comment header strong { color: #1f2328; }
.comment .body { padding: 16px; }
h1, h2 { border-bottom: 1px solid #d1d9e0b3; padding-bottom: .3em; margin: 24px 0 16px; font-weight: 600; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; } h3 { font-size: 1.25em; margin: 24px 0 16px; font-weight: 600; }
p, blockquote, table, pre { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
code { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, monospace; font-size: 85%; background: #818b981f; padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; font-size: 85%; line-height: 1.45; }
pre code { background: none; padding: 0; font-size: 100%; }
blockquote { color: #59636e; border-left: .25em solid #d1d9e0; padding: 0 1em; }
blockquote p { margin: 0; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
sub { color: #59636e; }
.diagram { border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px; margin: 0 0 16px; text-align: center; }
pre.mermaid { background: none; padding: 0; margin: 0; font-family: inherit; }
`;

/**
 * A page showing `markdown` as a comment by `author` on GitHub. With `mermaid` (the file:// URL
 * of Mermaid's bundled browser build, node_modules/mermaid/dist/mermaid.min.js) its diagrams are
 * drawn in the page; the page marks `<body data-drawn>` once they are.
 */
export function commentPage(markdown: string, author: string, what: string, mermaid?: string): string {
  if (mermaid !== undefined && !/^file:\/\//.test(mermaid)) {
    throw new Error(`Mermaid must be a local file:// URL, not ${mermaid}`);
  }
  const diagrams = mermaid !== undefined && /^```mermaid$/m.test(markdown);
  const script = diagrams
    ? `<script src="${escapeHtml(mermaid)}"></script><script>mermaid.initialize({ startOnLoad: false, theme: "default", securityLevel: "strict" }); mermaid.run().then(() => document.body.setAttribute("data-drawn", ""));</script>`
    : "";
  return `<!doctype html><html><head><meta charset="utf-8"><style>${GITHUB_CSS}</style></head><body><div class="comment"><header><strong>${escapeHtml(author)}</strong> ${escapeHtml(what)}</header><div class="body">${markdownToHtml(markdown, diagrams)}</div></div>${script}</body></html>\n`;
}
