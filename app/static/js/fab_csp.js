// What Flask-AppBuilder 5.3's templates did in inline scripts, done from this file: the
// Content-Security-Policy (app/headers.py) runs scripts from the site's own files only. The
// templates that carried those scripts (app/templates/appbuilder/general/lib.html,
// widgets/base_list.html, widgets/search.html) now carry data-* attributes read here.
// Loaded last on every page (layout.html), after jQuery, Bootstrap and FAB's ab_actions.js.
(function ($) {
  "use strict";

  function confirmation(element) {
    return element.getAttribute("data-confirmation") || false;
  }

  $(function () {
    // base_list.html: one AdminActions per list page, for the actions menu and the row checkboxes
    if ($("#action_form, #delete_form").length && typeof AdminActions === "function") {
      window.modelActions = new AdminActions();
    }

    // lib.render_actions: an entry of the actions menu acts on the checked rows
    $("[data-multiple-action]").on("click", function () {
      return window.modelActions.execute_multiple(this.getAttribute("data-multiple-action"), confirmation(this));
    });

    // lib.render_action_links: an action on the record shown (a new AdminActions each, as FAB had)
    $("[data-single-action]").on("click", function () {
      return new AdminActions().execute_single(this.getAttribute("data-single-action"), confirmation(this));
    });

    // lib.lnk_delete: a record's delete button asks first, then posts the hidden form with its CSRF token
    $(document).on("click", "[data-delete]", function () {
      new AdminActions().execute_single_delete(this.getAttribute("data-delete"), confirmation(this));
      return false;
    });

    // widgets/search.html: the list's filters
    var filters = document.getElementById("filter_form");
    if (filters && filters.hasAttribute("data-labels") && typeof AdminFilters === "function") {
      var read = function (name) { return JSON.parse(filters.getAttribute(name)); };
      new AdminFilters("#filter_form", read("data-labels"), read("data-fields"), read("data-filters"),
                       read("data-active"));
    }
  });

  // The project's own pages: a button or link with data-confirm asks before it acts (replaces onclick="return confirm(...)")
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})(jQuery);
