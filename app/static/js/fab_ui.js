// What Flask-AppBuilder 5.3's scripts and Select2 leave out, for every page (layout.html loads this
// after them, before the page is ready):
// - their words in the UI's language: FAB's alert and placeholders and Select2's messages are
//   English in the libraries; layout.html writes the translations as a JSON block (#ui-texts);
// - names for screen readers: a Select2 box takes its <select>'s label, and its list of chosen
//   items stays a list (Select2 4.0 puts its clear button inside the <ul>);
// - keyboard access to a region that scrolls sideways (a wide table on a phone): it takes the focus,
//   so that the arrow keys scroll it, and is named by the page's heading.
(function ($) {
  "use strict";
  var block = document.getElementById("ui-texts");
  var texts = block ? JSON.parse(block.textContent) : {};
  var counted = function (key) {
    return function (args) {
      var n = args.minimum ? args.minimum - args.input.length
        : args.maximum && args.input !== undefined ? args.input.length - args.maximum : args.maximum;
      return texts[key].replace("{n}", n);
    };
  };

  // FAB's alert (ab.js) for an action with no row checked
  if (typeof window.ab_alert === "function") {
    var alertOriginal = window.ab_alert;
    window.ab_alert = function (text) { return alertOriginal(texts[text] || text); };
  }

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    return select.getAttribute("aria-label") || (label ? label.textContent.replace(/\*/g, "").trim() : "");
  }

  function nameSelect2(select) {
    var container = $(select).next(".select2-container");
    var name = labelOf(select);
    if (!container.length || !name) return;
    container.find(".select2-selection").attr("aria-label", name);
    container.find(".select2-selection__rendered[role=textbox]").attr("aria-label", name);
    container.find(".select2-search__field").attr("aria-label", name);
    container.find("ul.select2-selection__rendered").attr("role", "list")
      .children(":not(li)").attr("role", "none");
  }

  if ($.fn.select2 && $.fn.select2.defaults) {
    $.fn.select2.defaults.set("language", {
      errorLoading: function () { return texts.errorLoading; },
      inputTooLong: counted("inputTooLong"),
      inputTooShort: counted("inputTooShort"),
      loadingMore: function () { return texts.loadingMore; },
      maximumSelected: counted("maximumSelected"),
      noResults: function () { return texts.noResults; },
      searching: function () { return texts.searching; },
      removeAllItems: function () { return texts.removeAllItems; }
    });
    // ab.js gives its Select2s an English placeholder ("Select", "Select a State"); a field's own
    // data-placeholder still wins. Each box is named once made, and again when its choice changes
    // (Select2 draws the chosen items anew).
    var select2 = $.fn.select2;
    $.fn.select2 = function (options) {
      var args = [].slice.call(arguments);
      if (options && typeof options === "object" && texts[options.placeholder]) {
        args[0] = $.extend({}, options, {placeholder: texts[options.placeholder]});
      }
      var result = select2.apply(this, args);
      if (typeof options !== "string") {
        this.each(function () {
          var select = this;
          nameSelect2(select);
          $(select).off("change.a11y").on("change.a11y", function () { nameSelect2(select); });
        });
      }
      return result;
    };
    $.extend($.fn.select2, select2);
  }

  function scrollRegions() {
    var heading = document.querySelector("main h1, main h2");
    $(".table-responsive, .workflow-chart-wrap").each(function () {
      var scrolls = this.scrollWidth > this.clientWidth + 1;
      if (scrolls && !this.hasAttribute("tabindex")) {
        this.setAttribute("tabindex", "0");
        this.setAttribute("role", "region");
        if (heading) this.setAttribute("aria-label", heading.textContent.trim());
        this.setAttribute("data-scroll-region", "");
      } else if (!scrolls && this.hasAttribute("data-scroll-region")) {
        this.removeAttribute("tabindex");
        this.removeAttribute("role");
        this.removeAttribute("aria-label");
        this.removeAttribute("data-scroll-region");
      }
    });
  }
  $(scrollRegions);
  $(window).on("resize", scrollRegions);
})(jQuery);
