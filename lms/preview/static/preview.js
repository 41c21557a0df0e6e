// Reload the preview page when a file in the course folder changed (polls once a second).
(function () {
  var script = document.currentScript;
  var token = script.dataset.token;
  var url = script.dataset.changed;
  function poll() {
    fetch(url, {cache: "no-store"}).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.token !== token) {
        window.location.reload();
      } else {
        window.setTimeout(poll, 1000);
      }
    }).catch(function () {
      window.setTimeout(poll, 5000);
    });
  }
  window.setTimeout(poll, 1000);
})();
