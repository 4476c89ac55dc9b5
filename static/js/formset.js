// "添加一行" for Django formsets: clone the empty form and renumber its fields.
document.querySelectorAll(".formset").forEach(function (box) {
  var prefix = box.dataset.prefix;
  var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
  var template = box.querySelector(".formset-template");
  var rows = box.querySelector(".formset-rows");
  box.querySelector(".formset-add").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, index);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
});
