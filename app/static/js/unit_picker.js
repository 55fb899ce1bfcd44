/* The unit picker: Select2 searching /units/search as the user types (views/unit_picker.py).
   When nothing matches, the server's explanation (FAQ 1) is shown instead of a bare "no results". */
$(function () {
  $("select.unit-picker").each(function () {
    var $el = $(this), message = null;
    $el.select2({
      theme: "bootstrap",
      width: "100%",
      allowClear: true,
      placeholder: $el.data("placeholder"),
      minimumInputLength: 2,
      ajax: {
        url: $el.data("endpoint"),
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || ""}; },
        processResults: function (data) {
          message = data.message || null;
          return {results: data.results || []};
        }
      },
      templateResult: function (item) {
        if (!item.id) { return item.text; }
        var $row = $("<div>").text(item.text);
        if (item.note) { $row.append($("<div class='text-muted small'>").text(item.note)); }
        return $row;
      },
      language: {
        noResults: function () { return message || $el.data("no-results"); },
        inputTooShort: function () { return $el.data("input-too-short"); },
        searching: function () { return $el.data("searching"); },
        errorLoading: function () { return $el.data("error"); }
      }
    });
  });
});
