// "Select all" for a township's pending cards (no inline scripts: the production CSP forbids them).
document.addEventListener("change", function (event) {
  var box = event.target;
  var group = box.getAttribute("data-check-all");
  if (!group) {
    return;
  }
  document.querySelectorAll('input[name="families"][data-group="' + group + '"]').forEach(function (item) {
    item.checked = box.checked;
  });
});
