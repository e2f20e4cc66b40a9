// A job's page (/admin/jobs/:id) while the job runs: asks for the job every second and
// moves its progress bar in place; when the job ends, the page is drawn again with what
// came of it. The admin's only script, kept out of the storefront's WebAssembly. Without
// JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-live]");
  if (!box) return;
  var id = box.getAttribute("data-job-live");
  var bar = box.querySelector("progress");
  var detail = box.querySelector("[data-job-detail]");
  function show(job) {
    var pct = job.total > 0 ? Math.floor((Math.min(job.done, job.total) * 100) / job.total) : 0;
    if (bar) {
      bar.value = pct;
      bar.textContent = pct + "%";
    }
    if (detail) {
      detail.textContent =
        job.total > 0 ? job.stage + " (" + job.done + " of " + job.total + ", " + pct + "%)" : job.stage;
    }
  }
  function tick() {
    fetch("/api/admin/job?id=" + encodeURIComponent(id), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) {
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (job) {
        if (job.status === "Done" || job.status === "Failed") {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(tick, 1000);
      })
      .catch(function () {
        window.setTimeout(tick, 5000);
      });
  }
  window.setTimeout(tick, 1000);
})();
