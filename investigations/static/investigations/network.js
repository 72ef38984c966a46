// Zoom buttons and drag-to-pan for the network pictures. Without this script the picture
// still fits the page and scrolls in its frame; every node and label stays a plain link.
"use strict";

(function () {
  const STEPS = [1, 1.5, 2, 3];

  function setUp(canvas) {
    const svg = canvas.querySelector("svg");
    let step = 0;
    const controls = document.createElement("div");
    controls.className = "network-zoom";
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Zoom the picture");
    for (const [text, change] of [["Zoom in", 1], ["Zoom out", -1], ["Fit", 0]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", function () {
        step = change === 0 ? 0 : Math.min(STEPS.length - 1, Math.max(0, step + change));
        // Zoomed, the picture is a multiple of its own width and may outgrow the frame.
        const zoomed = step > 0;
        svg.style.width = zoomed ? STEPS[step] * svg.viewBox.baseVal.width + "px" : "";
        svg.style.maxWidth = svg.style.maxHeight = zoomed ? "none" : "";
      });
      controls.append(button);
    }
    canvas.before(controls);

    let drag = null;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.target.closest("a")) return; // a click on a link follows it
      drag = { x: event.clientX, y: event.clientY, left: canvas.scrollLeft, top: canvas.scrollTop };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drag) return;
      canvas.scrollLeft = drag.left - (event.clientX - drag.x);
      canvas.scrollTop = drag.top - (event.clientY - drag.y);
    });
    canvas.addEventListener("pointerup", function () { drag = null; });
  }

  document.querySelectorAll(".network-canvas").forEach(setUp);
})();
