// The language menu submits its form on change (the Content-Security-Policy allows no
// inline event handlers); without JavaScript the form's own button does it.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
