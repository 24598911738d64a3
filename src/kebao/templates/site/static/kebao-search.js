/*
 * kebao: search result snippets for a site opened from files (kebao.book.search).
 *
 * Sphinx's search page fetches each result's page for its snippet; browsers
 * refuse fetch() for file:// addresses. When this page comes from file://,
 * those fetches are answered from _static/kebao-pages.js (every page's main
 * text, written by the build). Over http(s) nothing changes.
 */
(() => {
  if (window.location.protocol !== "file:") return;
  const root = new URL(document.documentElement.dataset.content_root || "./", window.location.href).href;
  const pages = new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = root + "_static/kebao-pages.js";
    script.onload = () => resolve(window.KEBAO_PAGES || {});
    script.onerror = () => resolve({});
    document.head.appendChild(script);
  });
  const fetchFromNetwork = window.fetch.bind(window);
  window.fetch = (resource, options) => {
    const url = new URL(resource instanceof Request ? resource.url : String(resource), window.location.href);
    if (url.protocol !== "file:" || !url.href.startsWith(root)) return fetchFromNetwork(resource, options);
    const docname = decodeURIComponent(url.pathname.slice(new URL(root).pathname.length)).replace(/\.html$/, "");
    return pages.then((texts) => new Response(texts[docname] || "", {headers: {"Content-Type": "text/html"}}));
  };
})();
