// Catalogue search: keyboard navigation between the search box and the
// results (ArrowDown / ArrowUp, Escape back to the box, "/" to search).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("id_q");
  if (!box) return;
  const picks = () => Array.from(document.querySelectorAll("#catalogue-results a.catalogue-pick"));
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      const first = picks()[0];
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === "Escape") {
      box.value = "";
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  document.getElementById("catalogue-results").addEventListener("keydown", (event) => {
    const list = picks();
    const index = list.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index < list.length - 1) {
      event.preventDefault(); list[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault(); (index > 0 ? list[index - 1] : box).focus();
    } else if (event.key === "Escape") {
      event.preventDefault(); box.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); box.focus(); box.select(); }
  });
});
