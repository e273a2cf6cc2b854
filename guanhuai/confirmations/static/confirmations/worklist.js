// Worklist: a "select all" box for the bulk "confirm unchanged" form (no inline scripts: CSP).
document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box.getAttribute("data-select-all");
  if (!name) return;
  box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
    other.checked = box.checked;
  });
});
