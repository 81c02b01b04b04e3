// The application form with JavaScript on: choosing the applicant category re-renders the
// form at once (the page says so beside the choice), so the "选择" button is not needed.
// Without JavaScript the button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.apply-form");
  var button = document.getElementById("kind-switch");
  if (!form || !button) {
    return;
  }
  button.hidden = true;
  var radios = form.querySelectorAll('input[name="_kind"]');
  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(button);
      } else {
        button.click();
      }
    });
  });
})();
