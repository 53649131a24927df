// A form's error summary (workflow/_error_summary.html) takes focus as it
// appears, so keyboard and screen-reader users start from it; Tab then reaches
// each link. Again after Turbo has rendered, which focuses any autofocus field
// (the login's). A file, not an inline script: the Content-Security-Policy
// allows scripts from our own static files only.
(() => {
  const summary = document.querySelector("[data-testid=error-summary]");
  if (!summary) return;
  summary.focus();
  setTimeout(() => summary.focus(), 0);
})();
