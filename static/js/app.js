// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The header menu: folded behind its button on a phone, open from 900 px;
  // Escape closes it and gives the focus back to its button.
  const menu = document.getElementById("site-menu");
  if (menu) {
    const wide = window.matchMedia("(min-width: 900px)");
    const sync = () => { menu.open = wide.matches; };
    sync();
    wide.addEventListener("change", sync);
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }
  // A table wider than a phone scrolls inside its .table-wrap: that region must
  // take the keyboard focus so it can be scrolled without a mouse (WCAG 2.1.1).
  const focusableScroll = (root) => {
    root.querySelectorAll(".table-wrap").forEach((wrap) => {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        if (!wrap.hasAttribute("role")) { wrap.setAttribute("role", "region"); }
        if (!wrap.hasAttribute("aria-label")) { wrap.setAttribute("aria-label", "Tableau défilant"); }
      }
    });
  };
  focusableScroll(document);
  document.body.addEventListener("htmx:load", (event) => focusableScroll(event.target));
  window.addEventListener("resize", () => focusableScroll(document));
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
