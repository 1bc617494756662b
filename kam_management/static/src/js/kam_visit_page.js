/* Copyright 2026 kam_management authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
 *
 * The phone page of the day's visits (/kam/visits, issue 14): before a
 * check-in or check-out form is sent, ask the browser for the position and
 * put it in the form; when the browser refuses (or has none), send the
 * form without one: the visit is checked in without a position, and
 * flagged to the reviewer. No framework: the page must stay light. */
(function () {
    "use strict";

    function text(cls) {
        var node = document.querySelector("." + cls);
        return node ? node.textContent : "";
    }

    function send(form, coords) {
        if (coords) {
            form.elements.latitude.value = coords.latitude;
            form.elements.longitude.value = coords.longitude;
            form.elements.accuracy.value = coords.accuracy;
        }
        form.submit();
    }

    function onSubmit(event) {
        var form = event.currentTarget;
        var status = document.querySelector(".kv_geo_status");
        var button = form.querySelector("button");
        event.preventDefault();
        if (button) {
            button.disabled = true;
        }
        if (!navigator.geolocation) {
            if (status) {
                status.textContent = text("kv_msg_refused");
            }
            send(form, null);
            return;
        }
        if (status) {
            status.textContent = text("kv_msg_locating");
        }
        navigator.geolocation.getCurrentPosition(function (position) {
            send(form, position.coords);
        }, function () {
            if (status) {
                status.textContent = text("kv_msg_refused");
            }
            send(form, null);
        }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    }

    document.addEventListener("DOMContentLoaded", function () {
        var forms = document.querySelectorAll(".kv_geo_form");
        for (var i = 0; i < forms.length; i++) {
            forms[i].addEventListener("submit", onSubmit);
        }
    });
}());
