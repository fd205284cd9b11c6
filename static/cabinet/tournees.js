// Tournées: send the phone's position with "re-plan the rest of the day"
// when the browser gives it within a few seconds; without it the server
// starts from the last visit noted.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.replan-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.located || !navigator.geolocation) {
        return;
      }
      event.preventDefault();
      const send = () => {
        form.dataset.located = "1";
        form.submit();
      };
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
          send();
        },
        send,
        { timeout: 4000, maximumAge: 60000 },
      );
    });
  });
});

// Répartir la journée: ticking a nurse « absent(e) » unticks her « de
// tournée », and ticking « de tournée » unticks « absent(e) ».
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("dispatch-form");
  if (!form) {
    return;
  }
  const other = { nurses: "absent", absent: "nurses" };
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.checked || !(box.name in other)) {
      return;
    }
    form.querySelectorAll(`input[name="${other[box.name]}"]`).forEach((twin) => {
      if (twin.value === box.value) {
        twin.checked = false;
      }
    });
  });
});
