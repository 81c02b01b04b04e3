// "打印本页": shown only with JavaScript on (without it the page tells how to print).
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  var hint = document.getElementById("print-hint");
  if (!button) {
    return;
  }
  button.hidden = false;
  if (hint) {
    hint.hidden = true;
  }
  button.addEventListener("click", function () {
    window.print();
  });
})();
