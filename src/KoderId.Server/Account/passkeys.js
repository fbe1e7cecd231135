// Koder ID passkeys (ADR 0006). Loaded by the account page (/ui/account/passkeys) and the login page, never
// inline (the CSP allows same-origin scripts only). Registration on the account page; on the login page a
// "Sign in with a passkey" button (#passkey-signin) and passkey autofill (conditional mediation) on the
// username input marked autocomplete="username webauthn"; on the second-step page, "Create a passkey"
// (#passkey-enrol) when the flow offers webauthn-enrolment. Both sign-ins run the JSON flow:
// POST /v1/auth/flows {} -> POST /v1/auth/flows/{id}/webauthn/challenge -> navigator.credentials.get ->
// POST /v1/auth/flows/{id}/webauthn {credential} with X-KoderId-Login: cookie, then go to data-continue.
(() => {
  'use strict';

  const status = (text) => {
    const el = document.getElementById('passkey-status');
    if (el) {
      el.textContent = text;
    }
  };

  const supported = () => typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

  async function postJson(url, body, headers) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: Object.assign({ 'Content-Type': 'application/json', 'Accept': 'application/json' }, headers || {}),
      body: JSON.stringify(body || {}),
    });
    let json = null;
    try {
      json = await response.json();
    } catch (e) {
      json = null;
    }

    if (!response.ok) {
      const error = new Error((json && (json.detail || json.title)) || ('HTTP ' + response.status));
      error.status = response.status;
      error.problem = json;
      throw error;
    }

    return json;
  }

  // ---- Account page: add a passkey ----------------------------------------------------------------
  async function register(root) {
    const csrf = { RequestVerificationToken: root.dataset.csrf };
    const nameInput = document.getElementById('passkey-name');
    try {
      status('Preparing…');
      const options = await postJson(root.dataset.options, {}, csrf);
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
      status('Follow your browser’s instructions to create the passkey…');
      const credential = await navigator.credentials.create({ publicKey });
      await postJson(root.dataset.register, { credential: credential.toJSON(), name: nameInput && nameInput.value ? nameInput.value : null }, csrf);
      status('Passkey added.');
      window.location.reload();
    } catch (e) {
      if (e && e.problem && e.problem.reauthenticate) {
        window.location.assign(e.problem.reauthenticate);
        return;
      }

      status(e && e.name === 'NotAllowedError' ? 'The passkey was not created.' : 'Could not add the passkey: ' + (e && e.message ? e.message : e));
    }
  }

  // ---- Login page: sign in with a passkey ----------------------------------------------------------
  let conditional = null;

  // Where to go once signed in: the login page's data-next (its #koderid-flow holder), or a data-continue.
  function continueUrl() {
    const el = document.querySelector('[data-continue]');
    if (el) {
      return el.getAttribute('data-continue');
    }

    const holder = document.getElementById('koderid-flow');
    return holder && holder.getAttribute('data-next') ? holder.getAttribute('data-next') : '/';
  }

  // The second-step page already has a flow (the password was accepted): answer its webauthn step through
  // login.js rather than starting a username-less flow that would sign in without the first factor's flow.
  async function secondStep() {
    const flow = window.KoderIdFlow;
    const challenge = await flow.challenge('webauthn');
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(challenge.publicKey);
    const credential = await navigator.credentials.get({ publicKey });
    await flow.answer('webauthn', { credential: credential.toJSON() });
  }

  async function signIn(mediation) {
    if (mediation !== 'conditional' && window.KoderIdFlow && window.KoderIdFlow.id) {
      return secondStep();
    }

    const controller = new AbortController();
    if (mediation === 'conditional') {
      conditional = controller;
    } else if (conditional) {
      conditional.abort();
      conditional = null;
    }

    const flow = await postJson('/v1/auth/flows', {});
    const challenge = await postJson('/v1/auth/flows/' + encodeURIComponent(flow.id) + '/webauthn/challenge', {});
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(challenge.publicKey);
    const request = { publicKey, signal: controller.signal };
    if (mediation === 'conditional') {
      request.mediation = 'conditional';
    }

    const credential = await navigator.credentials.get(request);
    const result = await postJson(
      '/v1/auth/flows/' + encodeURIComponent(flow.id) + '/webauthn',
      { credential: credential.toJSON() },
      { 'X-KoderId-Login': 'cookie' });
    if (result && result.status === 'completed') {
      window.location.assign(continueUrl());
      return;
    }

    // More steps needed: the login page's own script takes over from this flow.
    document.dispatchEvent(new CustomEvent('koderid:flow', { detail: result }));
  }

  // The second-step page of a tenant that requires MFA: create a passkey as the second factor (webauthn-enrolment);
  // login.js's answer shows the recovery codes and moves on.
  async function enrol(button) {
    const flow = window.KoderIdFlow;
    button.disabled = true;
    try {
      status('Follow your browser’s instructions to create the passkey…');
      const challenge = await flow.challenge('webauthn-enrolment');
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(challenge.publicKey);
      const credential = await navigator.credentials.create({ publicKey });
      await flow.answer('webauthn-enrolment', { credential: credential.toJSON() });
      status('');
    } catch (e) {
      status(e && e.name === 'NotAllowedError' ? 'The passkey was not created.' : 'Could not create the passkey. Try again or use an authenticator app.');
      button.disabled = false;
    }
  }

  function failed(e) {
    if (e && e.name === 'AbortError') {
      return;
    }

    status(e && e.name === 'NotAllowedError' ? 'Passkey sign-in was cancelled.' : 'Passkey sign-in failed. Try again or use your password.');
  }

  async function startAutofill() {
    const input = document.querySelector('input[autocomplete~="webauthn"]');
    if (!input || !supported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== 'function') {
      return;
    }

    if (!(await PublicKeyCredential.isConditionalMediationAvailable())) {
      return;
    }

    signIn('conditional').catch(failed);
  }

  function init() {
    const root = document.getElementById('passkey-register');
    const add = document.getElementById('passkey-add');
    if (root && add) {
      if (!supported()) {
        add.disabled = true;
        status('This browser does not support passkeys.');
      } else {
        add.addEventListener('click', () => register(root));
      }
    }

    const button = document.getElementById('passkey-signin');
    if (button) {
      if (!supported()) {
        button.hidden = true;
      } else {
        button.addEventListener('click', (event) => {
          event.preventDefault();
          signIn('optional').catch(failed);
        });
      }
    }

    const enrolment = document.getElementById('passkey-enrolment');
    const enrolButton = document.getElementById('passkey-enrol');
    // login.js (loaded after this script) provides window.KoderIdFlow by the time the button is clicked.
    if (enrolment && enrolButton && supported() && document.querySelector('#koderid-flow[data-flow]')) {
      enrolment.hidden = false;
      enrolButton.addEventListener('click', () => enrol(enrolButton));
    }

    startAutofill();
    document.documentElement.setAttribute('data-passkeys', 'ready');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
