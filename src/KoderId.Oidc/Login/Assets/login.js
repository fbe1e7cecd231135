// Koder ID hosted login: the second-step forms post JSON to /v1/auth/flows/{id}/{step} (ADR 0006).
// Same-origin only (the pages' CSP allows no inline script). With "X-KoderId-Login: cookie" a completing answer
// also sets the SSO cookie, and the page moves on to data-next (after showing the recovery codes when the answer
// enrolled a TOTP). Without script the forms post to /ui/login/step.
(function () {
  "use strict";
  var holder = document.getElementById("koderid-flow");
  if (!holder) {
    return;
  }

  var flowId = holder.getAttribute("data-flow");
  var next = holder.getAttribute("data-next") || "/ui/account";
  var loginUrl = holder.getAttribute("data-login") || "/ui/login";
  var errorBox = document.getElementById("flow-error");

  function showError(message) {
    if (errorBox) {
      errorBox.textContent = message;
      errorBox.hidden = false;
    }
  }

  // A TOTP enrolled during sign-in returns its recovery codes once: show them, and move on when the user continues.
  function showRecoveryCodes(codes) {
    var panel = document.getElementById("recovery-codes-panel");
    var list = document.getElementById("recovery-codes");
    if (!panel || !list) {
      window.location.assign(next);
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("form.flow-step, #totp-enrolment, #passkey-enrolment"), function (element) {
      element.hidden = true;
    });
    if (errorBox) {
      errorBox.hidden = true;
    }
    codes.forEach(function (code) {
      var item = document.createElement("li");
      var text = document.createElement("code");
      text.textContent = code;
      item.appendChild(text);
      list.appendChild(item);
    });
    var link = document.getElementById("recovery-codes-continue");
    if (link) {
      link.setAttribute("href", next);
    }
    panel.hidden = false;
    if (link) {
      link.focus();
    }
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-KoderId-Login": "cookie" },
      body: JSON.stringify(body || {})
    });
  }

  // Answers a step of this page's flow; resolves to the flow JSON, or rejects after showing what went wrong.
  function answer(step, body) {
    return post("/v1/auth/flows/" + encodeURIComponent(flowId) + "/" + encodeURIComponent(step), body).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.ok) {
          if (json.status === "completed" && json.recovery_codes && json.recovery_codes.length) {
            showRecoveryCodes(json.recovery_codes);
          } else if (json.status === "completed") {
            window.location.assign(next);
          } else {
            window.location.reload();
          }
          return json;
        }
        if (response.status === 404) {
          window.location.assign(loginUrl);
        } else if (response.status === 401) {
          showError("That was not accepted. Try again.");
        } else if (response.status === 429) {
          showError("Too many failed attempts. Wait a while and try again.");
        } else {
          showError(json.title || "The answer could not be checked.");
        }
        throw new Error("flow step refused: " + response.status);
      });
    });
  }

  function challenge(step) {
    return post("/v1/auth/flows/" + encodeURIComponent(flowId) + "/" + encodeURIComponent(step) + "/challenge", {}).then(function (response) {
      if (response.status === 404) {
        window.location.assign(loginUrl);
      }
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          showError(json.title || "The step could not be started.");
          throw new Error("flow challenge refused: " + response.status);
        }
        return json;
      });
    });
  }

  // For passkeys.js and other step scripts on the page.
  window.KoderIdFlow = { id: flowId, next: next, loginUrl: loginUrl, answer: answer, challenge: challenge };

  if (!flowId) {
    return;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.flow-step"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[name=code]");
      var code = input ? input.value.replace(/\s+/g, "") : "";
      answer(form.getAttribute("data-step"), { code: code }).catch(function () {
        if (input) {
          input.value = "";
          input.focus();
        }
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.flow-challenge"), function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      challenge(button.getAttribute("data-step")).then(function () {
        button.textContent = "Code sent";
      }).catch(function () {
        button.disabled = false;
      });
    });
  });
}());
