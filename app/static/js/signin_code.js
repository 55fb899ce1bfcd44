// The SMS step (signin/code.html): the resend button counts down to the moment the server accepts
// another send. A file of its own: the Content-Security-Policy runs no inline script.
(function () {
  "use strict";
  var button = document.getElementById("resend");
  if (!button) { return; }
  var left = parseInt(button.getAttribute("data-wait"), 10) || 0;
  function tick() {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = button.getAttribute("data-ready");
      return;
    }
    button.disabled = true;
    button.textContent = button.getAttribute("data-waiting").replace("__S__", left);
    left -= 1;
    setTimeout(tick, 1000);
  }
  tick();
})();
