/* Scale photos down on the phone before a form marked data-scale-photos is sent.
   Each image chosen in the form's file inputs is replaced by a JPEG whose long side is at most
   1600 px (what the server stores anyway), so a 30 MB camera photo travels as a few hundred KB.
   A photo the browser cannot decode (HEIC on most phones) is sent as it is: the server converts
   it. The attribute's value is the progress text ("正在压缩照片…"). Without this script the form
   still works: the server checks each photo on its own. */
(function () {
  "use strict";
  var LONG_SIDE = 1600, QUALITY = 0.85;

  /* Also the visit form's (visit.js): window.InspectPhotoScale.downscale. */
  function downscale(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY); });
    }, function () { return file; /* e.g. HEIC this browser cannot draw: the server converts it */ });
  }

  function scaledFile(file) {
    if (file.type && file.type.indexOf("image/") !== 0) return Promise.resolve(file);
    return downscale(file).then(function (blob) {
      /* A small photo may grow when re-encoded: then the original is the better one to send. */
      if (blob === file || blob.size >= file.size) return file;
      var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
      return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
    }, function () { return file; });
  }

  function imageInputs(form) {
    return Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length;
    });
  }

  function statusLine(form) {
    var line = form.querySelector(".scale-status");
    if (!line) {
      line = document.createElement("p");
      line.className = "scale-status small muted";
      line.setAttribute("role", "status");
      line.setAttribute("aria-live", "polite");
      form.appendChild(line);
    }
    return line;
  }

  function scaleForm(form) {
    var inputs = imageInputs(form), line = statusLine(form), label = form.dataset.scalePhotos;
    var total = 0, done = 0;
    inputs.forEach(function (input) { total += input.files.length; });
    line.hidden = false;
    line.textContent = label + " 0/" + total;
    return Promise.all(inputs.map(function (input) {
      return Promise.all(Array.prototype.map.call(input.files, function (file) {
        return scaledFile(file).then(function (result) {
          done += 1;
          line.textContent = label + " " + done + "/" + total;
          return result;
        });
      })).then(function (files) {
        if (typeof DataTransfer === "undefined") return;
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      });
    })).then(function () { line.hidden = true; });
  }

  function watch(form) {
    var busy = false;
    form.addEventListener("submit", function (event) {
      if (form.dataset.scaled === "1") {
        /* The second, real submission: let it go, and scale again after a back navigation. */
        delete form.dataset.scaled;
        return;
      }
      if (!imageInputs(form).length) return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      var submitter = event.submitter || null;
      var buttons = form.querySelectorAll("button, input[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      function send() {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        busy = false;
        form.dataset.scaled = "1";
        if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
      }
      /* Whatever happens while scaling, the form is sent: the server checks each photo itself. */
      scaleForm(form).then(send, send);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-scale-photos]"), watch);
  window.InspectPhotoScale = { downscale: downscale };
})();
