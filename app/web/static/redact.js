// Drawing a redaction area on the page image: a drag fills the area form's coordinates (PDF
// points from the page's top left) and chooses "区域". Without JavaScript the same form takes
// the coordinates typed in.
(function () {
  "use strict";
  var svg = document.getElementById("page-view");
  var box = document.getElementById("page-mark-new");
  var form = document.querySelector(".mark-form");
  if (!svg || !box || !form) { return; }
  var start = null;

  function point(event) {
    var p = svg.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    var q = p.matrixTransform(svg.getScreenCTM().inverse());
    var view = svg.viewBox.baseVal;
    return {
      x: Math.max(0, Math.min(view.width, q.x)),
      y: Math.max(0, Math.min(view.height, q.y))
    };
  }

  function set(name, value) {
    var field = form.querySelector("[name='" + name + "']");
    if (field) { field.value = value; }
  }

  function draw(a, b) {
    var x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
    box.setAttribute("x", x.toFixed(1));
    box.setAttribute("y", y.toFixed(1));
    box.setAttribute("width", Math.abs(a.x - b.x).toFixed(1));
    box.setAttribute("height", Math.abs(a.y - b.y).toFixed(1));
    return { x0: x, y0: y, x1: Math.max(a.x, b.x), y1: Math.max(a.y, b.y) };
  }

  svg.addEventListener("pointerdown", function (event) {
    start = point(event);
    svg.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  svg.addEventListener("pointermove", function (event) {
    if (start) { draw(start, point(event)); }
  });
  svg.addEventListener("pointerup", function (event) {
    if (!start) { return; }
    var r = draw(start, point(event));
    start = null;
    if (r.x1 - r.x0 < 2 || r.y1 - r.y0 < 2) { return; }
    var area = form.querySelector("[name='kind'][value='area']");
    if (area) { area.checked = true; }
    set("page", svg.getAttribute("data-page"));
    set("x0", r.x0.toFixed(1));
    set("y0", r.y0.toFixed(1));
    set("x1", r.x1.toFixed(1));
    set("y1", r.y1.toFixed(1));
  });
})();
