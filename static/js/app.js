// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask for a confirmation before an irreversible action.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Buttons that print the page (day sheet, statements).
  document.body.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
});
