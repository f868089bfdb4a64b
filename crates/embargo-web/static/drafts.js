// Keeps what someone types into a case's message box across reloads (in this tab's
// session storage, which ends with the tab), and forgets it once the form is sent.
// An improvement only: every page works without it.
(function () {
  "use strict";
  var store;
  try {
    store = window.sessionStorage;
  } catch (e) {
    return;
  }
  if (!store) {
    return;
  }
  document.querySelectorAll("form textarea[data-keep]").forEach(function (area) {
    var key = "embargo-draft:" + location.pathname + ":" + area.id;
    var kept = store.getItem(key);
    if (kept !== null && area.value.trim() === "") {
      area.value = kept;
    }
    area.addEventListener("input", function () {
      if (area.value.trim() === "") {
        store.removeItem(key);
      } else {
        store.setItem(key, area.value);
      }
    });
    area.form.addEventListener("submit", function () {
      store.removeItem(key);
    });
  });
})();
