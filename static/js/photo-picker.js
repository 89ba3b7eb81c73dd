/* Photos from the phone's camera, compressed on the phone before they wait in the outbox:
 * the longest side at most data-max-px (default 1600 px), JPEG at 0.8 quality — a 4 MB
 * camera photo becomes about 300 KB, which 3G can send. The browser draws the photo upright
 * (it applies the camera's orientation) and the re-encoded JPEG carries no EXIF, so no
 * location leaves the phone in the compressed copy.
 *
 * Markup: <div data-photo-picker data-max="9" data-min="1" data-field="photos">
 *           <input type="file" accept="image/*" capture="environment" multiple>
 *           <ul data-photo-previews></ul> </div>
 * Each pick adds to the list (one photo at a time from the camera works too); the form gets
 * form.outboxFiles = [{field, blob, name}] for outbox.js. Without JavaScript the input is an
 * ordinary multi-file input.
 */
(function () {
  "use strict";

  var texts = {};
  try { texts = JSON.parse(document.getElementById("outbox-texts").textContent); } catch (e) {}
  function t(key) { return texts[key] || key; }

  function compress(file, maxPx) {
    if (!window.createImageBitmap || !/^image\//.test(file.type || "image/")) {
      return Promise.resolve(file);
    }
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
      var width = Math.max(1, Math.round(bitmap.width * scale));
      var height = Math.max(1, Math.round(bitmap.height * scale));
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; });
  }

  function setup(picker) {
    var input = picker.querySelector("input[type=file]");
    var previews = picker.querySelector("[data-photo-previews]");
    var form = picker.closest("form");
    if (!input || !form) { return; }
    var field = picker.getAttribute("data-field") || input.name || "photos";
    var max = parseInt(picker.getAttribute("data-max") || "9", 10);
    var min = parseInt(picker.getAttribute("data-min") || "0", 10);
    var maxPx = parseInt(picker.getAttribute("data-max-px") || "1600", 10);
    var error = picker.querySelector("[data-photo-error]");
    var chosen = [];
    var pending = 0;
    // The picker owns the files: the input itself is never submitted.
    input.removeAttribute("name");
    input.removeAttribute("required");
    form.outboxFiles = [];

    function sync() {
      form.outboxFiles = chosen.map(function (c) { return { field: field, blob: c.blob, name: c.name }; });
      picker.setAttribute("data-count", String(chosen.length));
      previews.textContent = "";
      chosen.forEach(function (c, index) {
        var item = document.createElement("li");
        var img = document.createElement("img");
        img.src = c.url;
        img.alt = t("photo_n").replace("%s", index + 1);
        item.appendChild(img);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "photo-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", t("remove_photo"));
        remove.addEventListener("click", function () {
          URL.revokeObjectURL(c.url);
          chosen.splice(index, 1);
          sync();
        });
        item.appendChild(remove);
        previews.appendChild(item);
      });
      if (error) { error.hidden = true; }
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var room = max - chosen.length;
      if (files.length > room && error) {
        error.textContent = t("too_many_photos").replace("%s", max);
        error.hidden = false;
      }
      files.slice(0, Math.max(room, 0)).forEach(function (file) {
        pending += 1;
        picker.setAttribute("data-busy", "1");
        compress(file, maxPx).then(function (blob) {
          var name = (file.name || "photo").replace(/\.[^.]+$/, "") + ".jpg";
          chosen.push({ blob: blob, name: name, url: URL.createObjectURL(blob) });
          pending -= 1;
          if (!pending) { picker.removeAttribute("data-busy"); }
          sync();
        });
      });
      input.value = "";
    });

    form.addEventListener("outbox:check", function (event) {
      if (pending) {
        event.preventDefault();
        return;
      }
      if (chosen.length < min) {
        event.preventDefault();
        if (error) {
          error.textContent = t("need_photo").replace("%s", min);
          error.hidden = false;
          error.scrollIntoView({ block: "center" });
        }
      }
    });
    form.addEventListener("outbox:queued", function () {
      chosen.forEach(function (c) { URL.revokeObjectURL(c.url); });
      chosen = [];
      sync();
    });
  }

  document.querySelectorAll("[data-photo-picker]").forEach(setup);
})();
